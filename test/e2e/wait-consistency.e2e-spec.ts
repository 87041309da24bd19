import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { addDays, daysBetween, londonDate } from '../../src/common/time/calendar-date.js';
import type { PtlRow } from '../../src/demo/demo-generator.js';
import { clockAt, type ClockPeriod } from '../../src/rtt-reporting/clock/rtt-clock.js';
import { rttWeekBand } from '../../src/rtt-reporting/clock/waits.js';
import { resetData, type TestApp } from '../utils/test-app.js';
import { appWithPtlSource, ptlChild, ptlCsv, pull } from './ingest-support.js';

const NULLIFIED_WAITING =
  'Clock stopped (did not attend): the first appointment was missed. A new clock starts at zero when the appointment is rebooked.';
const NULLIFIED_CLOSED =
  'Clock stopped (did not attend): the first appointment was missed, so this referral has no waiting time.';

/**
 * The weeks a child has waited, shown in five places for the same referral at the same date: a
 * service's ranked list and the children's list (GET /api/ranked), the priority explanation (GET
 * /api/children/:id/priority), the family's view of the child (GET /api/children/:id), the
 * referral list (GET /api/referrals) and the RTT report's clock (the clock cache the report reads,
 * and the report's week bands). Referrals come in
 * through a real PTL import, so the referral's clock columns and its clock events are ingest's own.
 */
