import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { expectBadCursor, planReads, walkPages } from '../../../test/utils/keyset-pages.js';
import { asOwner, createTestApp, resetData, type TestApp } from '../../../test/utils/test-app.js';
import { encodeCursor } from '../../common/pagination/keyset.js';
import { ToolVersionsService } from '../tool/tool-versions.service.js';
import { runsPageQuery } from './rescore.repository.js';

interface Run {
  id: string;
  kind: string;
  reason: string;
  startedAt: string;
}

/**
 * GET /api/prioritisation/runs, a page at a time: every rescore run (one for each import, override
 * and check-in, and a full one nightly) newest first, ties by id, each seen once however the pages
 * fall, including among runs started at one moment and several within one millisecond.
 */
describe('GET /api/prioritisation/runs', () => {
  let t: TestApp;
  let admin: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  const walk = (token: string, limit: number) =>
    walkPages<Run>(t.http, token, `/api/prioritisation/runs?limit=${limit}`);

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    admin = await t.tokenFor({ role: 'admin' });
    const tool = (await t.app.get(ToolVersionsService).active()).row.id;
    // 44 runs: pairs started at one moment, 300 µs apart (three or four to a millisecond).
    await t.db.query(
      `insert into priority_run (kind, reason, tool_version_id, as_at, status, started_at, finished_at)
       select case when i % 5 = 0 then 'full' else 'incremental' end, 'run ' || i, $1, '2026-11-27', 'completed',
              timestamptz '2026-11-27 02:00:00+00' - (i / 2) * interval '300 microseconds',
              timestamptz '2026-11-27 02:00:01+00'
         from generate_series(0, 43) i`,
      [tool],
    );
  });
  afterAll(async () => {
    await resetData(t.db);
    await t.close();
  });

  it('should give every run exactly once, newest first, ties by id, the report as before', async () => {
    const want = await t.db.query<Array<{ id: string }>>(
      `select id from priority_run order by started_at desc, id desc`,
    );
    const pages = await walk(admin, 5);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 4]);
    const seen = pages.flat();
    expect(seen.map((r) => r.id)).toEqual(want.map((r) => r.id));
    expect(new Set(seen.map((r) => r.id)).size).toBe(44);
    // Each item is the run report GET …/runs/:id gives (no sort key of the list's own).
    const one = await request(t.http)
      .get(`/api/prioritisation/runs/${seen[7].id}`)
      .set(auth(admin))
      .expect(200);
    expect(seen[7]).toEqual(one.body);
    expect(Object.keys(seen[7])).not.toContain('keyAt');
    // The default page is 20 runs.
    const first = await request(t.http)
      .get('/api/prioritisation/runs')
      .set(auth(admin))
      .expect(200);
    expect(first.body.items).toHaveLength(20);
    expect(first.body.next).toEqual(expect.any(String));
  });

  it.each(['commissioner', 'auditor'] as const)(
    'should list the runs to a %s too',
    async (role) => {
      const token = await t.tokenFor({ role });
      expect((await walk(token, 20)).flat()).toHaveLength(44);
    },
  );

  it.each(['clinician', 'family'] as const)('should refuse the list to a %s', async (role) => {
    const token = await t.tokenFor({ role });
    await request(t.http).get('/api/prioritisation/runs').set(auth(token)).expect(403);
  });

  it.each([
    ['not a cursor at all', 'not-a-cursor'],
    ['a cursor with one key', encodeCursor(['2026-11-27T02:00:00.000000Z'])],
    [
      'a time to the millisecond only',
      encodeCursor(['2026-11-27T02:00:00.000Z', '0b7c5a52-94b5-4f6e-a3a5-0a4a3c1e2f10']),
    ],
  ])('should answer %s with a 400 saying what to do', async (_what, cursor) => {
    expectBadCursor(
      await request(t.http)
        .get(`/api/prioritisation/runs?cursor=${encodeURIComponent(cursor)}`)
        .set(auth(admin))
        .expect(400),
    );
  });

  /**
   * Runs grow by one for every import, override and check-in: a page must walk the index of start
   * times from the cursor and stop at the page's end, not read and sort every run.
   */
  it.each([
    ['a first page', false],
    ['a deep page', true],
  ])('should read %s of 30,000 runs down ix_priority_run_started', async (_what, deep) => {
    const tool = (await t.app.get(ToolVersionsService).active()).row.id;
    await t.db.query(
      `insert into priority_run (kind, reason, tool_version_id, as_at, status, started_at)
       select 'incremental', 'check-in', $1, '2026-11-27', 'completed', now() - i * interval '1 minute'
         from generate_series(1, 30000 - (select count(*)::int from priority_run)) i`,
      [tool],
    );
    await asOwner(t.db, (runner) => runner.query(`analyze priority_run`));
    const query = runsPageQuery(
      deep
        ? { at: '2026-11-01T00:00:00.000000Z', id: '80000000-0000-4000-8000-000000000000' }
        : undefined,
      21,
    );
    const { reads, nodeTypes } = await planReads(t.db, query, 'priority_run');
    expect(reads).toEqual(['Index Scan using ix_priority_run_started']);
    expect(nodeTypes).not.toContain('Sort');
  });
});
