import { describe, expect, it } from '@jest/globals';
import { derivePathway } from './pathway-facts.js';

describe('derivePathway', () => {
  it('should start the clock on the received date (Rule 1)', () => {
    const p = derivePathway({ receivedDate: '2026-01-05' });
    expect(p).toMatchObject({
      status: 'waiting',
      clockStartDate: '2026-01-05',
      clockStopDate: null,
    });
    expect(p.events.map((e) => e.type)).toEqual(['referral-received']);
  });

  it('should stop the clock at first definitive treatment (Rule 4)', () => {
    const p = derivePathway({
      receivedDate: '2026-01-05',
      firstAppointmentDate: '2026-03-01',
      firstAppointmentOutcome: 'attended',
      treatmentStartDate: '2026-03-01',
    });
    expect(p).toMatchObject({
      status: 'treatment-started',
      clockStopDate: '2026-03-01',
      clockStopReason: 'first-definitive-treatment',
    });
    expect(p.events.map((e) => e.type)).toEqual(['referral-received', 'treatment-started']);
  });

  it('should nullify the clock on a first-appointment DNA and restart from the rebooking (§1.4)', () => {
    const nullified = derivePathway({
      receivedDate: '2026-01-05',
      firstAppointmentDate: '2026-02-01',
      firstAppointmentOutcome: 'dna',
    });
    expect(nullified.clockStartDate).toBeNull();
    expect(nullified.clockStopReason).toBe('nullified-first-appointment-dna');
    const rebooked = derivePathway({
      receivedDate: '2026-01-05',
      firstAppointmentDate: '2026-02-01',
      firstAppointmentOutcome: 'dna',
      rebookedDate: '2026-02-10',
    });
    expect(rebooked).toMatchObject({ status: 'waiting', clockStartDate: '2026-02-10' });
    expect(rebooked.events.map((e) => e.rttStatus)).toEqual(['10', '33', '10']);
  });

  it('should keep the clock running from the referral after a first-appointment DNA where the regime does not nullify', () => {
    const facts = {
      receivedDate: '2026-01-05',
      firstAppointmentDate: '2026-02-01',
      firstAppointmentOutcome: 'dna' as const,
      rebookedDate: '2026-02-10',
    };
    const p = derivePathway(facts, { nullifyFirstAppointmentDna: false });
    expect(p).toMatchObject({
      status: 'waiting',
      clockStartDate: '2026-01-05',
      clockStopReason: null,
    });
    // The events are kept (the report folds them under the same setting); no RTT start or stop code.
    expect(p.events.map((e) => [e.type, e.rttStatus])).toEqual([
      ['referral-received', '10'],
      ['dna', null],
      ['rebooked', null],
    ]);
    const discharged = derivePathway(
      { ...facts, dischargeDate: '2026-04-01' },
      { nullifyFirstAppointmentDna: false },
    );
    expect(discharged).toMatchObject({
      clockStartDate: '2026-01-05',
      clockStopDate: '2026-04-01',
    });
  });

  it('should stop the clock on discharge', () => {
    const p = derivePathway({ receivedDate: '2026-01-05', dischargeDate: '2026-04-01' });
    expect(p).toMatchObject({ status: 'discharged', clockStopDate: '2026-04-01' });
  });
});
