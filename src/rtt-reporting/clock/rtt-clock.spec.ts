import { describe, expect, it } from '@jest/globals';
import { buildClockVersions } from './clock-versions.js';
import {
  clockAt,
  completedWaitDays,
  computeClockTimeline,
  type ClockEventInput,
  type ClockRules,
} from './rtt-clock.js';

const RTT: ClockRules = { nullifyFirstAppointmentDna: true };
const NO_NULLIFY: ClockRules = { nullifyFirstAppointmentDna: false };

/** Dated events in, seq = order written. */
function ev(...xs: Array<[string, string, Partial<ClockEventInput>?]>): ClockEventInput[] {
  return xs.map(([type, date, extra], i) => ({ type, date, seq: i + 1, ...extra }));
}

describe('computeClockTimeline (RTT clock rules)', () => {
  it('R1: should start the clock on the date the referral was received and measure days to the census', () => {
    const t = computeClockTimeline(ev(['referral-received', '2026-01-05']), RTT);
    expect(t.periods).toEqual([
      expect.objectContaining({ clockStart: '2026-01-05', startRule: 'R1', end: null }),
    ]);
    const c = clockAt(t, '2026-03-31');
    expect(c).toMatchObject({ state: 'waiting', waitDays: 85, weeksCompleted: 12, band: 13 });
    expect(clockAt(t, '2026-01-04').state).toBe('no-clock');
    expect(clockAt(t, '2026-01-05')).toMatchObject({ state: 'waiting', waitDays: 0, band: 1 });
  });

  it('R1: should keep the earliest start when the referral is received twice (transfer keeps the original start)', () => {
    const t = computeClockTimeline(
      ev(['referral-received', '2026-02-10'], ['referral-received', '2026-01-10']),
      RTT,
    );
    expect(t.periods).toHaveLength(1);
    expect(t.periods[0].clockStart).toBe('2026-01-10');
  });

  it('R2: should start a new clock on a re-referral after a completed period, and ignore one while a clock runs', () => {
    const t = computeClockTimeline(
      ev(
        ['referral-received', '2025-06-01'],
        ['re-referred', '2025-07-01'],
        ['treatment-started', '2025-09-01'],
        ['re-referred', '2026-01-15'],
      ),
      RTT,
    );
    expect(t.periods.map((p) => [p.clockStart, p.startRule, p.endedOn, p.stopRule])).toEqual([
      ['2025-06-01', 'R1', '2025-09-01', 'R6'],
      ['2026-01-15', 'R2', null, null],
    ]);
    expect(clockAt(t, '2026-01-31')).toMatchObject({ state: 'waiting', waitDays: 16 });
  });

  it('R3: should start a new clock when a decision to treat ends active monitoring', () => {
    const t = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['active-monitoring', '2026-02-01'],
        ['active-monitoring-ended', '2026-05-01'],
      ),
      RTT,
    );
    expect(t.periods.map((p) => [p.clockStart, p.startRule, p.stopRule])).toEqual([
      ['2026-01-01', 'R1', 'R7-5b'],
      ['2026-05-01', 'R3', null],
    ]);
    expect(clockAt(t, '2026-03-31').state).toBe('no-clock'); // stopped while monitored: not waiting
    expect(clockAt(t, '2026-05-31')).toMatchObject({ state: 'waiting', waitDays: 30 });
  });

  it('R3: should not start a clock when monitoring "ends" without having begun', () => {
    const t = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['treatment-started', '2026-02-01'],
        ['active-monitoring-ended', '2026-03-01'],
      ),
      RTT,
    );
    expect(t.periods).toHaveLength(1);
    expect(t.notes).toEqual([{ code: 'monitoring-ended-without-monitoring', date: '2026-03-01' }]);
  });

  it('R4 and R10: should nullify on a first-appointment DNA and restart at zero from the rebooking contact', () => {
    const t = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-05'],
        ['appointment-booked', '2026-01-20'],
        ['dna', '2026-02-10'],
        ['rebooked', '2026-02-20'],
      ),
      RTT,
    );
    expect(t.periods.map((p) => [p.clockStart, p.startRule, p.endedOn, p.end])).toEqual([
      ['2026-01-05', 'R1', '2026-02-10', 'nullified'],
      ['2026-02-20', 'R4', null, null],
    ]);
    expect(clockAt(t, '2026-01-31')).toMatchObject({ state: 'waiting', waitDays: 26 }); // before the DNA it was waiting
    expect(clockAt(t, '2026-02-15').state).toBe('no-clock'); // nullified: out of numerator and denominator
    expect(clockAt(t, '2026-02-28')).toMatchObject({
      state: 'waiting',
      clockStart: '2026-02-20',
      waitDays: 8,
    }); // not linked back
  });

  it('R10: should not nullify when the regime does not apply nullification', () => {
    const t = computeClockTimeline(
      ev(['referral-received', '2026-01-05'], ['dna', '2026-02-10']),
      NO_NULLIFY,
    );
    expect(clockAt(t, '2026-02-28')).toMatchObject({ state: 'waiting', clockStart: '2026-01-05' });
  });

  it('R11: should keep the clock running after a DNA of a later appointment, and stop it at a later discharge (R8)', () => {
    const t = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-05'],
        ['appointment-attended', '2026-02-01'],
        ['dna', '2026-03-01'],
        ['rebooked', '2026-03-02'],
      ),
      RTT,
    );
    expect(t.periods).toHaveLength(1);
    expect(clockAt(t, '2026-03-31')).toMatchObject({
      state: 'waiting',
      clockStart: '2026-01-05',
      waitDays: 85,
    });
    const discharged = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-05'],
        ['appointment-attended', '2026-02-01'],
        ['dna', '2026-03-01'],
        ['discharged', '2026-03-10'],
      ),
      RTT,
    );
    expect(discharged.periods[0]).toMatchObject({
      end: 'stopped',
      stopRule: 'R8',
      endedOn: '2026-03-10',
    });
    expect(completedWaitDays(discharged.periods[0])).toBe(64);
  });

  it('R12: should treat a cancelled appointment as no appointment, so a DNA of the rearranged first appointment still nullifies', () => {
    const t = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-05'],
        ['appointment-cancelled', '2026-01-20'],
        ['dna', '2026-02-03'],
      ),
      RTT,
    );
    expect(t.periods[0]).toMatchObject({ end: 'nullified', endedOn: '2026-02-03' });
  });

  it('R6: should stop at first definitive treatment, admitted when the event says so', () => {
    const nonAdmitted = computeClockTimeline(
      ev(['referral-received', '2026-01-01'], ['treatment-started', '2026-04-01']),
      RTT,
    );
    expect(nonAdmitted.periods[0]).toMatchObject({
      end: 'stopped',
      stopRule: 'R6',
      admitted: false,
    });
    expect(completedWaitDays(nonAdmitted.periods[0])).toBe(90);
    expect(clockAt(nonAdmitted, '2026-04-01').state).toBe('no-clock'); // stopped on the census date: completed, not waiting
    expect(clockAt(nonAdmitted, '2026-03-31')).toMatchObject({ state: 'waiting', waitDays: 89 });
    const admitted = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['treatment-started', '2026-04-01', { admitted: true }],
      ),
      RTT,
    );
    expect(admitted.periods[0].admitted).toBe(true);
  });

  it('R6: should count a same-day start and stop as a 0-day completed pathway', () => {
    const t = computeClockTimeline(
      ev(['referral-received', '2026-01-01'], ['treatment-started', '2026-01-01']),
      RTT,
    );
    expect(completedWaitDays(t.periods[0])).toBe(0);
  });

  it.each([
    ['returned-to-primary-care', 'R7-5a'],
    ['active-monitoring', 'R7-5b'],
    ['declined', 'R7-5c'],
    ['decision-not-to-treat', 'R7-5d'],
    ['discharged', 'R8'],
    ['died', 'R9'],
  ])('R7-R9: should stop the clock on %s (%s)', (type, rule) => {
    const t = computeClockTimeline(
      ev(['referral-received', '2026-01-01'], [type, '2026-01-29']),
      RTT,
    );
    expect(t.periods[0]).toMatchObject({ end: 'stopped', stopRule: rule, endedOn: '2026-01-29' });
    expect(completedWaitDays(t.periods[0])).toBe(28);
  });

  it('R12/R13: should never pause or stop the clock for cancellations, triage, bookings or priority changes', () => {
    const t = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['triaged', '2026-01-02'],
        ['appointment-booked', '2026-01-03'],
        ['appointment-cancelled', '2026-01-10'],
        ['priority-changed', '2026-01-11'],
        ['appointment-cancelled', '2026-02-10'],
      ),
      RTT,
    );
    expect(t.periods).toHaveLength(1);
    expect(clockAt(t, '2026-03-31')).toMatchObject({ state: 'waiting', waitDays: 89 });
  });

  it('R14: should take a validation removal off the list without counting a completed pathway', () => {
    const t = computeClockTimeline(
      ev(['referral-received', '2026-01-01'], ['removed-from-source', '2026-02-01']),
      RTT,
    );
    expect(t.periods[0]).toMatchObject({ end: 'removed', stopRule: 'R14' });
    expect(completedWaitDays(t.periods[0])).toBeNull();
    expect(clockAt(t, '2026-02-28').state).toBe('no-clock');
  });

  /** Received 1 January, off the provider's list 1 February, seen 10 February, back on 1 March. */
  const offAndBackOn = (
    before: Array<[string, string]> = [],
    after: Array<[string, string]> = [],
  ) =>
    computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ...before,
        ['removed-from-source', '2026-02-01'],
        ['appointment-attended', '2026-02-10'],
        ['restored-to-source', '2026-03-01'],
        ...after,
      ),
      RTT,
    );

  it('R16: should wait on from the original start when a removed referral is back on the list, as if never removed', () => {
    const t = offAndBackOn();
    expect(t.periods).toEqual([
      expect.objectContaining({ clockStart: '2026-01-01', startRule: 'R1', end: null }),
    ]);
    expect(t.notes).toEqual([]);
    expect(clockAt(t, '2026-02-15')).toMatchObject({ state: 'waiting', waitDays: 45 });
    expect(clockAt(t, '2026-03-31')).toMatchObject({ state: 'waiting', weeksCompleted: 12 });
    // The appointment attended while off the list ended the R10 window: a DNA now is a later one.
    expect(clockAt(offAndBackOn([], [['dna', '2026-03-10']]), '2026-03-31').state).toBe('waiting');
  });

  it('R16: should take only the removal before a restore back, and keep a nullified clock nullified', () => {
    const again = offAndBackOn([], [['removed-from-source', '2026-04-01']]);
    expect(again.periods).toEqual([
      expect.objectContaining({ end: 'removed', endedOn: '2026-04-01' }),
    ]);
    const nullified = offAndBackOn([['dna', '2026-01-20']], [['rebooked', '2026-03-10']]);
    expect(nullified.periods.map((p) => [p.clockStart, p.end, p.startRule])).toEqual([
      ['2026-01-01', 'nullified', 'R1'],
      ['2026-03-10', null, 'R4'],
    ]);
    expect(clockAt(nullified, '2026-03-05').state).toBe('no-clock');
  });

  // A source's correction as the import records it: the new fact, and a retraction of the old one.
  it('R17: should wait on from the referral when a first-appointment DNA is corrected to attended at source', () => {
    const t = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['dna', '2026-02-01'],
        ['appointment-attended', '2026-02-01'], // recorded later: the source's correction
        ['retracted', '2026-02-01', { retracts: 'dna' }],
      ),
      RTT,
    );
    expect(t.periods).toEqual([
      expect.objectContaining({ clockStart: '2026-01-01', startRule: 'R1', end: null }),
    ]);
    expect(t.notes).toEqual([]);
    expect(clockAt(t, '2026-03-31')).toMatchObject({ state: 'waiting', waitDays: 89 });
    // The attended first appointment ended the R10 window: a DNA later is a later one (R11).
    const later = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['dna', '2026-02-01'],
        ['appointment-attended', '2026-02-01'],
        ['retracted', '2026-02-01', { retracts: 'dna' }],
        ['dna', '2026-03-01'],
      ),
      RTT,
    );
    expect(clockAt(later, '2026-03-31').state).toBe('waiting');
  });

  it('R17: should nullify the clock when an attended first appointment is corrected to a DNA at source', () => {
    const t = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['appointment-attended', '2026-02-01'],
        ['dna', '2026-02-01'], // recorded later: the source's correction
        ['retracted', '2026-02-01', { retracts: 'appointment-attended' }],
      ),
      RTT,
    );
    expect(t.periods).toEqual([
      expect.objectContaining({ clockStart: '2026-01-01', end: 'nullified', stopRule: 'R10' }),
    ]);
    expect(clockAt(t, '2026-03-31').state).toBe('no-clock');
  });

  it('R17: should stop the clock at treatment when a first-appointment DNA is corrected to treatment that day', () => {
    const t = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['dna', '2026-02-01'],
        ['treatment-started', '2026-02-01'],
        ['retracted', '2026-02-01', { retracts: 'dna' }],
      ),
      RTT,
    );
    expect(t.periods).toEqual([
      expect.objectContaining({ clockStart: '2026-01-01', end: 'stopped', stopRule: 'R6' }),
    ]);
    expect(t.notes).toEqual([]);
  });

  it('R17: should leave alone what no retraction names (a DNA, then an appointment attended after rebooking)', () => {
    const t = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['dna', '2026-02-01'],
        ['rebooked', '2026-02-10'],
        ['appointment-attended', '2026-03-01'],
      ),
      RTT,
    );
    expect(t.periods.map((p) => [p.clockStart, p.end, p.startRule])).toEqual([
      ['2026-01-01', 'nullified', 'R1'],
      ['2026-02-10', null, 'R4'],
    ]);
  });

  it('R17: should leave out the events a retraction takes back, and count one said again after it', () => {
    // A referral date keyed wrongly (1 January) and corrected (1 February): the start is the corrected one.
    const corrected = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['referral-received', '2026-02-01'],
        ['retracted', '2026-01-01', { retracts: 'referral-received' }],
      ),
      RTT,
    );
    expect(corrected.periods).toEqual([
      expect.objectContaining({ clockStart: '2026-02-01', startRule: 'R1', end: null }),
    ]);
    expect(corrected.notes).toEqual([]);
    // A missed first appointment replaced by a later attended one: no longer nullified.
    const replaced = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['dna', '2026-02-01'],
        ['appointment-attended', '2026-03-01'],
        ['retracted', '2026-02-01', { retracts: 'dna' }],
      ),
      RTT,
    );
    expect(clockAt(replaced, '2026-03-31')).toMatchObject({ state: 'waiting', waitDays: 89 });
    // Only that type on that date: a discharge on the same date stands.
    const other = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['discharged', '2026-02-01'],
        ['retracted', '2026-02-01', { retracts: 'treatment-started' }],
      ),
      RTT,
    );
    expect(other.periods[0]).toMatchObject({ end: 'stopped', stopRule: 'R8' });
    // Said again after the retraction (recorded later): it counts.
    const again = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['discharged', '2026-02-01'],
        ['retracted', '2026-02-01', { retracts: 'discharged' }],
        ['discharged', '2026-02-01'],
      ),
      RTT,
    );
    expect(again.periods[0]).toMatchObject({ end: 'stopped', stopRule: 'R8' });
  });

  it('R15: should ignore a stop when no clock is running (activity after treatment)', () => {
    const t = computeClockTimeline(
      ev(
        ['referral-received', '2026-01-01'],
        ['treatment-started', '2026-02-01'],
        ['discharged', '2026-06-01'],
      ),
      RTT,
    );
    expect(t.periods).toHaveLength(1);
    expect(t.periods[0].stopRule).toBe('R6');
    expect(t.notes).toEqual([{ code: 'stop-without-clock', date: '2026-06-01' }]);
  });

  it('R5: should report an unknown clock start when activity arrives without a referral, until a referral supplies it', () => {
    const t = computeClockTimeline(ev(['triaged', '2026-01-10']), RTT);
    expect(clockAt(t, '2026-01-31')).toMatchObject({
      state: 'waiting-unknown-start',
      waitDays: null,
    });
    const later = computeClockTimeline(
      ev(['triaged', '2026-01-10'], ['referral-received', '2026-02-01']),
      RTT,
    );
    expect(clockAt(later, '2026-01-31').state).toBe('waiting-unknown-start');
    expect(clockAt(later, '2026-02-28')).toMatchObject({ state: 'waiting', waitDays: 27 });
  });

  it('should fold events by date then insertion order, whatever order they arrive in', () => {
    const shuffled: ClockEventInput[] = [
      { type: 'rebooked', date: '2026-02-20', seq: 4 },
      { type: 'referral-received', date: '2026-01-05', seq: 1 },
      { type: 'dna', date: '2026-02-10', seq: 3 },
    ];
    expect(computeClockTimeline(shuffled, RTT).periods.map((p) => p.clockStart)).toEqual([
      '2026-01-05',
      '2026-02-20',
    ]);
  });
});

