import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { addDays, daysBetween } from '../../src/common/time/calendar-date.js';
import { Random } from '../../src/demo/prng.js';
import {
  clockAt,
  completedWaitDays,
  computeClockTimeline,
  type ClockEventInput,
} from '../../src/rtt-reporting/clock/rtt-clock.js';
import { rttWeekBand } from '../../src/rtt-reporting/clock/waits.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { insertPathway, type EventSpec } from './rtt-support.js';

const IMPORTS = [
  '2026-01-05T09:00:00.000Z',
  '2026-04-06T09:00:00.000Z',
  '2026-07-06T09:00:00.000Z',
];
const TYPES: Array<[string, number]> = [
  ['triaged', 3],
  ['appointment-booked', 3],
  ['appointment-attended', 4],
  ['appointment-cancelled', 2],
  ['dna', 4],
  ['rebooked', 3],
  ['treatment-started', 4],
  ['active-monitoring', 2],
  ['active-monitoring-ended', 2],
  ['decision-not-to-treat', 1],
  ['declined', 1],
  ['returned-to-primary-care', 1],
  ['discharged', 2],
  ['died', 1],
  ['re-referred', 2],
  ['removed-from-source', 1],
  ['referral-received', 1],
];

interface Generated {
  service: string;
  provider: string;
  events: Array<{ type: string; date: string; recordedAt: string; admitted: boolean; seq: number }>;
}

/** Random histories: back-dated events in later imports, odd orders, missing referrals. */
function generate(n: number, seed: number): Generated[] {
  const rnd = new Random(seed);
  const out: Generated[] = [];
  const pairs = [
    ['slt', 'RYB'],
    ['slt', 'RXA'],
    ['neurodiversity', 'RXA'],
    ['community-paediatrics', 'RXA'],
    ['mental-health', 'RYB'],
  ];
  for (let i = 0; i < n; i++) {
    const [service, provider] = rnd.pick(pairs);
    const received = addDays('2025-03-01', rnd.int(0, 420));
    const events: Generated['events'] = [];
    const k = rnd.int(0, 5);
    let date = received;
    if (!rnd.chance(0.05)) {
      events.push({
        type: 'referral-received',
        date: received,
        recordedAt: IMPORTS[rnd.int(0, 1)],
        admitted: false,
        seq: 0,
      });
    }
    for (let j = 0; j < k; j++) {
      date = addDays(date, rnd.int(0, 60));
      const type = rnd.weighted(TYPES.map(([t, w]) => [t, w] as const));
      events.push({
        type,
        date,
        recordedAt: IMPORTS[rnd.int(0, 2)],
        admitted: type === 'treatment-started' && rnd.chance(0.2),
        seq: 0,
      });
    }
    if (events.length === 0) {
      events.push({
        type: 'triaged',
        date: received,
        recordedAt: IMPORTS[0],
        admitted: false,
        seq: 0,
      });
    }
    out.push({ service, provider, events });
  }
  return out;
}

/** The same census computed directly with the pure engine, pathway by pathway. */
function expected(
  paths: Generated[],
  census: string,
  monthStart: string,
  cutoff: string,
  services: Map<string, number>,
) {
  const incomplete: number[] = [];
  let unknown = 0;
  let completed = 0;
  let admitted = 0;
  let starts = 0;
  let nullified = 0;
  let withinTarget = 0;
  for (const p of paths) {
    const known: ClockEventInput[] = p.events
      .filter((e) => e.recordedAt <= cutoff)
      .map((e) => ({ type: e.type, date: e.date, seq: e.seq, admitted: e.admitted }));
    const t = computeClockTimeline(known, { nullifyFirstAppointmentDna: true });
    const at = clockAt(t, census);
    if (at.state === 'waiting') {
      incomplete.push(at.waitDays!);
      if (at.waitDays! <= services.get(p.service)! * 7) withinTarget++;
    }
    if (at.state === 'waiting-unknown-start') unknown++;
    for (const period of t.periods) {
      if (period.end === 'stopped' && period.endedOn! >= monthStart && period.endedOn! <= census) {
        completed++;
        if (period.admitted && completedWaitDays(period) !== null) admitted++;
      }
      if (
        period.end === 'nullified' &&
        period.endedOn! >= monthStart &&
        period.endedOn! <= census
      ) {
        nullified++;
      }
      const nullifiedByCensus = period.end === 'nullified' && period.endedOn! <= census;
      if (
        period.clockStart &&
        period.clockStart >= monthStart &&
        period.clockStart <= census &&
        !nullifiedByCensus
      ) {
        starts++;
      }
    }
  }
  const bands = new Array<number>(105).fill(0);
  for (const d of incomplete) bands[rttWeekBand(d) - 1]++;
  return {
    bands,
    total: incomplete.length,
    unknown,
    completed,
    admitted,
    starts,
    nullified,
    withinTarget,
  };
}

describe('RTT census from the clock cache equals the clock engine run pathway by pathway', () => {
  let t: TestApp;
  let admin: string;
  let paths: Generated[];

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    admin = await t.tokenFor({ role: 'admin' });
    paths = generate(300, 6);
    for (const p of paths) {
      const specs: EventSpec[] = p.events.map((e) => [
        e.type,
        e.date,
        e.recordedAt,
        e.admitted ? { admitted: true } : undefined,
      ]);
      const id = await insertPathway(t.db, {
        service: p.service,
        provider: p.provider,
        events: specs,
      });
      // The engine orders same-day events by insertion: use the ids the database gave.
      const ids: Array<{ id: string }> = await t.db.query(
        `select id::text from clock_event where referral_id = $1 order by id`,
        [id],
      );
      p.events.forEach((e, i) => (e.seq = Number(ids[i].id)));
    }
  });
  afterAll(async () => t.close());

  it.each([
    ['2026-01', '2026-01-31', IMPORTS[0]],
    ['2026-03', '2026-03-15', IMPORTS[0]],
    ['2026-03', '2026-03-31', IMPORTS[1]],
    ['2026-05', '2026-05-31', IMPORTS[1]],
    ['2026-05', '2026-05-31', IMPORTS[2]],
    ['2025-12', '2025-12-31', IMPORTS[2]],
  ])('should match for %s (census %s, data cut-off %s)', async (month, census, cutoff) => {
    const res = await request(t.http)
      .get('/api/reports/rtt')
      .query({ month, census, dataCutoff: cutoff })
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    const targets = new Map<string, number>(
      t.config.catalogue.services.map((s) => [s.code, s.targetWeeks]),
    );
    const want = expected(paths, census, `${month}-01`, cutoff, targets);
    const total = res.body.rows.find((r: { level: string }) => r.level === 'total');
    expect(res.body.dataCutoff).toBe(cutoff.replace('.000Z', '.000000Z')); // exact, in µs
    expect(total.incomplete.bands).toEqual(want.bands);
    expect(total.incomplete.total).toBe(want.total);
    expect(total.incomplete.unknownClockStart).toBe(want.unknown);
    expect(total.incomplete.withinTarget.count).toBe(want.withinTarget);
    expect(total.completed.total).toBe(want.completed);
    expect(total.completed.admitted.total).toBe(want.admitted);
    expect(total.newClockStarts).toBe(want.starts);
    expect(total.nullifiedInMonth).toBe(want.nullified);
    expect(want.total).toBeGreaterThan(20); // the scenario is not trivially empty
    expect(daysBetween(`${month}-01`, census)).toBeGreaterThanOrEqual(0);
  });
});
