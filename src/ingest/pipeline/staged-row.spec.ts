import { describe, expect, it } from '@jest/globals';
import { validateRecord } from '../mapping/ingest-record.js';
import { copyValue, stageRecord, STAGING_COLUMNS, toCopyLine } from './staged-row.js';

describe('staged rows', () => {
  it('should escape values for COPY text format', () => {
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyValue(7)).toBe('7');
  });

  it('should write one COPY line per row with the derived clock events', () => {
    const r = validateRecord(
      {
        nhsNumber: '9434765919',
        givenName: 'Ava',
        dateOfBirth: '2018-05-01',
        referralId: 'R-1',
        referralReceivedDate: '2026-03-02',
        priority: 'urgent',
        firstAppointmentDate: '2026-04-01',
        firstAppointmentOutcome: 'dna',
        addressLine1: 'Flat 1\t"A"',
      },
      { today: '2026-11-25', maxAgeYearsAtReferral: 25 },
    );
    if (!('record' in r)) throw new Error('expected a record');
    const line = toCopyLine(stageRecord(2, r.record, 'WW-AAAAA-BBBBB', 4503599627370495));
    const cols = line.slice(0, -1).split('\t');
    expect(cols).toHaveLength(STAGING_COLUMNS.length);
    const at = (c: (typeof STAGING_COLUMNS)[number]) => cols[STAGING_COLUMNS.indexOf(c)];
    expect(at('address_lines')).toBe('["Flat 1\\\\t\\\\"A\\\\""]');
    expect(at('status')).toBe('waiting');
    expect(at('clock_start')).toBe('\\N');
    expect(at('stop_reason')).toBe('nullified-first-appointment-dna');
    expect(at('ev_types')).toBe('{"referral-received","dna"}');
    expect(at('ev_rtt')).toBe('{"10","33"}');
    expect(at('row_fingerprint')).toBe('4503599627370495');
  });
});
