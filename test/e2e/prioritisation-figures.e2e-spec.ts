import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import request from 'supertest';
import { addDays, londonDate } from '../../src/common/time/calendar-date.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { DEFAULT_TOOL } from '../utils/prioritisation-requests.js';
import { OTHER_ICB_PROVIDER, twoIcbCatalogue } from '../utils/two-icb-catalogue.js';
import {
  ALL_SERVICES,
  asOwner,
  createTestApp,
  resetData,
  type TestApp,
} from '../utils/test-app.js';

/** A provider another ICB (QAA) commissions, beside the default catalogue's QZZ providers. */
const OTHER = OTHER_ICB_PROVIDER;
const PROVIDERS = ['RXA', 'RYB', OTHER];
const LOCALITIES = ['Northbridge', 'Riverside', 'Eastfield', null];
const PRIORITIES = ['routine', 'soon', 'urgent', 'routine'];
const FLAGS = ['ehcp', 'child-in-care', 'not-in-school', 'safeguarding-concern'];

/**
 * The draft: the default tool's factors and triggers, with its bands renamed R1-R4 and new
 * thresholds (R1 >= 130, R2 >= 115, R3 >= 30). Its scores are the active tool's, so the draft band
 * of each child follows from the stored score and triggers alone.
 */
const DRAFT = DEFAULT_TOOL.replace(/code: P(\d)/g, 'code: R$1')
  .replace(/triggerBand: P1/g, 'triggerBand: R1')
  .replace('minScore: 100 ', 'minScore: 130 ')
  .replace('minScore: 70 ', 'minScore: 115 ')
  .replace('minScore: 40 ', 'minScore: 30 ');
const draftRank = (score: number, triggered: boolean) =>
  triggered ? 0 : score >= 130 ? 0 : score >= 115 ? 1 : score >= 30 ? 2 : 3;

interface Row {
  child_id: string;
  pseudonym: string;
  score: number;
  tool_band: string;
  band: string;
  overridden: boolean;
  flagged: boolean;
  triggered: boolean;
  locality: string | null;
  deprivation_decile: number | null;
  age: number;
}

type Movement = {
  key: string;
  children: number;
  movedUp: number;
  movedDown: number;
  unchanged: number;
};

/** The lower middle value when there is an even number (PostgreSQL's percentile_disc(0.5)). */
function lowerMedian(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.ceil(s.length / 2) - 1];
}

/**
 * Checks the what-if preview and the equity view against figures worked out here, independently,
 * from the inserted list and the live score tables read with SQL.
 */
