import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../database/data-source-options.js';
import { testDatabaseUrl } from '../../../test/utils/test-database.js';
import { insertChild, insertReferral } from '../../../test/factories/waiting-list.factory.js';
import { asOwner, createTestApp, resetData, type TestApp } from '../../../test/utils/test-app.js';
import { demoNhsNumber } from '../../demo/demo-generator.js';
import {
  type ChildRow,
  factsQuery,
  LEFT_LISTS_QUERY,
  PriorityWriter,
  RescoreRepository,
  splitIds,
} from './rescore.repository.js';
import { RescoreScheduler } from './rescore.scheduler.js';
import { RescoreService } from './rescore.service.js';
import { rankKey } from './rank-key.js';
import { type PlanNode, planNodes } from '../../../test/utils/query-plans.js';

const SCORES = `select child_id, score, band, band_rank, neg_score, services, providers, flags, factor_points, top_reasons
                  from child_priority order by child_id`;
const REFERRAL_SCORES = `select referral_id, child_id, service_code, points, rank_score, neg_score, neg_weeks, weeks, factor_points
                           from referral_priority order by referral_id`;
const HISTORY = `select child_id, run_id, score, band from child_priority_history order by id`;
const IDLE_STATE = `select (select count(*)::int from child_priority_idle) as children,
                           (select count(*)::int from referral_priority_idle) as referrals,
                           (select coalesce(array_agg(indexname::text order by indexname), '{}') from pg_indexes
                             where tablename in ('child_priority_idle', 'referral_priority_idle')) as idle_indexes,
                           (select array_agg(indexname::text order by indexname) from pg_indexes
                             where tablename in ('child_priority', 'referral_priority')) as live_indexes`;

/**
 * A full rescore fills the idle pair of score tables on connections of their own and swaps it in
 * (docs/prioritisation.md "Storage"): a run that failed after filling and indexing the idle pair must
 * leave nothing behind that the next full rescore would trip over or swap in.
 */
