import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { insertChild } from '../../../test/factories/waiting-list.factory.js';
import { expectBadCursor, planReads, walkPages } from '../../../test/utils/keyset-pages.js';
import { asOwner, createTestApp, resetData, type TestApp } from '../../../test/utils/test-app.js';
import { encodeCursor } from '../../common/pagination/keyset.js';
import { noticesPageQuery } from './overrides.repository.js';

interface Notice {
  id: string;
  childId: string;
  pseudonym: string;
  kind: string;
  text: string;
  createdAt: string;
  readAt: string | null;
}

/**
 * GET /api/prioritisation/notices, a page at a time: a clinician's own notices and their services'
 * teams', newest first, ties by id, each seen once however the pages fall, including among notices
 * written in one statement (one created_at) and several within one millisecond.
 */
describe('GET /api/prioritisation/notices: keyset pages', () => {
  let t: TestApp;
  let clinician: string;
  let other: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  let children: Array<{ id: string; pseudonym: string; nhsNumber: string }>;

  const walk = (token: string, query: string) =>
    walkPages<Notice>(t.http, token, `/api/prioritisation/notices?${query}`);

  /** The ids the clinician should see, in the documented order, from the table itself. */
  const expected = async (where: string) =>
    (
      await t.db.query<Array<{ id: string }>>(
        `select id from priority_notice where (recipient_subject = 'clin-a' or recipient_service = 'slt') ${where}
          order by created_at desc, id desc`,
      )
    ).map((r) => r.id);

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    clinician = await t.tokenFor({ role: 'clinician', sub: 'clin-a', services: ['slt'] });
    other = await t.tokenFor({ role: 'clinician', sub: 'clin-b', services: ['neurodiversity'] });
    children = [];
    for (let i = 0; i < 6; i++) children.push(await insertChild(t.db));
    const ids = children.map((c) => c.id);
    // clin-a's own: 25 notices, three to each created_at (one statement's worth), 150 µs apart, so
    // six or seven share each millisecond. The SLT team's: 15, interleaved. Then notices clin-a
    // must not see: clin-b's, and the mental health team's.
    await t.db.query(
      `insert into priority_notice (recipient_subject, child_id, kind, detail, created_at)
       select 'clin-a', ($1::uuid[])[1 + i % 6], 'override-expired',
              jsonb_build_object('overrideId', gen_random_uuid(), 'band', 'P1', 'reviewDate', '2026-11-27'),
              timestamptz '2026-11-27 10:00:00+00' - (i / 3) * interval '150 microseconds'
         from generate_series(0, 24) i`,
      [ids],
    );
    await t.db.query(
      `insert into priority_notice (recipient_service, child_id, kind, detail, created_at)
       select 'slt', ($1::uuid[])[1 + i % 6], 'family-crisis',
              jsonb_build_object('checkInId', gen_random_uuid(), 'reportedOn', '2026-11-27',
                                 'reportedByRole', 'family', 'service', 'slt'),
              timestamptz '2026-11-27 10:00:00+00' - (i * 220) * interval '1 microsecond'
         from generate_series(0, 14) i`,
      [ids],
    );
    await t.db.query(
      `insert into priority_notice (recipient_subject, recipient_service, child_id, kind, detail, created_at)
       select case when i % 2 = 0 then 'clin-b' end, case when i % 2 = 1 then 'mental-health' end,
              ($1::uuid[])[1 + i % 6], case when i % 2 = 0 then 'override-expired' else 'family-crisis' end,
              jsonb_build_object('band', 'P2', 'reviewDate', '2026-11-27', 'reportedOn', '2026-11-27',
                                 'reportedByRole', 'family', 'service', 'mental-health'),
              timestamptz '2026-11-27 10:00:00+00' - i * interval '170 microseconds'
         from generate_series(0, 9) i`,
      [ids],
    );
  });
  afterAll(async () => {
    await resetData(t.db);
    await t.close();
  });

  it('should give every notice of the clinician and their team exactly once, newest first, ties by id', async () => {
    const want = await expected('');
    expect(want).toHaveLength(40);
    const pages = await walk(clinician, 'limit=7');
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 7, 5]);
    const seen = pages.flat();
    expect(seen.map((n) => n.id)).toEqual(want);
    expect(new Set(seen.map((n) => n.id)).size).toBe(40);
    // Each notice names its child by pseudonym, in words, and never by NHS number.
    for (const n of seen) {
      const child = children.find((c) => c.id === n.childId);
      expect(n.pseudonym).toBe(child?.pseudonym);
      expect(n.text).toContain(`child ${child?.pseudonym}`);
      expect(n.text).not.toContain(child?.nhsNumber);
    }
    expect(new Set(seen.map((n) => n.kind))).toEqual(
      new Set(['override-expired', 'family-crisis']),
    );
  });

  it("should page the unread ones alone, and audit each page's children", async () => {
    await t.db.query(
      `update priority_notice set read_at = now(), read_by = 'clin-a'
        where id in (select id from priority_notice where recipient_subject = 'clin-a' or recipient_service = 'slt'
                      order by id limit 17)`,
    );
    const want = await expected('and read_at is null');
    expect(want).toHaveLength(23);
    const audits = async () =>
      (
        await t.db.query<Array<{ n: number }>>(
          `select count(*)::int as n from audit_event where resource = 'priority-notice' and action = 'list'
             and actor_subject = 'clin-a'`,
        )
      )[0].n;
    const before = await audits();
    const pages = await walk(clinician, 'unread=true&limit=10');
    expect(pages.flat().map((n) => n.id)).toEqual(want);
    expect(pages.flat().every((n) => n.readAt === null)).toBe(true);
    expect(await audits()).toBe(before + pages.length);
    const [last] = await t.db.query<Array<{ child_ids: string[] }>>(
      `select child_ids from audit_event where resource = 'priority-notice' and actor_subject = 'clin-a'
        order by id desc limit 1`,
    );
    expect(new Set(last.child_ids)).toEqual(new Set(pages[pages.length - 1].map((n) => n.childId)));
  });

  it('should show a clinician only their own notices and their services teams', async () => {
    const seen = (await walk(other, 'limit=3')).flat();
    expect(seen).toHaveLength(5);
    expect(seen.every((n) => n.kind === 'override-expired')).toBe(true);
    const theirs = await t.db.query<Array<{ id: string }>>(
      `select id from priority_notice where recipient_subject = 'clin-b' order by created_at desc, id desc`,
    );
    expect(seen.map((n) => n.id)).toEqual(theirs.map((r) => r.id));
    // A cursor from clin-a's list gives clin-b nothing of clin-a's.
    const first = await request(t.http)
      .get('/api/prioritisation/notices?limit=2')
      .set(auth(clinician))
      .expect(200);
    const crossed = await request(t.http)
      .get(`/api/prioritisation/notices?cursor=${first.body.next as string}`)
      .set(auth(other))
      .expect(200);
    for (const n of crossed.body.items as Notice[]) expect(theirs.map((r) => r.id)).toContain(n.id);
  });

  it.each(['admin', 'commissioner', 'auditor'] as const)(
    'should refuse the list to a %s (notices are for clinicians)',
    async (role) => {
      const token = await t.tokenFor({ role });
      const res = await request(t.http)
        .get('/api/prioritisation/notices')
        .set(auth(token))
        .expect(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    },
  );

  it.each([
    ['not a cursor at all', 'not-a-cursor'],
    ['a cursor of another list (a ranked page: a rank key)', encodeCursor(['12345', 'x'])],
    [
      'a time that does not exist',
      encodeCursor(['2026-02-30T10:00:00.000000Z', '0b7c5a52-94b5-4f6e-a3a5-0a4a3c1e2f10']),
    ],
    ['an id that is not a UUID', encodeCursor(['2026-11-27T10:00:00.000000Z', "x' or '1'='1"])],
  ])('should answer %s with a 400 saying what to do', async (_what, cursor) => {
    expectBadCursor(
      await request(t.http)
        .get(`/api/prioritisation/notices?cursor=${encodeURIComponent(cursor)}`)
        .set(auth(clinician))
        .expect(400),
    );
  });

  it('should refuse a cursor longer than any the service writes, and a limit over 200', async () => {
    const long = await request(t.http)
      .get(`/api/prioritisation/notices?cursor=${'a'.repeat(401)}`)
      .set(auth(clinician))
      .expect(400);
    expect(long.body).toMatchObject({ code: 'request.invalid' });
    await request(t.http)
      .get('/api/prioritisation/notices?limit=201')
      .set(auth(clinician))
      .expect(400);
  });
});