describe("the preview's and the equity view's figures (HTTP into PostgreSQL)", () => {
  let t: TestApp;
  let dir: string;
  let admin: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const today = londonDate();

  beforeAll(async () => {
    let file: string;
    ({ dir, file } = twoIcbCatalogue('waitwell-figures-'));
    t = await createTestApp({ WAITWELL_CATALOGUE_FILE: file });
    admin = await t.tokenFor({ role: 'admin' });
    await resetData(t.db);

    // 40 children: services, providers, localities (one in four unknown), deciles 1-10 and missing,
    // ages 1-17, waits 0-95 weeks, some flags, one in five waiting for two services.
    for (let i = 0; i < 40; i++) {
      const locality = LOCALITIES[i % 4];
      const decile = i % 11 === 0 ? null : i % 11;
      const years = 1 + ((i * 7) % 17);
      const child = await insertChild(t.db, {
        dateOfBirth: addDays(today, -(years * 365 + 40)),
        locality: locality ?? undefined,
        deprivationDecile: decile ?? undefined,
        flags: i % 3 === 0 ? [{ code: FLAGS[(i / 3) % 4] }] : [],
      });
      if (locality === null || decile === null) {
        await asOwner(t.db, (runner) =>
          runner.query(
            `update child set locality = case when $2 then null else locality end,
                              deprivation_decile = case when $3 then null else deprivation_decile end
              where id = $1`,
            [child.id, locality === null, decile === null],
          ),
        );
      }
      await insertReferral(t.db, child.id, {
        service: ALL_SERVICES[i % 4],
        provider: PROVIDERS[i % 3],
        priority: PRIORITIES[i % 4],
        receivedDate: addDays(today, -((i * 13) % 96) * 7 - 2),
      });
      if (i % 5 === 0) {
        await insertReferral(t.db, child.id, {
          service: ALL_SERVICES[(i + 1) % 4],
          provider: PROVIDERS[(i + 1) % 3],
          priority: 'soon',
          receivedDate: addDays(today, -((i * 5) % 40) * 7 - 3),
        });
      }
    }
    // Two referrals in one service with providers of both ICBs, the first on a clock nullified by a
    // DNA (no weeks: in a QZZ commissioner's view this child is counted but has no wait to time).
    const twice = await insertChild(t.db, { deprivationDecile: 10, locality: 'Riverside' });
    await insertReferral(t.db, twice.id, { service: 'slt', provider: 'RYB', clockStartDate: null });
    await insertReferral(t.db, twice.id, {
      service: 'slt',
      provider: OTHER,
      receivedDate: addDays(today, -50 * 7),
    });
    // Waiting only on a nullified clock: counted everywhere, in no median.
    const untimed = await insertChild(t.db, { deprivationDecile: 10, locality: 'Riverside' });
    await insertReferral(t.db, untimed.id, {
      service: 'mental-health',
      provider: 'RXA',
      clockStartDate: null,
    });
    await request(t.http).post('/api/prioritisation/rescore').set(auth(admin)).expect(200);
    // One override: a child put in a band other than their tool band.
    const [target] = await t.db.query(
      `select child_id from child_priority where tool_band = 'P4' order by child_id limit 1`,
    );
    const clinician = await t.tokenFor({
      role: 'clinician',
      sub: 'clinician-figures',
      services: ALL_SERVICES,
    });
    await request(t.http)
      .put(`/api/children/${target.child_id}/priority/override`)
      .set(auth(clinician))
      .send({ band: 'P1', reason: 'Regression reported by school', reviewDate: addDays(today, 14) })
      .expect(200);
  });
  afterAll(async () => {
    await resetData(t.db);
    await asOwner(t.db, (runner) => runner.query(`delete from provider where code = $1`, [OTHER]));
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const liveRows = async (): Promise<Row[]> =>
    t.db.query(
      `select cp.child_id, cp.pseudonym, cp.score::float8 as score, cp.tool_band, cp.band,
              cp.overridden, cp.flagged, coalesce(cp.triggers::text not in ('{}', '[]', 'null', ''), false) as triggered,
              c.locality, c.deprivation_decile,
              date_part('year', age($1::date, c.date_of_birth))::int as age
         from child_priority cp join child c on c.id = cp.child_id
        order by cp.child_id`,
      [today],
    );
  const referrals = async (): Promise<
    Array<{ child_id: string; service: string; provider: string; weeks: number | null }>
  > =>
    t.db.query(
      `select child_id, service_code as service, provider_code as provider, weeks
         from referral_priority`,
    );

  it('should report the moves, band sizes, groups and largest movers worked out here', async () => {
    const rows = await liveRows();
    const refs = await referrals();
    expect(rows).toHaveLength(42); // 40, the child waiting twice in SLT and the one on a nullified clock
    expect(rows.some((r) => r.overridden)).toBe(true);

    const cur = (r: Row) => Number(r.tool_band.slice(1)) - 1;
    const next = (r: Row) => draftRank(Number(r.score), r.triggered);
    const dir = (r: Row) =>
      cur(r) > next(r) ? 'movedUp' : cur(r) < next(r) ? 'movedDown' : 'unchanged';
    // The list is varied enough to test what it should: moves both ways, and by two bands.
    expect(rows.some((r) => next(r) - cur(r) === 2)).toBe(true);
    expect(rows.some((r) => dir(r) === 'movedUp')).toBe(true);

    const group = (keyOf: (r: Row) => string[]): Movement[] => {
      const m = new Map<string, Movement>();
      for (const r of rows) {
        for (const key of keyOf(r)) {
          const g = m.get(key) ?? { key, children: 0, movedUp: 0, movedDown: 0, unchanged: 0 };
          g.children++;
          g[dir(r)]++;
          m.set(key, g);
        }
      }
      return [...m.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
    };
    // A child waiting for two services counts once in each service (and each provider).
    const distinct = (r: Row, f: 'service' | 'provider') => [
      ...new Set(refs.filter((x) => x.child_id === r.child_id).map((x) => x[f])),
    ];
    const count = (rank: (r: Row) => number, codes: string[]) =>
      Object.fromEntries(codes.map((c, i) => [c, rows.filter((r) => rank(r) === i).length]));

    const res = await request(t.http)
      .post('/api/prioritisation/preview')
      .set(auth(admin))
      .send({ source: DRAFT })
      .expect(200);
    const body = res.body;
    expect(body).toMatchObject({
      children: rows.length,
      movedUp: rows.filter((r) => dir(r) === 'movedUp').length,
      movedDown: rows.filter((r) => dir(r) === 'movedDown').length,
      unchanged: rows.filter((r) => dir(r) === 'unchanged').length,
      flagged: {
        current: rows.filter((r) => r.flagged).length,
        proposed: rows.filter((r) => r.flagged).length,
      },
    });
    // Tool bands only: the overridden child counts in their tool band.
    expect(body.bandSizes).toEqual({
      current: count(cur, ['P1', 'P2', 'P3', 'P4']),
      proposed: count(next, ['R1', 'R2', 'R3', 'R4']),
    });
    expect(body.byService).toEqual(group((r) => distinct(r, 'service')));
    expect(body.byProvider).toEqual(group((r) => distinct(r, 'provider')));
    expect(body.byLocality).toEqual(group((r) => [r.locality ?? 'unknown']));
    expect(body.byDeprivationQuintile).toEqual(
      group((r) => [
        r.deprivation_decile === null ? 'unknown' : String(Math.ceil(r.deprivation_decile / 2)),
      ]),
    );
    // Largest movers: most bands moved, then (same scores here) pseudonym; at most 20.
    const movers = rows
      .filter((r) => cur(r) !== next(r))
      .map((r) => ({
        pseudonym: r.pseudonym,
        currentBand: r.tool_band,
        proposedBand: `R${next(r) + 1}`,
        currentScore: Number(r.score),
        proposedScore: Number(r.score),
        bandChange: cur(r) - next(r),
        scoreChange: 0,
      }))
      .sort(
        (a, b) =>
          Math.abs(b.bandChange) - Math.abs(a.bandChange) || (a.pseudonym < b.pseudonym ? -1 : 1),
      );
    // More movers than are listed, many of them level on bands moved and score change (ties).
    expect(movers.length).toBeGreaterThan(20);
    expect(body.largestMovers).toEqual(movers.slice(0, 20));
  });

  it('should compare a three-band draft with the four-band tool from the top band to the bottom', async () => {
    const rows = await liveRows();
    // Three bands: P1 (100+ or a trigger), P2 (70+) and P3 (everyone else).
    const three = DEFAULT_TOOL.replace('    minScore: 40 # P3 40-69\n', '').replace(
      '  - code: P4\n    label: Standard priority # P4 below 40\n',
      '',
    );
    const next = (r: Row) => (r.triggered || r.score >= 100 ? 0 : r.score >= 70 ? 1 : 2);
    // Positions scaled from the top (0) to the bottom (1): P4 and the lowest of three are level.
    const diff = (r: Row) => (Number(r.tool_band.slice(1)) - 1) / 3 - next(r) / 2;
    const dir = (r: Row) =>
      Math.abs(diff(r)) < 1e-9 ? 'unchanged' : diff(r) > 0 ? 'movedUp' : 'movedDown';
    const body = (
      await request(t.http)
        .post('/api/prioritisation/preview')
        .set(auth(admin))
        .send({ source: three })
        .expect(200)
    ).body;
    expect(rows.some((r) => r.tool_band === 'P4' && dir(r) === 'unchanged')).toBe(true);
    expect(body).toMatchObject({
      children: rows.length,
      movedUp: rows.filter((r) => dir(r) === 'movedUp').length,
      movedDown: rows.filter((r) => dir(r) === 'movedDown').length,
      unchanged: rows.filter((r) => dir(r) === 'unchanged').length,
    });
    expect(body.bandSizes.proposed).toEqual(
      Object.fromEntries(
        ['P1', 'P2', 'P3'].map((c, i) => [c, rows.filter((r) => next(r) === i).length]),
      ),
    );
  });

  const equityGroups = (
    rows: Array<Row & { weeks: number | null }>,
    keyOf: (r: Row) => string,
  ): Array<Record<string, unknown>> => {
    const m = new Map<string, Array<Row & { weeks: number | null }>>();
    for (const r of rows) m.set(keyOf(r), [...(m.get(keyOf(r)) ?? []), r]);
    return [...m.entries()].map(([key, rs]) => ({
      key,
      children: rs.length,
      bands: Object.fromEntries(
        ['P1', 'P2', 'P3', 'P4'].map((b) => [b, rs.filter((r) => r.band === b).length]),
      ),
      medianWeeksWaited: lowerMedian(rs.flatMap((r) => (r.weeks === null ? [] : [r.weeks]))),
      overridden: rs.filter((r) => r.overridden).length,
      overriddenPercent:
        Math.round((1000 * rs.filter((r) => r.overridden).length) / rs.length) / 10,
    }));
  };
  const ageGroup = (r: Row) =>
    r.age < 5 ? '0-4' : r.age < 11 ? '5-10' : r.age < 16 ? '11-15' : '16+';
  const unknownLast = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    const k = (x: unknown) => (x === 'unknown' ? '\uffff' : String(x));
    return k(a.key) < k(b.key) ? -1 : 1;
  };
  const AGE_ORDER = ['0-4', '5-10', '11-15', '16+'];

  it.each([
    ['an admin', null],
    ["QZZ's commissioner", 'QZZ'],
    ["QAA's commissioner", 'QAA'],
  ])('should give %s the equity figures worked out here', async (_who, icb) => {
    const all = await liveRows();
    const refs = await referrals();
    const scope = icb === null ? null : icb === 'QAA' ? [OTHER] : ['RXA', 'RYB'];
    const rows = all
      .map((r) => {
        const mine = refs.filter(
          (x) => x.child_id === r.child_id && (scope === null || scope.includes(x.provider)),
        );
        return {
          ...r,
          inScope: mine.length > 0,
          // Null when no wait in scope can be timed: counted, but not in the median.
          weeks: mine.some((x) => x.weeks !== null)
            ? Math.max(...mine.filter((x) => x.weeks !== null).map((x) => x.weeks as number))
            : null,
        };
      })
      .filter((r) => r.inScope);
    expect(rows.length).toBeGreaterThan(5);
    if (scope) expect(rows.length).toBeLessThan(all.length);
    const token =
      icb === null
        ? admin
        : await t.tokenFor({ role: 'commissioner', sub: `c-${icb}`, commissioner: icb });
    const body = (
      await request(t.http).get('/api/prioritisation/equity').set(auth(token)).expect(200)
    ).body;
    expect(body.bands).toEqual(['P1', 'P2', 'P3', 'P4']);
    expect(body.overall).toEqual(equityGroups(rows, () => 'all')[0]);
    // Some groups have an even number of children: their median is the lower middle value.
    expect(
      [body.overall, ...body.byLocality, ...body.byAgeGroup, ...body.byDeprivationQuintile].some(
        (g: { children: number }) => g.children % 2 === 0 && g.children > 1,
      ),
    ).toBe(true);
    expect(body.byDeprivationQuintile).toEqual(
      equityGroups(rows, (r) =>
        r.deprivation_decile === null ? 'unknown' : String(Math.ceil(r.deprivation_decile / 2)),
      ).sort(unknownLast),
    );
    expect(body.byAgeGroup).toEqual(
      equityGroups(rows, ageGroup).sort(
        (a, b) => AGE_ORDER.indexOf(String(a.key)) - AGE_ORDER.indexOf(String(b.key)),
      ),
    );
    expect(body.byLocality).toEqual(
      equityGroups(rows, (r) => r.locality ?? 'unknown').sort(unknownLast),
    );
    // The overridden child counts in the band shown.
    expect(all.filter((r) => r.overridden).every((r) => r.band !== r.tool_band)).toBe(true);
  });
});
