import { describe, expect, it } from '@jest/globals';
import { validateRecord, type RawFields } from './ingest-record.js';

const ctx = { today: '2026-11-25', maxAgeYearsAtReferral: 25 };
const base: RawFields = {
  nhsNumber: '943 476 5919',
  givenName: ' Ava ',
  familyName: 'Smith',
  dateOfBirth: '2018-05-01',
  postcode: 'nb1 4ab',
  referralId: 'R-1',
  referralReceivedDate: '2026-03-02',
  priority: 'routine',
  largePrint: 'Y',
  easyRead: '',
  language: 'PL',
};
const problemsOf = (f: RawFields) => {
  const r = validateRecord({ ...base, ...f }, ctx);
  return 'problems' in r ? r.problems : [];
};

describe('validateRecord', () => {
  it('should turn a good row into a record (normalised NHS number, trimmed text, upper-case postcode)', () => {
    const r = validateRecord(base, ctx);
    expect('record' in r && r.record).toMatchObject({
      nhsNumber: '9434765919',
      givenName: 'Ava',
      postcode: 'NB1 4AB',
      priority: 'routine',
      preferredChannel: 'letter',
      accessibility: { largePrint: true, easyRead: false, language: 'pl', interpreter: true },
      facts: { receivedDate: '2026-03-02' },
    });
  });

  it.each<[string, RawFields, string, RegExp]>([
    ['a wrong NHS check digit', { nhsNumber: '9434765918' }, 'nhsNumber', /Modulus 11/],
    ['an NHS number of the wrong length', { nhsNumber: '12345' }, 'nhsNumber', /10 digits/],
    ['a missing referral id', { referralId: '  ' }, 'referralId', /required/],
    [
      'a date that does not exist',
      { dateOfBirth: '2019-02-30' },
      'dateOfBirth',
      /not a real calendar date/,
    ],
    [
      'a referral in the future',
      { referralReceivedDate: '2026-11-26' },
      'referralReceivedDate',
      /future/,
    ],
    [
      'a referral before birth',
      { referralReceivedDate: '2018-04-30' },
      'referralReceivedDate',
      /before the date of birth/,
    ],
    ['an implausible age', { dateOfBirth: '1990-01-01' }, 'dateOfBirth', /older than 25/],
    ['an unmapped priority code', { priority: '2' }, 'priority', /not mapped.*codes\.priority/],
    [
      'a treatment before the referral',
      { treatmentStartDate: '2026-01-01', status: 'treatment-started' },
      'treatmentStartDate',
      /before the referral/,
    ],
    [
      'a discharge status without a date',
      { status: 'discharged' },
      'dischargeDate',
      /status is discharged but dischargeDate is empty/,
    ],
    [
      'a waiting status with a treatment date',
      { status: 'waiting', treatmentStartDate: '2026-04-01' },
      'status',
      /waiting but a treatment/,
    ],
    [
      'a rebooking without a DNA',
      { rebookedDate: '2026-04-01' },
      'rebookedDate',
      /only meaningful after/,
    ],
    ['an unknown flag', { flags: 'vip@2026-01-01' }, 'flags', /unknown flag code/],
    ['a flag without a date', { flags: 'ehcp' }, 'flags', /code\[:detail\]@YYYY-MM-DD/],
    ['a large-print value that is not Y or N', { largePrint: 'maybe' }, 'largePrint', /Y or N/],
    [
      'a deprivation decile out of range',
      { deprivationDecile: '11' },
      'deprivationDecile',
      /1 to 10/,
    ],
  ])('should reject %s, naming the field', (_what, f, field, message) => {
    const problems = problemsOf(f);
    expect(problems.map((p) => p.field)).toContain(field);
    expect(problems.find((p) => p.field === field)?.message).toMatch(message);
  });

  it('should list every problem of a row, one per field, without echoing values', () => {
    const problems = problemsOf({
      nhsNumber: '9434765918',
      dateOfBirth: '2027-01-01',
      priority: 'P9',
    });
    expect(problems.map((p) => p.field).sort()).toEqual(['dateOfBirth', 'nhsNumber', 'priority']);
    expect(JSON.stringify(problems)).not.toMatch(/9434765918|2027|P9/);
  });

  it('should keep the pathway facts for a DNA then rebooking, and parse flags with details', () => {
    const r = validateRecord(
      {
        ...base,
        firstAppointmentDate: '2026-04-01',
        firstAppointmentOutcome: 'dna',
        rebookedDate: '2026-04-09',
        flags: 'not-in-school:excluded@2026-02-01;ehcp@2025-09-01',
      },
      ctx,
    );
    expect('record' in r && r.record.facts).toEqual({
      receivedDate: '2026-03-02',
      firstAppointmentDate: '2026-04-01',
      firstAppointmentOutcome: 'dna',
      rebookedDate: '2026-04-09',
      treatmentStartDate: undefined,
      activeMonitoringDate: undefined,
      dischargeDate: undefined,
    });
    expect('record' in r && r.record.flags).toEqual([
      { code: 'not-in-school', detail: 'excluded', recordedOn: '2026-02-01' },
      { code: 'ehcp', detail: null, recordedOn: '2025-09-01' },
    ]);
  });
});
