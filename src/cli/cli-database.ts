import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAppConfig, type AppConfig } from '../config/app-config.js';
import { startEmbeddedDatabase } from '../database/embedded-database.js';

export interface CliDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Exit status of a command refused because a running WaitWell holds its database (EX_TEMPFAIL). */
const EXIT_DATABASE_IN_USE = 75;

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

/**
 * Refuses the command when a running WaitWell holds the embedded database it would start (only one
 * PostgreSQL can use a data folder; a second one fails without saying why): says so on standard
 * error with `instead`, what to do rather than stop the service, and returns the exit status to end
 * with (75, EX_TEMPFAIL). Otherwise null: go on. With DATABASE_URL the database is shared: null.
 */
export function refuseIfDatabaseInUse(config: AppConfig, instead: string): number | null {
  if (config.database.url) return null;
  const holder = runningPostgres(config.database.dataDir);
  if (holder === null) return null;
  process.stderr.write(
    `The embedded database in ${config.database.dataDir} is in use by a running WaitWell (PostgreSQL pid ${holder}).\n` +
      `${instead}\n`,
  );
  return EXIT_DATABASE_IN_USE;
}

/** The pid of a live PostgreSQL already serving this data folder, if any. */
function runningPostgres(dataDir: string): number | null {
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive but owned by another user (the postgres user when running as root).
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
