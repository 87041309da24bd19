import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PoolClient } from 'pg';
import request from 'supertest';
import { insertChild, insertReferral } from '../../../test/factories/waiting-list.factory.js';
import { asOwner, createTestApp, resetData, type TestApp } from '../../../test/utils/test-app.js';
import { CatalogueService } from '../../catalogue/catalogue.service.js';
import { addDays, londonDate } from '../../common/time/calendar-date.js';
import { RescoreService } from '../rescore/rescore.service.js';
import { rankKey } from '../rescore/rank-key.js';
import { rankedPageQuery, type RankedFilter, RankedRepository } from './ranked.repository.js';
import { type PlanNode, planNodes } from '../../../test/utils/query-plans.js';

const ITEM_KEYS = [
  'childId',
  'pseudonym',
  'band',
  'toolBand',
  'overridden',
  'review',
  'flagged',
  'score',
  'serviceScore',
  'weeksWaited',
  'waits',
  'topReasons',
];
const IDENTIFIABLE_KEYS = [
  ...ITEM_KEYS.slice(0, 2),
  'nhsNumber',
  'givenName',
  'familyName',
  'dateOfBirth',
  ...ITEM_KEYS.slice(2),
];

/**
 * GET /api/ranked pages are written as JSON by PostgreSQL (row_to_json) and joined in the service:
 * the bytes must be exactly what JSON.stringify of the same page gives (as res.json wrote before),
 * with the keys in the documented order.
 */