describe('clockAt (measuring waits, reference.md §1.8)', () => {
  const from = (start: string) => computeClockTimeline(ev(['referral-received', start]), RTT);

  it('should count exactly 18 weeks (126 days) in band 18 and 127 days in band 19', () => {
    expect(clockAt(from('2026-01-01'), '2026-05-07')).toMatchObject({
      waitDays: 126,
      weeksCompleted: 18,
      band: 18,
    });
    expect(clockAt(from('2026-01-01'), '2026-05-08')).toMatchObject({
      waitDays: 127,
      weeksCompleted: 18,
      band: 19,
    });
  });

  it('should count days across a leap day and BST changes as calendar days', () => {
    expect(clockAt(from('2024-02-28'), '2024-03-01').waitDays).toBe(2); // 29 Feb 2024 exists
    expect(clockAt(from('2026-03-28'), '2026-03-30').waitDays).toBe(2); // clocks forward 29 Mar 2026
    expect(clockAt(from('2026-10-24'), '2026-10-26').waitDays).toBe(2); // clocks back 25 Oct 2026
    expect(clockAt(from('2023-03-01'), '2024-02-29')).toMatchObject({ waitDays: 365, band: 53 }); // 52+ weeks
  });
});

describe('buildClockVersions (as known at each recorded-at instant)', () => {
  it('should keep a removal in the versions known before the restore was recorded (R16)', () => {
    const versions = buildClockVersions(
      [
        { type: 'referral-received', date: '2026-01-05', seq: 1, recordedKey: '100' },
        { type: 'removed-from-source', date: '2026-02-01', seq: 2, recordedKey: '200' },
        { type: 'restored-to-source', date: '2026-03-01', seq: 3, recordedKey: '300' },
      ],
      RTT,
    );
    expect(versions.map((v) => [v.knownFrom, v.knownTo, v.timeline.periods[0].end])).toEqual([
      ['100', '200', null],
      ['200', '300', 'removed'],
      ['300', null, null],
    ]);
  });

  it('should keep a first-appointment DNA in the versions known before its correction was recorded (R17)', () => {
    const versions = buildClockVersions(
      [
        { type: 'referral-received', date: '2026-01-05', seq: 1, recordedKey: '100' },
        { type: 'dna', date: '2026-02-01', seq: 2, recordedKey: '200' },
        { type: 'appointment-attended', date: '2026-02-01', seq: 3, recordedKey: '300' },
        { type: 'retracted', date: '2026-02-01', seq: 4, retracts: 'dna', recordedKey: '300' },
      ],
      RTT,
    );
    expect(versions.map((v) => [v.knownFrom, v.knownTo, v.timeline.periods[0].end])).toEqual([
      ['100', '200', null],
      ['200', '300', 'nullified'],
      ['300', null, null],
    ]);
  });

  it('should keep a retracted discharge in the versions known before the retraction was recorded (R17)', () => {
    const versions = buildClockVersions(
      [
        { type: 'referral-received', date: '2026-01-05', seq: 1, recordedKey: '100' },
        { type: 'discharged', date: '2026-02-01', seq: 2, recordedKey: '200' },
        {
          type: 'retracted',
          date: '2026-02-01',
          seq: 3,
          retracts: 'discharged',
          recordedKey: '300',
        },
      ],
      RTT,
    );
    expect(versions.map((v) => [v.knownFrom, v.knownTo, v.timeline.periods[0].end])).toEqual([
      ['100', '200', null],
      ['200', '300', 'stopped'],
      ['300', null, null],
    ]);
  });

  it('should give each data cut-off the clock computed from the events recorded by then', () => {
    const versions = buildClockVersions(
      [
        { type: 'referral-received', date: '2026-01-05', seq: 1, recordedKey: '100' },
        { type: 'triaged', date: '2026-01-06', seq: 2, recordedKey: '150' }, // no clock change: merged
        { type: 'treatment-started', date: '2026-02-01', seq: 3, recordedKey: '300' }, // back-dated, recorded later
      ],
      RTT,
    );
    expect(versions.map((v) => [v.knownFrom, v.knownTo, v.timeline.periods[0].end])).toEqual([
      ['100', '300', null],
      ['300', null, 'stopped'],
    ]);
    // As known at 200, the pathway was still waiting at the end of February.
    expect(clockAt(versions[0].timeline, '2026-02-28').state).toBe('waiting');
    expect(clockAt(versions[1].timeline, '2026-02-28').state).toBe('no-clock');
  });
});