describe('Full rescore into the idle score tables', () => {
  let t: TestApp;
  let rescore: RescoreService;

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    rescore = t.app.get(RescoreService);
    const services = ['slt', 'neurodiversity', 'community-paediatrics'];
    for (let i = 0; i < 6; i++) {
      const child = await insertChild(t.db, { deprivationDecile: 1 + i });
      for (let j = 0; j <= i % 3; j++) {
        await insertReferral(t.db, child.id, {
          service: services[j],
          priority: i % 2 ? 'urgent' : 'routine',
          receivedDate: `2026-0${1 + i}-1${j}`,
        });
      }
    }
  });

  afterAll(async () => {
    await t.close();
  });

  it('should swap in complete scores after a failed run left the idle pair filled and indexed', async () => {
    const first = await rescore.rescoreAll('test');
    const children: unknown[] = await t.db.query(SCORES);
    const referrals: unknown[] = await t.db.query(REFERRAL_SCORES);
    expect(children).toHaveLength(6);
    expect(referrals).toHaveLength(12);

    // What a run that failed after its idle-table transactions committed leaves: rows and indexes.
    await t.db.query(`select priority_idle_reset('child'), priority_idle_reset('referral')`);
    await t.db.query(`insert into child_priority_idle select * from child_priority limit 2`);
    await t.db.query(`insert into referral_priority_idle select * from referral_priority limit 3`);
    await t.db.query(`select priority_idle_build('child'), priority_idle_build('referral')`);
    const [stray]: Array<{ idle_indexes: string[] }> = await t.db.query(IDLE_STATE);
    expect(stray.idle_indexes).toHaveLength(4);

    const second = await rescore.rescoreAll('test', first.asAt);
    expect(second.childrenScored).toBe(6);
    expect(second.referralsScored).toBe(12);
    expect(await t.db.query(SCORES)).toEqual(children);
    expect(await t.db.query(REFERRAL_SCORES)).toEqual(referrals);
    expect(await t.db.query(IDLE_STATE)).toEqual([
      {
        children: 0,
        referrals: 0,
        idle_indexes: [],
        live_indexes: [
          'child_priority_pkey',
          'ix_child_priority_rank',
          'ix_referral_priority_child',
          'ix_referral_priority_rank',
        ],
      },
    ]);
  });

  it('should refuse to swap in an idle pair whose indexes were not built', async () => {
    await expect(t.db.query(`select priority_scores_swap_built()`)).rejects.toThrow(
      'the idle score tables have not been built',
    );
  });

  it('should rescore in full when children wait without scores (as after a crash empties the unlogged tables)', async () => {
    const scheduler = t.app.get(RescoreScheduler);
    const before: unknown[] = await t.db.query(SCORES);
    expect(before).toHaveLength(6);
    expect(await scheduler.restoreLostScores()).toBe(false);

    const [{ relpersistence }]: Array<{ relpersistence: string }> = await t.db.query(
      `select string_agg(relpersistence::text, '' order by relname) as relpersistence from pg_class
        where relname in ('child_priority', 'referral_priority', 'child_priority_idle', 'referral_priority_idle')`,
    );
    expect(relpersistence).toBe('uuuu');
    const history: unknown[] = await t.db.query(HISTORY);
    // What crash recovery does to the unlogged tables: each is reset to empty.
    await asOwner(t.db, (r) =>
      r.query(`truncate child_priority, referral_priority, priority_scores_present`),
    );
    // Meanwhile a ranked list says the scores are being rebuilt instead of showing no child.
    const token = await t.tokenFor({ role: 'commissioner' });
    const gone = await request(t.http)
      .get('/api/ranked')
      .set({ Authorization: `Bearer ${token}` })
      .expect(503);
    expect(gone.body.code).toBe('prioritisation.scores-rebuilding');
    expect(gone.body.detail).toMatch(/try again shortly/);

    expect(await scheduler.restoreLostScores()).toBe(true);
    const back = await request(t.http)
      .get('/api/ranked')
      .set({ Authorization: `Bearer ${token}` })
      .expect(200);
    expect(back.body.items).toHaveLength(6);
    expect(await t.db.query(SCORES)).toHaveLength(6);
    expect(await t.db.query(REFERRAL_SCORES)).toHaveLength(12);
    const [run]: Array<{ reason: string; kind: string; status: string }> = await t.db.query(
      `select reason, kind, status from priority_run order by started_at desc limit 1`,
    );
    expect(run).toEqual({ reason: 'scores lost', kind: 'full', status: 'completed' });
    // Same day, same facts: every child's score is as it was, so no history entry is new (the
    // scores before the run are read from the history, not taken as none).
    expect(await t.db.query(HISTORY)).toEqual(history);
    expect(await scheduler.restoreLostScores()).toBe(false);
  });

  it('should restore every score after a crash though an incremental rescore ran first, with history only where something changed', async () => {
    const scheduler = t.app.get(RescoreScheduler);
    const waiting: Array<{ child_id: string; routine: string | null }> = await t.db.query(
      `select child_id, min(id::text) filter (where priority = 'routine') as routine
         from referral where status = 'waiting' group by child_id order by child_id`,
    );
    expect(waiting).toHaveLength(6);
    const worse = waiting.find((w) => w.routine)!;
    const left = waiting.find((w) => w !== worse)!;
    const history: Array<{ child_id: string }> = await t.db.query(HISTORY);
    await asOwner(t.db, (r) =>
      r.query(`truncate child_priority, referral_priority, priority_scores_present`),
    );
    // While the scores are lost: one child's only referrals end, another's becomes urgent and an
    // import rescores that child alone before the minute's check finds the scores lost.
    await t.db.query(`update referral set status = 'discharged' where child_id = $1`, [
      left.child_id,
    ]);
    await t.db.query(`update referral set priority = 'urgent' where id = $1`, [worse.routine]);
    const changed = await rescore.rescoreChildren([worse.child_id], 'test');
    expect(changed?.childrenScored).toBe(1);
    expect(await t.db.query(`select child_id from child_priority`)).toEqual([
      { child_id: worse.child_id },
    ]);
    // The equity view's figures would be that one child's: it says the scores are being rebuilt.
    const token = await t.tokenFor({ role: 'commissioner' });
    const equity = await request(t.http)
      .get('/api/prioritisation/equity')
      .set({ Authorization: `Bearer ${token}` })
      .expect(503);
    expect(equity.body.code).toBe('prioritisation.scores-rebuilding');

    expect(await scheduler.restoreLostScores()).toBe(true);
    expect(await t.db.query(`select child_id from child_priority order by child_id`)).toEqual(
      waiting.filter((w) => w !== left).map((w) => ({ child_id: w.child_id })),
    );
    const after: Array<{ child_id: string; score: number | null }> = await t.db.query(HISTORY);
    // The urgent referral's child: one entry, from the incremental run; the child who left every
    // list: one empty entry, from the restore; nobody else.
    expect(after.slice(0, history.length)).toEqual(history);
    const added = after.slice(history.length);
    expect(added.map((h) => [h.child_id, h.score === null])).toEqual([
      [worse.child_id, false],
      [left.child_id, true],
    ]);

    // The later tests expect the six children as they were.
    await t.db.query(`update referral set status = 'waiting' where child_id = $1`, [left.child_id]);
    await t.db.query(`update referral set priority = 'routine' where id = $1`, [worse.routine]);
    await rescore.rescoreAll('test');
  });

  it('should leave the live scores as they were when a full rescore fails while its COPYs are open', async () => {
    const children: unknown[] = await t.db.query(SCORES);
    const [{ history }]: Array<{ history: number }> = await t.db.query(
      `select count(*)::int as history from child_priority_history`,
    );
    const original = PriorityWriter.prototype.copyBatch;
    const spy = jest
      .spyOn(PriorityWriter.prototype, 'copyBatch')
      .mockImplementation(async function (this: PriorityWriter, ...args) {
        await original.apply(this, args);
        throw new Error('lost the connection mid-run');
      });
    try {
      // A new as-at date: every child's score changes, so history lines are being written too.
      await expect(rescore.rescoreAll('test', '2027-06-01')).rejects.toThrow(
        'lost the connection mid-run',
      );
    } finally {
      spy.mockRestore();
    }
    expect(await t.db.query(SCORES)).toEqual(children);
    expect(await t.db.query(`select count(*)::int as history from child_priority_history`)).toEqual(
      [{ history }],
    );
    const [idle]: Array<{ children: number; referrals: number }> = await t.db.query(IDLE_STATE);
    expect([idle.children, idle.referrals]).toEqual([0, 0]);
    const [run]: Array<{ status: string }> = await t.db.query(
      `select status from priority_run order by started_at desc limit 1`,
    );
    expect(run.status).toBe('failed');
    // The connections went back to the pool usable: the next full rescore completes.
    const next = await rescore.rescoreAll('test', '2027-06-01');
    expect(next.childrenScored).toBe(6);
  });

  it.each([
    ['an incremental', (ids: string[]) => rescore.rescoreChildren(ids, 'test')],
    // The nightly run: a child whose incremental rescore failed leaves the lists in a full one.
    ['a full', () => rescore.rescoreAll('test')],
  ])(
    'should end the history of a child who left every list with an empty entry in %s rescore',
    async (_kind, run) => {
      const child = await insertChild(t.db, { deprivationDecile: 4 });
      const referralId = await insertReferral(t.db, child.id, {
        service: 'slt',
        receivedDate: '2026-02-02',
      });
      const scored = (await run([child.id]))!;
      expect(scored.childrenRemoved).toBe(0);

      await t.db.query(`update referral set status = 'discharged' where id = $1`, [referralId]);
      const left = (await run([child.id]))!;
      expect(left.childrenRemoved).toBe(1);
      expect(
        await t.db.query(`select 1 from child_priority where child_id = $1`, [child.id]),
      ).toEqual([]);
      const history: Array<{ run_id: string; score: number | null; band: string | null }> =
        await t.db.query(
          `select run_id, score, band from child_priority_history where child_id = $1 order by id`,
          [child.id],
        );
      expect(history).toEqual([
        { run_id: scored.runId, score: expect.any(Number), band: expect.any(String) },
        { run_id: left.runId, score: null, band: null },
      ]);
      // Once gone, the child is not closed again.
      expect((await run([child.id]))?.childrenRemoved ?? 0).toBe(0);
    },
  );

  it('should close the connection of a facts reader stopped before the end, and keep the pool usable', async () => {
    const repository = t.app.get(RescoreRepository);
    // A run that fails before reading its facts to the end (here: before reading any).
    const stopped = await repository.openFacts('2026-11-25', null, 1 << 20);
    await stopped.close();
    // The same for a read in two parts, one of them stopped after its first batch.
    const split = await repository.openFacts('2026-11-25', null, 1 << 10, 2);
    expect(await split.nextBatch()).not.toBeNull();
    await split.close();
    // Every pooled connection still answers (none was returned mid-COPY).
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => t.db.query(`select 1 as ok`)),
    );
    expect(answers.flat()).toEqual(Array.from({ length: 12 }, () => ({ ok: 1 })));
    const all = await repository.openFacts('2026-11-25', null, 1 << 20);
    let rows = 0;
    for (let batch = await all.next(); batch; batch = await all.next()) rows += batch.length;
    await all.close();
    expect(rows).toBe(6); // the child who left is not among them
  });

  it("should give each referral its service's target and number from the service table as it was when the read began", async () => {
    const repository = t.app.get(RescoreRepository);
    const table = await t.db.query<Array<{ code: string; targetWeeks: number; number: number }>>(
      `select code, target_weeks as "targetWeeks", number from service order by code`,
    );
    const facts = await repository.openFacts('2026-11-25', null, 1 << 10, 2);
    // Changed after the read began: the facts keep the snapshot's target.
    await asOwner(t.db, (runner) =>
      runner.query(`update service set target_weeks = target_weeks + 10 where code = 'slt'`),
    );
    try {
      const referrals: Array<{ service: string; targetWeeks: number; number: number }> = [];
      for (let batch = await facts.next(); batch; batch = await facts.next()) {
        for (const row of batch) {
          row.facts.referrals.forEach((r, i) =>
            referrals.push({
              service: r.service,
              targetWeeks: r.targetWeeks,
              number: row.serviceNumbers[i],
            }),
          );
        }
      }
      expect(referrals.length).toBeGreaterThan(0);
      expect(referrals.some((r) => r.service === 'slt')).toBe(true);
      const byCode = new Map(table.map((x) => [x.code, x]));
      for (const r of referrals) {
        expect(r).toEqual({
          service: r.service,
          targetWeeks: byCode.get(r.service)!.targetWeeks,
          number: byCode.get(r.service)!.number,
        });
      }
      expect([...facts.services].map(([code, x]) => ({ code, ...x }))).toEqual(
        expect.arrayContaining(table),
      );
    } finally {
      await facts.close();
      await asOwner(t.db, (runner) =>
        runner.query(`update service set target_weeks = target_weeks - 10 where code = 'slt'`),
      );
    }
  });

  it('should read the same facts in ranges of child ids as in one piece, and not a child who starts waiting after the read began', async () => {
    const repository = t.app.get(RescoreRepository);
    const read = async (parts: number) => {
      const facts = await repository.openFacts('2026-11-25', null, 1 << 10, parts);
      const rows: ChildRow[] = [];
      for (let batch = await facts.next(); batch; batch = await facts.next()) rows.push(...batch);
      await facts.close();
      // A child's referrals come in no particular order (scoring does not depend on it).
      return rows
        .map((row) => {
          const referrals = [...row.facts.referrals].sort((a, b) =>
            a.referralId.localeCompare(b.referralId),
          );
          const serviceNumbers = [...row.serviceNumbers].sort((a, b) => a - b);
          return JSON.stringify({ ...row, facts: { ...row.facts, referrals }, serviceNumbers });
        })
        .sort();
    };
    const whole = await read(1);
    expect(whole).toHaveLength(6);
    expect(await read(2)).toEqual(whole);
    expect(await read(3)).toEqual(whole);

    // A child who starts waiting after the read began, in the last range (read by the connection
    // that imports the first one's snapshot), is not among them.
    const split = await repository.openFacts('2026-11-25', null, 1 << 10, 2);
    const late = await insertChild(t.db);
    const lateId = 'ffffffff-ffff-4fff-8fff-ffffffffffff';
    await t.db.query(`update child set id = $1 where id = $2`, [lateId, late.id]);
    await insertReferral(t.db, lateId, { service: 'slt', receivedDate: '2026-03-01' });
    const ids: string[] = [];
    for (let batch = await split.next(); batch; batch = await split.next()) {
      ids.push(...batch.map((row) => row.facts.childId));
    }
    await split.close();
    const before = whole.map((row) => (JSON.parse(row) as ChildRow).facts.childId);
    expect(before).toHaveLength(6);
    expect(before).not.toContain(lateId);
    expect(ids.sort()).toEqual(before);
    expect((await read(2)).length).toBe(7); // a read that starts now sees that child
  });

  it('should leave the score tables analysed, with no changes counted since, so autovacuum does not analyse them again', async () => {
    // PostgreSQL passes a connection's counts of written rows to its statistics at most once a
    // second: wait that long, as a full rescore at any real size does between its COPY and analyse.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await rescore.rescoreAll('test');
    const stats: Array<{ relname: string; changed: number; analysed: boolean }> = await t.db.query(
      `select relname, n_mod_since_analyze::int as changed, last_analyze is not null as analysed
         from pg_stat_user_tables where relname in ('child_priority', 'referral_priority') order by relname`,
    );
    expect(stats).toEqual([
      { relname: 'child_priority', changed: 0, analysed: true },
      { relname: 'referral_priority', changed: 0, analysed: true },
    ]);
  });

  it("should give the rules each child's age as PostgreSQL's age() counts it, and none for a birth date after the run's date", async () => {
    const births = [
      '2016-02-29',
      '2020-11-26',
      '2020-11-25',
      '2026-12-01',
      '2010-01-31',
      '2019-03-31',
    ];
    await t.db.query(
      `update child c set date_of_birth = b.born::date
         from (select id, row_number() over (order by id) as n from child
                where id in (select child_id from referral where status = 'waiting')) k
         join unnest($1::text[]) with ordinality as b(born, n) on b.n = k.n
        where c.id = k.id`,
      [births],
    );
    await rescore.rescoreAll('test', '2026-11-25');
    const ages: Array<{
      born: string;
      years: number | null;
      months: number | null;
      pg: number | null;
    }> = await t.db.query(
      `select to_char(c.date_of_birth, 'YYYY-MM-DD') as born, cp.age_years as years, cp.age_months as months,
                case when c.date_of_birth <= '2026-11-25' then
                  (date_part('year', age('2026-11-25', c.date_of_birth)) * 12
                   + date_part('month', age('2026-11-25', c.date_of_birth)))::int end as pg
           from child_priority cp join child c on c.id = cp.child_id order by c.date_of_birth`,
    );
    expect(ages.map((a) => a.born)).toEqual(expect.arrayContaining(births));
    for (const a of ages) {
      expect([a.born, a.months]).toEqual([a.born, a.pg]);
      expect([a.born, a.years]).toEqual([a.born, a.pg === null ? null : Math.floor(a.pg / 12)]);
    }
    expect(ages.find((a) => a.born === '2016-02-29')).toMatchObject({ years: 10, months: 128 });
    expect(ages.find((a) => a.born === '2026-12-01')).toMatchObject({ years: null, months: null });
  });

  it('should read dates of birth whatever date style the server writes dates in', async () => {
    const options = dataSourceOptions(testDatabaseUrl());
    const ds = new DataSource({
      ...options,
      extra: { ...options.extra, max: 2, options: '-c datestyle=SQL,DMY' },
    });
    await ds.initialize();
    try {
      const [style]: Array<{ date: string }> = await ds.query(
        `select '2016-02-29'::date::text as date`,
      );
      expect(style.date).toBe('29/02/2016'); // what the facts query would otherwise have sent
      const facts = await new RescoreRepository(ds).openFacts('2026-11-25', null, 1 << 10, 2);
      const ages: Array<[number | null, number | null]> = [];
      for (let batch = await facts.next(); batch; batch = await facts.next()) {
        ages.push(
          ...batch.map(
            (row) => [row.facts.ageYears, row.facts.ageMonths] as [number | null, number | null],
          ),
        );
      }
      await facts.close();
      expect(ages).toContainEqual([10, 128]); // born 29 February 2016
      expect(ages).toContainEqual([null, null]); // born after the run's date
    } finally {
      await ds.destroy();
    }
  });

  it("should write rank keys that PostgreSQL's priority_rank_key gives for the same service, band, score and wait", async () => {
    await rescore.rescoreAll('test', '2026-11-25');
    const [counts]: Array<{ children: number; referrals: number; differ: number }> =
      await t.db.query(
        `select (select count(*)::int from child_priority) as children,
              (select count(*)::int from referral_priority) as referrals,
              (select count(*)::int from child_priority
                where rank_key <> priority_rank_key(0, band_rank, neg_score, neg_weeks))
            + (select count(*)::int from referral_priority
                where rank_key <> priority_rank_key(service_number, band_rank, neg_score, neg_weeks)) as differ`,
      );
    expect(counts.children).toBeGreaterThan(0);
    expect(counts.referrals).toBeGreaterThan(counts.children);
    expect(counts.differ).toBe(0);
  });

  it('should give the same rank keys in Node and in SQL at the edges: not a number, infinite, beyond the room, float noise', async () => {
    const places: Array<[number, number, number, number]> = [
      [0, 0, 0, 0],
      [1, 3, -0, 1],
      [2, 1, 0 - (0.1 + 0.2), -3],
      [2, 1, -0.3, -3],
      [4, 2, 12.5, -52],
      [3, 0, -214_748_364.8, -32_768],
      [3, 0, -1e12, -40_000],
      [3, 0, 1e12, 40_000],
      [127, 255, Number.NaN, 32_767],
      [5, 1, Number.POSITIVE_INFINITY, 0],
      [5, 1, Number.NEGATIVE_INFINITY, 0],
    ];
    const rows: Array<{ key: string }> = await t.db.query(
      `select priority_rank_key(s, b, n, w)::text as key
         from unnest($1::int[], $2::int[], $3::float8[], $4::int[]) with ordinality as x(s, b, n, w, i)
        order by i`,
      [0, 1, 2, 3].map((c) =>
        places.map((p) =>
          Number.isNaN(p[c])
            ? 'NaN'
            : p[c] === Infinity
              ? 'Infinity'
              : p[c] === -Infinity
                ? '-Infinity'
                : p[c],
        ),
      ),
    );
    expect(rows.map((r) => r.key)).toEqual(places.map((p) => rankKey(...p)));
  });
});