describe('GET /api/ranked: the page as JSON text', () => {
  let t: TestApp;
  let clinician: string;
  let commissioner: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    const today = londonDate();
    const names = [
      ['Zoë', "O'Neill"],
      ['Ana "Nan"', 'Back\\slash'],
      ['Łukasz', 'Wiśniewski-Żak'],
      ['Kai 🧒🏽', 'Tab\tName'],
      ['Ava', 'Smith'],
    ];
    for (let i = 0; i < 15; i++) {
      const [givenName, familyName] = names[i % names.length];
      const child = await insertChild(t.db, {
        givenName,
        familyName,
        dateOfBirth: addDays(today, -(3 + i) * 365),
        locality: i % 2 ? 'Eastfield' : 'Riverside',
        deprivationDecile: 1 + (i % 10),
        flags: i % 4 === 0 ? [{ code: 'safeguarding-concern' }] : [],
      });
      await insertReferral(t.db, child.id, {
        service: 'slt',
        provider: 'RYB',
        receivedDate: addDays(today, -7 * (i * 3 + 1)),
      });
      if (i % 3 === 0) {
        await insertReferral(t.db, child.id, {
          service: 'neurodiversity',
          provider: 'RXA',
          receivedDate: addDays(today, -7 * (i + 2)),
        });
      }
    }
    const admin = await t.tokenFor({ role: 'admin' });
    await request(t.http).post('/api/prioritisation/rescore').set(auth(admin)).expect(200);
    clinician = await t.tokenFor({ role: 'clinician', sub: 'ranked-json-clinician' });
    commissioner = await t.tokenFor({ role: 'commissioner' });
  });
  afterAll(async () => {
    // Test files share one database and the factories number source referrals per file: leave no rows.
    await resetData(t.db);
    await t.close();
  });

  const get = async (path: string, token: string) => {
    const res = await request(t.http).get(path).set(auth(token)).expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toBe(JSON.stringify(res.body));
    return res.body as { items: Array<Record<string, unknown>>; next: string | null };
  };

  it('should write every page exactly as JSON.stringify would, keys in order, for each role and list', async () => {
    const cases: Array<[string, string, string[]]> = [
      ['/api/ranked', commissioner, ITEM_KEYS],
      ['/api/ranked?service=slt', commissioner, ITEM_KEYS],
      ['/api/ranked?locality=Eastfield&multiNeed=true', commissioner, ITEM_KEYS],
      ['/api/ranked', clinician, IDENTIFIABLE_KEYS],
      ['/api/ranked?service=neurodiversity', clinician, IDENTIFIABLE_KEYS],
    ];
    for (const [path, token, keys] of cases) {
      const page = await get(path, token);
      expect(page.items.length).toBeGreaterThan(0);
      for (const item of page.items) {
        expect([path, Object.keys(item)]).toEqual([path, keys]);
        for (const w of item.waits as Array<Record<string, unknown>>) {
          expect(Object.keys(w)).toEqual(['service', 'provider', 'weeksWaited', 'score']);
        }
      }
    }
    const withNames = (await get('/api/ranked?limit=200', clinician)).items;
    expect(withNames.map((i) => i.familyName)).toEqual(
      expect.arrayContaining(["O'Neill", 'Back\\slash', 'Wiśniewski-Żak', 'Tab\tName']),
    );
    // Dates of birth come as JSON writes a date (YYYY-MM-DD), the same as the stored date.
    const stored: Array<{ id: string; dob: string }> = await t.db.query(
      `select id::text as id, to_char(date_of_birth, 'YYYY-MM-DD') as dob from child where id = any($1::uuid[])`,
      [withNames.map((i) => i.childId)],
    );
    const dobs = new Map(stored.map((r) => [r.id, r.dob]));
    for (const item of withNames) {
      expect([item.childId, item.dateOfBirth]).toEqual([
        item.childId,
        dobs.get(item.childId as string),
      ]);
    }
  });

  it('should answer every page size, prepared or (past the cap on statements) not', async () => {
    const whole = (await get('/api/ranked?limit=200', commissioner)).items;
    for (let limit = 1; limit <= 80; limit++) {
      const page = await get(`/api/ranked?limit=${limit}`, commissioner);
      expect(page.items).toEqual(whole.slice(0, limit));
    }
  });

  it('should read the distinct localities on record, sorted, without those left blank', async () => {
    const blank = await insertChild(t.db);
    await t.db.query(`update child set locality = null where id = $1`, [blank.id]);
    try {
      expect(await t.app.get(RankedRepository).localities()).toEqual(['Eastfield', 'Riverside']);
    } finally {
      await t.db.query(`delete from child where id = $1`, [blank.id]);
    }
  });

  it("should show a commissioner only their own ICB's providers on both kinds of list", async () => {
    const otherIcb = await t.tokenFor({ role: 'commissioner', commissioner: 'QAA' });
    for (const path of ['/api/ranked', '/api/ranked?service=slt']) {
      expect((await get(path, commissioner)).items.length).toBeGreaterThan(0);
      expect((await get(path, otherIcb)).items).toEqual([]);
    }
  });

  it("should count a commissioner's long waits only at the providers their ICB commissions", async () => {
    const repository = t.app.get(RankedRepository);
    type Wait = { provider: string; weeksWaited: number };
    const children = async (f: Partial<RankedFilter>) =>
      (await repository.page({ limit: 200, ...f })).map((r) => ({
        childId: r.childId,
        waits: (JSON.parse(`${r.json}}`) as { waits: Wait[] }).waits,
      }));
    // Children waiting at RXA, some of them longer at RYB (an ICB commissioning RXA alone).
    const atRxa = await children({ anyOfProviders: ['RXA'] });
    const longerAtRyb = atRxa.filter(
      (c) =>
        Math.max(...c.waits.filter((w) => w.provider === 'RXA').map((w) => w.weeksWaited)) <= 20 &&
        c.waits.some((w) => w.provider === 'RYB' && w.weeksWaited > 20),
    );
    expect(longerAtRyb.length).toBeGreaterThan(0);
    for (const minWeeks of [5, 10, 15, 20]) {
      const expected = atRxa
        .filter((c) => c.waits.some((w) => w.provider === 'RXA' && w.weeksWaited >= minWeeks))
        .map((c) => c.childId);
      const listed = (await children({ anyOfProviders: ['RXA'], minWeeks })).map((c) => c.childId);
      expect([minWeeks, listed]).toEqual([minWeeks, expected]);
      // Both providers commissioned: the child's longest wait, wherever it is.
      const both = await children({ anyOfProviders: ['RXA', 'RYB'], minWeeks });
      const all = await children({ minWeeks });
      expect(both.map((c) => c.childId)).toEqual(all.map((c) => c.childId));
    }
  });

  it('should read the new scores after a rescore swaps the score tables (prepared page statements)', async () => {
    // More than five runs of each statement, so PostgreSQL may have settled on a cached plan.
    const path = '/api/ranked?service=slt&limit=200';
    for (let i = 0; i < 12; i++) await get(path, commissioner);
    const before = await get(path, clinician);
    const child = await insertChild(t.db, { givenName: 'Newly', familyName: 'Scored' });
    await insertReferral(t.db, child.id, {
      service: 'slt',
      provider: 'RYB',
      receivedDate: addDays(londonDate(), -7 * 60),
    });
    const admin = await t.tokenFor({ role: 'admin' });
    await request(t.http).post('/api/prioritisation/rescore').set(auth(admin)).expect(200);
    for (let i = 0; i < 12; i++) {
      const after = await get(path, i % 2 ? clinician : commissioner);
      expect(after.items).toHaveLength(before.items.length + 1);
      expect(after.items.map((x) => x.childId)).toContain(child.id);
    }
  });

  it('should give the same rows through keyset pages as in one page, with the same values as the database', async () => {
    const whole = await get('/api/ranked?service=slt&limit=200', commissioner);
    expect(whole.next).toBeNull();
    const paged: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    do {
      const page = await get(
        `/api/ranked?service=slt&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        commissioner,
      );
      paged.push(...page.items);
      cursor = page.next;
    } while (cursor);
    // Later pages and the repeated request reuse the remembered top-reason texts: same values.
    expect(paged).toEqual(whole.items);
    const reasons = whole.items.flatMap((i) => i.topReasons as string[]);
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) expect(r).toMatch(/^(Review: .+|.+ \(\+-?\d+(\.\d+)?\))$/);
    const stored: Array<{ childId: string; score: number; serviceScore: number; weeks: number }> =
      await t.db.query(
        `select cp.child_id as "childId", cp.score, rp.rank_score as "serviceScore", rp.weeks
           from referral_priority rp join child_priority cp on cp.child_id = rp.child_id
          where rp.service_code = 'slt'
          order by rp.band_rank, rp.neg_score, rp.neg_weeks, rp.referral_id`,
      );
    expect(
      whole.items.map((i) => ({
        childId: i.childId,
        score: i.score,
        serviceScore: i.serviceScore,
        weeks: i.weeksWaited,
      })),
    ).toEqual(stored);

    // A cursor from another list (here the whole-child list's first page) never pages a service's
    // list, neither from its top again nor among another service's rows: it is refused.
    const children = await get('/api/ranked?limit=1', commissioner);
    const foreign = await request(t.http)
      .get(`/api/ranked?service=slt&limit=200&cursor=${children.next}`)
      .set(auth(commissioner))
      .expect(400);
    expect(foreign.body.code).toBe('prioritisation.cursor-of-another-list');
  });

  it("should show each child's waits as its referral scores stand, after a full and after a partial rescore", async () => {
    const stored = async () => {
      const rows: Array<{ childId: string; waits: unknown[] }> = await t.db.query(
        `select cp.child_id as "childId",
                coalesce((select json_agg(json_build_object('service', w.service_code, 'provider', w.provider_code,
                                                            'weeksWaited', w.weeks, 'score', w.rank_score)
                                          order by w.service_code collate "C", w.provider_code collate "C", w.referral_id)
                            from referral_priority w where w.child_id = cp.child_id), '[]') as waits
           from child_priority cp`,
      );
      return new Map(rows.map((r) => [r.childId, r.waits]));
    };
    const shown = async () => {
      const items = (await get('/api/ranked?limit=200', commissioner)).items;
      return new Map(items.map((i) => [i.childId as string, i.waits]));
    };
    const before = await shown();
    expect([...before.values()].some((w) => (w as unknown[]).length > 1)).toBe(true);
    expect(before).toEqual(await stored());

    // A new referral for one child: rescoring that child alone rewrites its waits with its scores.
    const [childId] = [...before.keys()];
    await insertReferral(t.db, childId, {
      service: 'community-paediatrics',
      provider: 'RXA',
      receivedDate: addDays(londonDate(), -7 * 30),
    });
    await t.app.get(RescoreService).rescoreChildren([childId], 'test');
    const after = await shown();
    expect((after.get(childId) as unknown[]).length).toBe(
      (before.get(childId) as unknown[]).length + 1,
    );
    expect(after.get(childId)).toContainEqual({
      service: 'community-paediatrics',
      provider: 'RXA',
      weeksWaited: 30,
      score: expect.any(Number),
    });
    expect(after).toEqual(await stored());
  });

  it('should show a clock nullified after a missed first appointment as null weeks, not 0, on both lists, in the same place', async () => {
    const today = londonDate();
    // Nullified (did not attend the first appointment, not rebooked): no clock start.
    const nullified = await insertChild(t.db, { locality: 'Nullfield' });
    const nullifiedReferral = await insertReferral(t.db, nullified.id, {
      receivedDate: addDays(today, -7 * 40),
      clockStartDate: null,
    });
    // The same, with a timed wait for another service: the child's longest wait is that one.
    const mixed = await insertChild(t.db, { locality: 'Nullfield' });
    await insertReferral(t.db, mixed.id, {
      receivedDate: addDays(today, -7 * 40),
      clockStartDate: null,
    });
    await insertReferral(t.db, mixed.id, {
      service: 'neurodiversity',
      provider: 'RXA',
      receivedDate: addDays(today, -7 * 6 - 3),
    });
    // Referred today: a real wait of 0 completed weeks stays 0.
    const justReferred = await insertChild(t.db, { locality: 'Nullfield' });
    await insertReferral(t.db, justReferred.id, { receivedDate: today });
    await t.app
      .get(RescoreService)
      .rescoreChildren([nullified.id, mixed.id, justReferred.id], 'test');

    const children = (await get('/api/ranked?locality=Nullfield', commissioner)).items;
    const byChild = new Map(children.map((i) => [i.childId, i]));
    expect(byChild.get(nullified.id)).toMatchObject({
      weeksWaited: null,
      waits: [{ service: 'slt', provider: 'RYB', weeksWaited: null, score: expect.any(Number) }],
    });
    expect(byChild.get(mixed.id)).toMatchObject({ weeksWaited: 6 });
    expect(byChild.get(mixed.id)?.waits).toContainEqual(
      expect.objectContaining({ service: 'slt', weeksWaited: null }),
    );
    expect(byChild.get(justReferred.id)).toMatchObject({ weeksWaited: 0 });

    // The service's list: the nullified referral shows null weeks, and the list's order is the
    // stored rank order (a nullified wait ranks as before: after every timed wait of its score).
    const slt = (await get('/api/ranked?service=slt&limit=200', clinician)).items;
    const row = slt.find((i) => i.childId === nullified.id);
    expect(row).toMatchObject({ weeksWaited: null });
    const [{ weeks }] = await t.db.query(
      `select weeks from referral_priority where referral_id = $1`,
      [nullifiedReferral],
    );
    expect(weeks).toBeNull();
    const order: Array<{ childId: string }> = await t.db.query(
      `select child_id as "childId" from referral_priority where service_code = 'slt' order by rank_key, referral_id`,
    );
    expect(slt.map((i) => i.childId)).toEqual(order.map((r) => r.childId));
    const ordered: Array<{ childId: string }> = await t.db.query(
      `select child_id as "childId" from child_priority where locality = 'Nullfield' order by rank_key, child_id`,
    );
    expect(children.map((i) => i.childId)).toEqual(ordered.map((r) => r.childId));
    // A minimum wait never matches a wait that cannot be timed.
    const longWaits = (await get('/api/ranked?service=slt&minWeeks=1&limit=200', commissioner))
      .items;
    expect(longWaits.map((i) => i.childId)).not.toContain(nullified.id);
  });
});

/**
 * A keyset page must walk a rank index from the cursor and stop at the page's end, whatever the
 * list's size (a service's list joins each referral to its child's score by the child's id). The
 * pages run as prepared statements on their generic plans; on a list of 20,000 children those plans
 * once fetched and sorted every row after the cursor instead (the planner took a commissioner's
 * providers, a clinician's services or a flag to match 1% of children), 10-27 ms of PostgreSQL a
 * page instead of 0.6. Asked here of PostgreSQL itself: EXPLAIN (GENERIC_PLAN).
 */
describe('GET /api/ranked: pages of a 20,000-child list walk the rank index', () => {
  let t: TestApp;
  const cursor: RankedFilter['after'] = [
    rankKey(0, 1, -80, -12),
    '80000000-0000-4000-8000-000000000000',
  ];

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    // Scores as a rescore leaves them: written by the owner (the app's role cannot), then analysed.
    await asOwner(t.db, async (runner) => {
      await runner.query(`
        insert into child_priority (child_id, pseudonym, tool_version_id, run_id, as_at, score, tool_band,
               band, band_rank, overridden, review, flagged, neg_score, max_weeks, neg_weeks, service_count,
               services, providers, locality, flags, flag_details, child_points, referral_points,
               factor_points, triggers, problems, top_reasons, waits, rank_key)
        select gen_random_uuid(), 'WW-' || i, '00000000-0000-4000-8000-000000000001',
               '00000000-0000-4000-8000-000000000002', current_date, 40 + i % 160, 'P' || (1 + i % 4),
               'P' || (1 + i % 4), i % 4, false, false, false, -(40 + i % 160), i % 80, -(i % 80),
               1 + i % 3, case i % 3 when 0 then array['slt'] when 1 then array['slt', 'neurodiversity'] else array['mental-health'] end,
               case i % 3 when 0 then array['RXA'] when 1 then array['RYB'] else array['RXA', 'RYB'] end,
               (array['Eastfield', 'Riverside', 'Northgate', 'Southbank', 'Westmoor'])[1 + i % 5],
               case when i % 7 = 0 then array['ehcp'] else '{}' end, '{}', 0, 0, '', '', '', '', '[]',
               priority_rank_key(0, i % 4, -(40 + i % 160), -(i % 80))
          from generate_series(1, 20000) i`);
      // Each child's referrals, one per service it waits for, ranked as the child is.
      await runner.query(`
        insert into referral_priority (referral_id, child_id, service_code, provider_code, priority,
               target_weeks, weeks, points, rank_score, band_rank, neg_score, neg_weeks, factor_points,
               service_number, rank_key)
        select gen_random_uuid(), cp.child_id, s.code, cp.providers[1], 'routine', 18, cp.max_weeks, 0,
               cp.score, cp.band_rank, cp.neg_score, cp.neg_weeks, '', s.number,
               priority_rank_key(s.number, cp.band_rank, cp.neg_score, cp.neg_weeks)
          from child_priority cp cross join lateral unnest(cp.services) as w(code)
          join service s on s.code = w.code`);
      await runner.query(`analyze child_priority`);
      await runner.query(`analyze referral_priority`);
    });
  });
  afterAll(async () => {
    await resetData(t.db);
    await t.close();
  });

  const childList = ['child_priority: Index Scan using ix_child_priority_rank'];
  const serviceList = [
    'referral_priority: Index Scan using ix_referral_priority_rank',
    'child_priority: Index Scan using child_priority_pkey',
  ];
  const lists: Array<[string, Omit<RankedFilter, 'limit'>, string[]]> = [
    [
      "a commissioner's deep page (their ICB's providers)",
      { anyOfProviders: ['RXA', 'RYB'], after: cursor },
      childList,
    ],
    [
      "a commissioner's first page, filtered by locality and multiple needs",
      { anyOfProviders: ['RXA', 'RYB'], locality: 'Eastfield', multiNeed: true },
      childList,
    ],
    [
      "a clinician's deep page of all their services",
      { anyOfServices: ['slt'], after: cursor },
      childList,
    ],
    ['a deep page filtered by a flag', { flag: 'ehcp', after: cursor }, childList],
    ['a deep page filtered by one provider', { provider: 'RYB', after: cursor }, childList],
    ["a deep page of one service's list", { service: 'slt', after: cursor }, serviceList],
    [
      "a commissioner's deep page of one service's list",
      { service: 'slt', anyOfProviders: ['RXA', 'RYB'], after: cursor },
      serviceList,
    ],
    [
      "a deep page of one service's list filtered by a flag",
      { service: 'slt', flag: 'ehcp', after: cursor },
      serviceList,
    ],
  ];

  // As RankedService does: the service's number from the catalogue mirrored at start-up.
  const withNumber = <T extends Omit<RankedFilter, 'limit'>>(filter: T): T =>
    filter.service
      ? { ...filter, serviceNumber: t.app.get(CatalogueService).serviceNumber(filter.service) }
      : filter;

  it.each(lists)('%s', async (_what, filter, reads) => {
    const { text } = rankedPageQuery({ ...withNumber(filter), limit: 51 });
    const [{ 'QUERY PLAN': plan }] = await t.db.query<
      Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>
    >(`explain (generic_plan, format json) ${text}`);
    const nodes = planNodes(plan[0].Plan);
    expect(
      nodes
        .filter((n) => n['Relation Name']?.endsWith('_priority'))
        .map((n) => `${n['Relation Name']}: ${n['Node Type']} using ${n['Index Name'] ?? '-'}`),
    ).toEqual(reads);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    // A page's referrals almost never share a child: a cache of child scores only costs.
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Memoize');
  });

  // A cursor near the head of a list: with its values in view, the planner priced each page's own
  // plan below the generic one and planned every deep page anew (0.3-0.6 ms of PostgreSQL a page).
  const nearTop: RankedFilter['after'] = [
    rankKey(0, 0, -190, -70),
    '00000000-0000-4000-8000-000000000000',
  ];
  let statements = 0;
  it.each([
    [
      "a clinician's deep page of one service's list, with identity",
      { service: 'slt', identity: true },
    ],
    ["a commissioner's deep page", { anyOfProviders: ['RXA', 'RYB'] }],
  ] as Array<[string, Omit<RankedFilter, 'limit' | 'after'>]>)(
    '%s settles on its generic plan when paging from the top',
    async (_what, filter) => {
      const { text, values } = rankedPageQuery({
        ...withNumber(filter),
        after: nearTop,
        limit: 51,
      });
      const name = `plan_test_${++statements}`;
      const runner = t.db.createQueryRunner();
      try {
        const client = (await runner.connect()) as PoolClient;
        let rows = 0;
        for (let i = 0; i < 10; i++) {
          rows = (await client.query({ name, text, values })).rows.length;
        }
        const {
          rows: [plans],
        } = await client.query<{ generic: number; custom: number }>(
          `select generic_plans::int as generic, custom_plans::int as custom
             from pg_prepared_statements where name = $1`,
          [name],
        );
        await client.query(`deallocate ${name}`);
        expect(rows).toBe(51);
        // PostgreSQL tries five custom plans before it compares them with the generic one.
        expect(plans).toEqual({ generic: 5, custom: 5 });
      } finally {
        await runner.release();
      }
    },
  );
});
