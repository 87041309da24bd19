import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { loadAppConfig } from './config/app-config.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './database/embedded-database.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadAppConfig();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
  let embedded: EmbeddedDatabase | undefined;
  if (!config.database.url) {
    process.stdout.write(
      `No DATABASE_URL: starting embedded PostgreSQL in ${config.database.dataDir}/pg\n`,
    );
    embedded = await startEmbeddedDatabase(config.database.dataDir);
  }
  const app = await createApp(config, config.database.url ?? embedded!.url);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`${signal}: shutting down\n`);
    let code = 0;
    try {
      await app.close();
    } catch (error) {
      code = 1;
      process.stderr.write(`Shutdown error: ${(error as Error).message}\n`);
    } finally {
      await embedded?.stop();
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen(config.port, '0.0.0.0');
  process.stdout.write(
    `WaitWell is listening on http://localhost:${config.port} (API docs: /docs, health: /health)\n`,
  );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`WaitWell failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
