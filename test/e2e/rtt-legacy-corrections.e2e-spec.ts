import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { RetractCorrectedFirstAppointments1765910000000 } from '../../migrations/1765910000000-RetractCorrectedFirstAppointments.js';
import { addDays, londonDate } from '../../src/common/time/calendar-date.js';
import { clockAt, type ClockPeriod } from '../../src/rtt-reporting/clock/rtt-clock.js';
import { asOwner, createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { insertPathway } from './rtt-support.js';

/**
 * Histories recorded before imports wrote retractions: a first appointment's outcome corrected at
 * source left both outcomes on one date. Migration RetractCorrectedFirstAppointments writes, once,
 * the retraction an import now writes, so the RTT report counts the correction (clock rule R17).
 */
describe('migration RetractCorrectedFirstAppointments (HTTP into PostgreSQL)', () => {
  let t: TestApp;
  let commissioner: string;
  const today = londonDate();
  const ago = (days: number) => addDays(today, -days);
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  const ids: Record<string, string> = {};

  /** The pathways waiting today in the report's clock (the clock cache, brought up to date by a report). */
  const waitingInReport = async () => {
    await request(t.http)
      .get(`/api/reports/rtt?month=${today.slice(0, 7)}&census=${today}&service=slt&provider=RYB`)
      .set('Authorization', `Bearer ${commissioner}`)
      .expect(200);
    const periods: Array<ClockPeriod & { referralId: string }> = await t.db.query(
      `select referral_id as "referralId", to_char(opened_on, 'YYYY-MM-DD') as "openedOn",
              to_char(clock_start, 'YYYY-MM-DD') as "clockStart", start_rule as "startRule",
              to_char(ended_on, 'YYYY-MM-DD') as "endedOn", end_kind as "end", stop_rule as "stopRule", admitted
         from rtt_clock_period where known_to_us = 9223372036854775807 order by referral_id, seq`,
    );
    return Object.entries(ids)
      .filter(([, id]) => {
        const mine = periods.filter((p) => p.referralId === id);
        return clockAt({ periods: mine, notes: [] }, today).state === 'waiting';
      })
      .map(([name]) => name)
      .sort();
  };
  const retractions = async () =>
    (
      await t.db.query<Array<{ referral_id: string; retracts: string }>>(
        `select referral_id, detail->>'retracts' as retracts from clock_event
          where event_type = 'retracted' order by referral_id`,
      )
    ).map((r) => [r.referral_id, r.retracts]);
  const migrate = () =>
    asOwner(t.db, (runner) => new RetractCorrectedFirstAppointments1765910000000().up(runner));

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    commissioner = await t.tokenFor({ role: 'commissioner' });
    const pathway = (events: Array<[string, string, string]>) =>
      insertPathway(t.db, { service: 'slt', provider: 'RYB', events });
    // Missed, then corrected to attended by a later import: waits from the referral.
    ids.toAttended = await pathway([
      ['referral-received', ago(90), hoursAgo(3)],
      ['dna', ago(40), hoursAgo(3)],
      ['appointment-attended', ago(40), hoursAgo(2)],
    ]);
    // Attended, then corrected to missed: nullified.
    ids.toMissed = await pathway([
      ['referral-received', ago(90), hoursAgo(3)],
      ['appointment-attended', ago(40), hoursAgo(3)],
      ['dna', ago(40), hoursAgo(2)],
    ]);
    // Missed and rebooked (no correction): a new clock from the rebooking, nothing to retract.
    ids.rebooked = await pathway([
      ['referral-received', ago(90), hoursAgo(3)],
      ['dna', ago(40), hoursAgo(3)],
      ['rebooked', ago(20), hoursAgo(2)],
    ]);
  });
  afterAll(async () => {
    await resetData(t.db);
    await t.close();
  });

  it('should retract the earlier outcome of each corrected first appointment, once, and the report count the correction', async () => {
    // Before: both outcomes stand on one date. The missed-then-attended pathway stays nullified;
    // the attended-then-missed one counts its DNA as a later one and waits.
    expect(await waitingInReport()).toEqual(['rebooked', 'toMissed']);
    await migrate();
    const expected = [
      [ids.toAttended, 'dna'],
      [ids.toMissed, 'appointment-attended'],
    ].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(await retractions()).toEqual(expected);
    // Run again (a second start of a restored database): nothing more.
    await migrate();
    expect(await retractions()).toEqual(expected);
    // The corrected-to-attended pathway now waits from its referral; the corrected-to-missed one
    // stays nullified.
    expect(await waitingInReport()).toEqual(['rebooked', 'toAttended']);
  });
});
