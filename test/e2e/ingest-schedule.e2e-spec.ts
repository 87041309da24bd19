import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { PTL_CSV, ptlChild, ptlCsv, tempDir, writeSources } from './ingest-support.js';

describe('ingest: scheduled pulls with two service instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  let dir: string;
  let closed = false;

  beforeAll(async () => {
    dir = tempDir('waitwell-ingest-cron-');
    mkdirSync(join(dir, 'drop', 't-cron'), { recursive: true });
    const sources = writeSources(dir, [
      {
        id: 't-cron',
        provider: 'RYB',
        service: 'slt',
        kind: 'csv-file',
        location: 'drop/t-cron',
        schedule: '* * * * * *',
        mode: 'snapshot',
        csv: PTL_CSV,
      },
    ]);
    const env = {
      WAITWELL_SOURCES_FILE: sources,
      WAITWELL_DATA_DIR: dir,
      WAITWELL_SCHEDULER: 'true',
    };
    a = await createTestApp(env);
    b = await createTestApp(env);
    await resetData(a.db);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (closed) return;
    await a?.close();
    await b?.close();
  });

  it('should pull each source on its cron, never twice at the same time (advisory lock), with nothing duplicated', async () => {
    writeFileSync(
      join(dir, 'drop', 't-cron', 'ptl.csv'),
      ptlCsv(Array.from({ length: 3000 }, (_, i) => ptlChild({ referral_id: `CRON-${i}` }))),
    );
    await new Promise((r) => setTimeout(r, 4500));
    closed = true;
    await a.close();
    await b.close();
    // Both apps are closed (no pull can be running now): read the outcome over a plain connection.
    const client = new pg.Client({ connectionString: process.env.WAITWELL_TEST_DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{
        status: string;
        trigger: string;
        started: string;
        finished: string | null;
        rows_new: number;
        rows_unchanged: number;
      }>(
        `select status, trigger, extract(epoch from started_at)::float8 as started, extract(epoch from finished_at)::float8 as finished, rows_new, rows_unchanged
           from import_run where source_id = 't-cron' and status = 'succeeded' order by started_at`,
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows.every((r) => r.trigger === 'schedule')).toBe(true);
      for (let i = 1; i < rows.length; i++) {
        expect(Number(rows[i].started)).toBeGreaterThanOrEqual(Number(rows[i - 1].finished));
      }
      expect(rows[0].rows_new).toBe(3000);
      for (const r of rows.slice(1)) expect(r).toMatchObject({ rows_new: 0, rows_unchanged: 3000 });
      const [{ n }] = (
        await client.query<{ n: number }>(
          `select count(*)::int as n from referral where source_id = 't-cron'`,
        )
      ).rows;
      expect(n).toBe(3000);
    } finally {
      await client.end();
    }
  });
});
