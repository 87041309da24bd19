import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type EmbeddedDatabase, startEmbeddedDatabase } from './embedded-database.js';

describe(startEmbeddedDatabase.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'waitwell-embedded-'));
  let db: EmbeddedDatabase;

  beforeAll(async () => {
    // As root, PostgreSQL runs as a 'postgres' user, which must be able to reach the folder.
    chmodSync(dir, 0o755);
    db = await startEmbeddedDatabase(dir, { persistent: false, settings: { work_mem: '8MB' } });
  }, 120_000);

  afterAll(async () => {
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("should run with WaitWell's default server settings beside the caller's", async () => {
    const client = new pg.Client(db.url);
    await client.connect();
    try {
      const show = async (name: string) =>
        ((await client.query(`select current_setting($1) as v`, [name])).rows[0] as { v: string })
          .v;
      expect(await show('io_method')).toBe('sync');
      expect(await show('work_mem')).toBe('8MB');
      expect(await show('listen_addresses')).toBe('127.0.0.1');
    } finally {
      await client.end();
    }
  });
});
