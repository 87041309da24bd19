import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeCursor } from '../common/pagination/keyset.js';
import { insertChild } from '../../test/factories/waiting-list.factory.js';
import { createTestApp, resetData, type TestApp } from '../../test/utils/test-app.js';
import { expectBadCursor, walkPages } from '../../test/utils/keyset-pages.js';

/**
 * GET /api/data-quality pages by (opened_at, id). One import opens all its issues in one
 * transaction, so they share one opened_at to the microsecond: the cursor must keep it exactly.
 */
describe('data-quality issues: keyset pages', () => {
  let t: TestApp;
  let admin: string;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    admin = await t.tokenFor({ role: 'admin' });
    const children = [];
    for (let i = 0; i < 5; i++) children.push((await insertChild(t.db, {})).id);
    // As one import opens them: one statement, one now().
    const rows: Array<{ id: string }> = await t.db.query(
      `insert into data_quality_issue (child_id, field, status, kept_source_id, source_ids, opened_run_id, last_run_id)
       select c, 'date-of-birth', 'open', 'src-a', array['src-a', 'src-b'], gen_random_uuid(), gen_random_uuid()
         from unnest($1::uuid[]) c
       returning id`,
      [children],
    );
    ids.push(...rows.map((r) => r.id).sort());
  });

  afterAll(async () => {
    await t.close();
  });

  it('should walk issues opened at the same moment page by page, each once and in order', async () => {
    const pages = await walkPages<{ id: string }>(t.http, admin, '/api/data-quality?limit=2');
    expect(pages.flat().map((i) => i.id)).toEqual(ids);
  });

  it('should answer a cursor that holds no real time or id with a 400, not a database error', async () => {
    for (const cursor of [
      encodeCursor(['2026-02-30T10:00:00.000000Z', ids[0]]),
      encodeCursor(['2026-11-27T10:00:00.123Z', ids[0]]),
      encodeCursor(['2026-11-27T10:00:00.000000Z', 'not-a-uuid']),
    ]) {
      expectBadCursor(
        await request(t.http)
          .get('/api/data-quality')
          .query({ cursor })
          .set('Authorization', `Bearer ${admin}`),
      );
    }
  });
});