describe('the weeks waited agree across the ranked lists, the explanation, the family view and the RTT report', () => {
  let t: TestApp;
  let dir: string;
  let admin: string;
  let clinician: string;
  let commissioner: string;
  const today = londonDate();
  const ago = (days: number) => addDays(today, -days);

  /** Each case: the PTL row, and the completed weeks every view must show today (null: no clock). */
  const cases: Array<{
    name: string;
    row: Partial<PtlRow>;
    weeks: number | null;
    note?: string;
    offOneList?: boolean;
    /** From the second list on, the source has corrected the row to this (R17). */
    correctedTo?: Partial<PtlRow>;
  }> = [
    { name: 'ordinary', row: { referral_received_date: ago(100) }, weeks: 14 },
    // 126 days: exactly 18 completed weeks, the last day "within 18 weeks" (band >17-18).
    { name: 'exactly 18 weeks', row: { referral_received_date: ago(126) }, weeks: 18 },
    {
      name: 'first appointment attended, still waiting',
      row: {
        referral_received_date: ago(50),
        first_appointment_date: ago(20),
        first_appointment_outcome: 'attended',
      },
      weeks: 7,
    },
    {
      name: 'nullified (did not attend the first appointment, not rebooked)',
      row: {
        referral_received_date: ago(200),
        first_appointment_date: ago(150),
        first_appointment_outcome: 'dna',
      },
      weeks: null,
      note: NULLIFIED_WAITING,
    },
    {
      name: 'restarted at zero when rebooked after the missed first appointment',
      row: {
        referral_received_date: ago(300),
        first_appointment_date: ago(250),
        first_appointment_outcome: 'dna',
        rebooked_date: ago(60),
      },
      weeks: 8,
    },
    {
      // Missing from one full list (removed-from-source), back on the next: the removal no longer
      // applies, and the clock runs on from the referral as before.
      name: "taken off the provider's list, then back on it",
      row: { referral_received_date: ago(70) },
      weeks: 10,
      offOneList: true,
    },
    {
      // The first list says the first appointment was missed; the next lists say it was attended
      // (the provider corrected its record): the child waits on from the referral everywhere.
      name: 'a missed first appointment corrected to attended at source',
      row: {
        referral_received_date: ago(90),
        first_appointment_date: ago(40),
        first_appointment_outcome: 'dna',
      },
      correctedTo: { first_appointment_outcome: 'attended' },
      weeks: 12,
    },
    {
      // The next lists give a later first appointment, attended, and no rebooking: the missed one
      // is taken back (R17), so the child waits from the referral everywhere.
      name: 'a missed first appointment replaced by a later attended one at source',
      row: {
        referral_received_date: ago(90),
        first_appointment_date: ago(40),
        first_appointment_outcome: 'dna',
      },
      correctedTo: { first_appointment_date: ago(20), first_appointment_outcome: 'attended' },
      weeks: 12,
    },
    {
      // A referral date keyed wrongly, then corrected: the wait counts from the corrected date, not
      // the earliest ever listed (R1 keeps the earliest start of one clock; R17 takes the wrong one back).
      name: 'a referral date corrected at source',
      row: { referral_received_date: ago(100) },
      correctedTo: { referral_received_date: ago(80) },
      weeks: 11,
    },
    {
      name: 'an attended first appointment corrected to missed at source',
      row: {
        referral_received_date: ago(90),
        first_appointment_date: ago(40),
        first_appointment_outcome: 'attended',
      },
      correctedTo: { first_appointment_outcome: 'dna' },
      weeks: null,
      note: NULLIFIED_WAITING,
    },
    {
      name: 'nullified, then discharged',
      row: {
        referral_received_date: ago(200),
        first_appointment_date: ago(150),
        first_appointment_outcome: 'dna',
        discharge_date: ago(100),
        status: 'discharged',
      },
      weeks: null,
      note: NULLIFIED_CLOSED,
    },
  ];
  const rows = cases.map((c, i) => ptlChild({ ...c.row, referral_id: `WAIT-${i}` }));
  const corrected = rows.map((r, i) => ({ ...r, ...cases[i].correctedTo }));
  const ids = new Map<string, { childId: string; referralId: string; status: string }>();

  const get = async (path: string, token: string) =>
    (await request(t.http).get(path).set('Authorization', `Bearer ${token}`).expect(200))
      .body as Record<string, unknown>;

  beforeAll(async () => {
    ({ t, dir, admin } = await appWithPtlSource('waitwell-wait-consistency-', 't-wait', 'slt'));
    clinician = await t.tokenFor({ role: 'clinician', sub: 'wait-clinician', services: ['slt'] });
    commissioner = await t.tokenFor({ role: 'commissioner' });
    const folder = join(dir, 'drop', 't-wait');
    mkdirSync(folder, { recursive: true });
    // Three full lists: everyone, then without the referrals taken off one list, then everyone;
    // the second and third with the source's corrections.
    const lists = [rows, corrected.filter((_, i) => !cases[i].offOneList), corrected];
    for (const [n, list] of lists.entries()) {
      const file = join(folder, `ptl-${n}.csv`);
      writeFileSync(file, ptlCsv(list));
      const when = new Date(Date.now() + (n + 1) * 1000);
      utimesSync(file, when, when);
      const run = await pull(t, admin, 't-wait');
      expect([run.status, run.counts.rejected]).toEqual(['succeeded', 0]);
    }
    // A full rescore as at today, as the nightly job does (the import's own rescore may still run).
    await request(t.http)
      .post('/api/prioritisation/rescore')
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    const stored: Array<{ ref: string; childId: string; referralId: string; status: string }> =
      await t.db.query(
        `select source_referral_id as ref, child_id as "childId", id as "referralId", status
           from referral where source_id = 't-wait'`,
      );
    for (const r of stored) ids.set(r.ref, r);
    expect(ids.size).toBe(cases.length);
  });
  afterAll(async () => {
    await resetData(t.db);
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should show the same completed weeks (or null, with the reason in words) in every view', async () => {
    const serviceList = (await get('/api/ranked?service=slt&limit=200', clinician)).items as Array<
      Record<string, unknown>
    >;
    const childrenList = (await get('/api/ranked?limit=200', commissioner)).items as Array<
      Record<string, unknown>
    >;
    // The RTT report's clock: the clock cache the report reads (brought up to date by the report).
    const report = await get(
      `/api/reports/rtt?month=${today.slice(0, 7)}&census=${today}&service=slt&provider=RYB`,
      commissioner,
    );
    const periods: Array<ClockPeriod & { referralId: string }> = await t.db.query(
      `select referral_id as "referralId", to_char(opened_on, 'YYYY-MM-DD') as "openedOn",
              to_char(clock_start, 'YYYY-MM-DD') as "clockStart", start_rule as "startRule",
              to_char(ended_on, 'YYYY-MM-DD') as "endedOn", end_kind as "end", stop_rule as "stopRule", admitted
         from rtt_clock_period where known_to_us = 9223372036854775807 order by referral_id, seq`,
    );

    const referralList = (await get('/api/referrals?service=slt&limit=50', clinician))
      .items as Array<Record<string, unknown>>;
    const seen: Array<Record<string, unknown>> = [];
    for (const [i, c] of cases.entries()) {
      const { childId, referralId, status } = ids.get(`WAIT-${i}`)!;
      const waiting = status === 'waiting';
      const family = await t.tokenFor({ role: 'family', sub: `wait-family-${i}`, childId });
      const familyView = (await get(`/api/children/${childId}`, family)).referrals as Array<
        Record<string, unknown>
      >;
      const clock = clockAt(
        {
          periods: periods.filter((p) => p.referralId === referralId),
          notes: [],
        },
        today,
      );
      const view: Record<string, unknown> = {
        name: c.name,
        family: familyView.map((r) => [r.weeksWaited, r.waitNote ?? null]),
        rttClock: clock.weeksCompleted,
        referralList: referralList.find((r) => r.id === referralId)?.weeksWaited,
      };
      if (waiting) {
        const priority = await get(`/api/children/${childId}/priority`, clinician);
        expect(priority.asAt).toBe(today);
        const explained = (
          priority.explanation as { referrals: Array<Record<string, unknown>> }
        ).referrals.find((r) => r.referralId === referralId)!;
        const row = serviceList.find((r) => r.childId === childId)!;
        const child = childrenList.find((r) => r.childId === childId)!;
        Object.assign(view, {
          serviceList: row.weeksWaited,
          serviceListWaits: (row.waits as Array<{ weeksWaited: unknown }>).map(
            (w) => w.weeksWaited,
          ),
          childrenList: child.weeksWaited,
          explanation: explained.weeksWaited,
          explanationNote: explained.waitNote !== null,
        });
      } else {
        expect(serviceList.map((r) => r.childId)).not.toContain(childId);
      }
      seen.push(view);
    }
    expect(seen).toEqual(
      cases.map((c) => ({
        name: c.name,
        family: [[c.weeks, c.note ?? null]],
        // A pathway not waiting today has no clock on the census date (a nullified one never had a
        // countable wait; a discharge after it stops nothing).
        rttClock: c.weeks,
        referralList: c.weeks,
        ...(c.row.status === 'discharged'
          ? {}
          : {
              serviceList: c.weeks,
              serviceListWaits: [c.weeks],
              childrenList: c.weeks,
              explanation: c.weeks,
              explanationNote: c.weeks === null,
            }),
      })),
    );

    // The report bands the same waits: each timed wait once, in the band of its days; the
    // nullified pathways are in neither numerator nor denominator (reference.md §1.4).
    const rowFor = (report.rows as Array<Record<string, unknown>>).find(
      (r) => r.level === 'service-provider',
    ) as { incomplete: { total: number; unknownClockStart: number; bands: number[] } };
    const expectedBands = new Array<number>(105).fill(0);
    for (const c of cases) {
      if (c.weeks === null) continue;
      const row = { ...c.row, ...c.correctedTo };
      const start = row.rebooked_date ?? row.referral_received_date!;
      const days = daysBetween(start, today);
      expect(Math.floor(days / 7)).toBe(c.weeks);
      expectedBands[rttWeekBand(days) - 1]++;
    }
    expect(rowFor.incomplete).toMatchObject({
      total: cases.filter((c) => c.weeks !== null).length,
      unknownClockStart: 0,
      bands: expectedBands,
    });
  });
});
