import { loadAppConfig, type AppConfig } from '../config/app-config.js';
import { startEmbeddedDatabase } from '../database/embedded-database.js';

export interface CliDatabase {
  url: string;
  stop(): Promise<void>;
}

/** A command-line tool's configuration: the environment's, never with the demo or the schedulers. */
export function cliConfig(): AppConfig {
  return loadAppConfig({ ...process.env, WAITWELL_DEMO: 'false', WAITWELL_SCHEDULER: 'false' });
}

/**
 * The database a command-line tool works on: DATABASE_URL's server, or the embedded PostgreSQL in
 * the data folder, started for the command (stop() stops it again; with DATABASE_URL it does nothing).
 */
export async function cliDatabase(config: AppConfig): Promise<CliDatabase> {
  if (config.database.url) return { url: config.database.url, stop: () => Promise.resolve() };
  return startEmbeddedDatabase(config.database.dataDir);
}