/**
 * A full rescore's facts group each child's open referrals. Read from the referral table, they had
 * to be sorted by child first (877,429 referrals at the benchmark's size) before the first child's
 * facts could go out; the index of referrals by child carries the columns the facts read (migration
 * CoverReferralFactsInChildIndex), so PostgreSQL can read them from it, in child order, with no
 * sort. At the benchmark's size it does so by itself (docs/prioritisation.md, "Twelfth session");
 * at this test's 40,000 referrals reading the table and sorting is cheaper and it rightly does that,
 * so the test leaves it only index scans and checks that the facts are read from this index alone,
 * in child order: a column added to the facts but not to the index would fail it (as the narrow
 * index of child ids before the migration does). The same holds for the child's columns and its
 * previous score, read from the primary keys of `child` and `child_priority` (migration
 * CoverRescoreFactsInPrimaryKeys; "Sixteenth session").
 */
describe('Full rescore facts: read by child from indexes alone', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    const used = new Set<string>();
    const nhsNumbers = Array.from({ length: 20_000 }, (_, i) => demoNhsNumber(i, used));
    await asOwner(t.db, async (runner) => {
      // Committed durably (the test server commits asynchronously): until its commit is on disk a
      // row cannot be marked visible to all, and vacuum would leave the visibility map empty.
      await runner.query(`begin`);
      await runner.query(`set local synchronous_commit = on`);
      await runner.query(
        `insert into child (nhs_number, pseudonym, date_of_birth)
         select n, 'WW-PLAN-' || i, date '2016-01-01' + (i % 2000)::int
           from unnest($1::text[]) with ordinality as x(n, i)`,
        [nhsNumbers],
      );
      // Two referrals a child, about one in ten closed.
      await runner.query(`
        insert into referral (child_id, service_code, provider_code, source_id, source_referral_id,
                              received_date, priority, status, clock_start_date)
        select c.id, s.code, 'RXA', 'plan-test', c.pseudonym || '-' || s.code, date '2026-01-01',
               'routine', case when s.n % 10 = 0 then 'discharged' else 'waiting' end, date '2026-01-01'
          from child c
          join lateral (select code, row_number() over (order by code) + hashtext(c.pseudonym) as n
                          from service order by code limit 2) s on true`);
      await runner.query(`commit`);
      await runner.query(`vacuum analyze referral`);
      await runner.query(`vacuum analyze child`);
    });
    // The previous scores the facts read (a nightly rescore's case): written frozen, so visible to all.
    await t.app.get(RescoreService).rescoreAll('test', '2026-11-25');
  });
  afterAll(async () => {
    await resetData(t.db);
    await t.close();
  });

  // The ranges openFacts reads: one piece (incremental rescores, previews), or FACTS_PARTS (two).
  const [firstHalf, lastHalf] = splitIds(2);
  it.each([
    ['one piece', splitIds(1)[0]],
    ['the first of two ranges of child ids', firstHalf],
    ['the last of two ranges of child ids', lastHalf],
  ])(
    'should read the open referrals, the child and its previous score in %s with index-only scans and no sort',
    async (_what, range) => {
      const plan = await t.db.transaction(async (m) => {
        // As openFacts sets it for the facts query.
        await m.query(`set local work_mem = '256MB'`);
        // Index scans only: of those, reading the facts from this index alone, in child order, is
        // the cheapest, if the index holds every column they read.
        await m.query(`set local enable_seqscan = off`);
        await m.query(`set local enable_bitmapscan = off`);
        const [{ 'QUERY PLAN': json }] = await m.query<
          Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>
        >(`explain (format json) ${factsQuery(`'2026-11-25'`, null, range)}`);
        return json[0].Plan;
      });
      const nodes = planNodes(plan);
      const referralReads = nodes.filter((n) => n['Relation Name'] === 'referral');
      expect(referralReads.map((n) => `${n['Node Type']} using ${n['Index Name']}`)).toEqual([
        'Index Only Scan using ix_referral_child_facts',
      ]);
      // The child's own columns and its previous score come from the primary keys alone too
      // (migration CoverRescoreFactsInPrimaryKeys): a column added to the facts but not to a key
      // would make it read the table.
      const reads = (table: string) =>
        nodes
          .filter((n) => n['Relation Name'] === table)
          .map((n) => `${n['Node Type']} using ${n['Index Name']}`);
      expect(reads('child')).toEqual(['Index Only Scan using child_pkey']);
      expect(reads('child_priority')).toEqual(['Index Only Scan using child_priority_pkey']);
      const sortsOfReferrals = nodes.filter(
        (n) =>
          n['Node Type'] === 'Sort' && planNodes(n).some((x) => x['Relation Name'] === 'referral'),
      );
      expect(sortsOfReferrals).toEqual([]);
    },
  );

  it("should find the children who left every list from the two score tables' indexes alone, in one process", async () => {
    // The idle pair as a full rescore leaves it before the swap: filled (frozen), keyed, analysed.
    await asOwner(t.db, async (runner) => {
      await runner.query(`select priority_idle_reset('child')`);
      await runner.query(
        `insert into child_priority_idle select * from child_priority where child_id::text > '1'`,
      );
      await runner.query(`vacuum (freeze) child_priority_idle`);
      await runner.query(`select priority_idle_build('child')`);
    });
    try {
      const plan = await t.db.transaction(async (m) => {
        // As PriorityWriter sets it before the query.
        await m.query(`set local max_parallel_workers_per_gather = 0`);
        const [{ 'QUERY PLAN': json }] = await m.query<
          Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>
        >(`explain (format json) ${LEFT_LISTS_QUERY}`);
        return json[0].Plan;
      });
      // Both score tables read from an index alone (never the tables, 156 MB at 400,000 children),
      // in one process: at 400,000 children a merge of the two primary keys took 0.11 s, a
      // parallel hash anti join 0.38-0.49 s. (At this size PostgreSQL hashes the rank keys.)
      const nodes = planNodes(plan);
      expect(nodes.filter((n) => n['Relation Name']).map((n) => n['Node Type'])).toEqual([
        'Index Only Scan',
        'Index Only Scan',
      ]);
      expect(nodes.filter((n) => /Gather|Parallel/.test(n['Node Type']))).toEqual([]);
    } finally {
      await t.db.query(`select priority_idle_reset('child')`);
    }
  });
});
