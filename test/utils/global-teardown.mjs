import { rmSync } from 'node:fs';
import pg from 'pg';

export default async function globalTeardown() {
  const db = globalThis.__WAITWELL_TEST_DB__;
  if (!db) return;
  if (db.server) {
    await db.server.stop();
    rmSync(db.dir, { recursive: true, force: true });
    return;
  }
  const admin = new pg.Client({ connectionString: db.external });
  await admin.connect();
  await admin.query(`drop database if exists ${db.name} with (force)`);
  await admin.end();
}