/**
 * A page of notices walks each recipient's index from the cursor and stops at the page's end: a
 * team's notices (a crisis reported for any child on the service's list) grow for as long as the
 * service runs.
 */
describe('GET /api/prioritisation/notices: pages of 30,000 notices walk the recipients indexes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await insertChild(t.db)).id);
    await t.db.query(
      `insert into priority_notice (recipient_subject, recipient_service, child_id, kind, detail, read_at, created_at)
       select case when i % 3 = 0 then 'clin-' || (i % 30) end,
              case when i % 3 <> 0 then (array['slt', 'mental-health', 'neurodiversity'])[1 + i % 3] end,
              ($1::uuid[])[1 + i % 20], case when i % 3 = 0 then 'override-expired' else 'family-crisis' end, '{}',
              case when i % 4 = 0 then now() end,
              now() - i * interval '1 minute'
         from generate_series(1, 30000) i`,
      [ids],
    );
    await asOwner(t.db, (runner) => runner.query(`analyze priority_notice`));
  });
  afterAll(async () => {
    await resetData(t.db);
    await t.close();
  });

  it.each([
    ['a first page', false, false],
    ['a deep page', false, true],
    ['a first page of unread notices', true, false],
    ['a deep page of unread notices', true, true],
  ])('%s', async (_what, unreadOnly, deep) => {
    const query = noticesPageQuery({
      recipient: 'clin-3',
      services: ['slt', 'mental-health'],
      unreadOnly,
      after: deep
        ? {
            at: new Date(Date.now() - 15_000 * 60_000).toISOString().replace('Z', '000Z'),
            id: '80000000-0000-4000-8000-000000000000',
          }
        : undefined,
      limit: 51,
    });
    const { reads } = await planReads(t.db, query, 'priority_notice');
    // Unread pages walk the indexes of unread notices only (migration IndexUnreadNotices), not
    // every notice ever read before them.
    const unread = unreadOnly ? '_unread' : '';
    expect(reads).toEqual([
      `Index Scan using ix_priority_notice_recipient${unread}`,
      `Index Scan using ix_priority_notice_service${unread}`,
    ]);
  });
});
