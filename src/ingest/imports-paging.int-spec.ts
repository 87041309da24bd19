import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeCursor } from '../common/pagination/keyset.js';
import { createTestApp, resetData, type TestApp } from '../../test/utils/test-app.js';
import { expectBadCursor, walkPages } from '../../test/utils/keyset-pages.js';

/**
 * GET /api/imports pages newest first by (started_at, id); its cursor, and those of the rejects and
 * the referral list, are checked before they reach SQL.
 */
describe('import runs, rejects and referrals: cursors', () => {
  let t: TestApp;
  let admin: string;
  let clinician: string;
  let runs: string[];

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    admin = await t.tokenFor({ role: 'admin' });
    clinician = await t.tokenFor({ role: 'clinician', services: ['slt'] });
    // Six runs started within one millisecond (microseconds apart), newest first.
    const rows: Array<{ id: string }> = await t.db.query(
      `insert into import_run (source_id, source_kind, mode, trigger, triggered_by, status, started_at, finished_at)
       select 'src-' || n, 'csv-file', 'snapshot', 'api', 'test', 'succeeded',
              timestamptz '2026-11-27 10:00:00.123000+00' + n * interval '1 microsecond', now()
         from generate_series(1, 6) n
       returning id, started_at`,
    );
    const ordered: Array<{ id: string }> = await t.db.query(
      `select id from import_run where id = any($1::uuid[]) order by started_at desc, id desc`,
      [rows.map((r) => r.id)],
    );
    runs = ordered.map((r) => r.id);
  });

  afterAll(async () => {
    await t.close();
  });

  // Admins read import runs; clinicians the referral list.
  const get = (path: string, query: Record<string, unknown>) =>
    request(t.http)
      .get(path)
      .query(query)
      .set('Authorization', `Bearer ${path.startsWith('/api/referrals') ? clinician : admin}`);

  it('should walk runs started within one millisecond page by page, each once and in order', async () => {
    const pages = await walkPages<{ id: string }>(t.http, admin, '/api/imports?limit=2');
    expect(pages.flat().map((i) => i.id)).toEqual(runs);
  });

  it.each([
    [
      '/api/imports',
      encodeCursor(['2026-11-27T10:00:00.123Z', '6f1c0b7e-1111-4222-8333-444455556666']),
    ],
    ['/api/imports', encodeCursor(['yesterday', '6f1c0b7e-1111-4222-8333-444455556666'])],
    ['/api/referrals', encodeCursor(['2026-02-30', '6f1c0b7e-1111-4222-8333-444455556666'])],
    ['/api/referrals', encodeCursor(['2026-02-01', 'not-an-id'])],
    ['/api/imports/RUN/rejects', encodeCursor(['abc'])],
    ['/api/imports/RUN/rejects', encodeCursor([-1])],
  ])('should answer %s with a cursor it did not write with a 400', async (path, cursor) => {
    expectBadCursor(await get(path.replace('RUN', runs[0]), { cursor }));
  });
});
