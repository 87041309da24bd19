import { describe, expect, it } from '@jest/globals';
import { bindCsvHeader, type CsvMapping } from './csv-row-mapper.js';

const mapping: CsvMapping = {
  dateFormat: 'dd/MM/yyyy',
  delimiter: ',',
  columns: {
    nhsNumber: 'NHS No',
    dateOfBirth: 'DOB',
    referralId: 'Pathway',
    referralReceivedDate: 'Received',
    priority: 'Priority',
  },
  codes: { priority: { '1': 'routine', '2': 'urgent' } },
};

describe('bindCsvHeader', () => {
  it('should find mapped columns ignoring case, spaces and order, and map dates and codes', () => {
    const bound = bindCsvHeader(
      ['priority', ' received ', 'Extra', 'pathway', 'dob', 'nhs no'],
      mapping,
    );
    if (!('mapper' in bound)) throw new Error('expected a mapper');
    expect(bound.mapper.map(['2', '02/03/2026', 'x', 'P-1', '01/05/2018', '943 476 5919'])).toEqual(
      {
        fields: {
          nhsNumber: '943 476 5919',
          dateOfBirth: '2018-05-01',
          referralId: 'P-1',
          referralReceivedDate: '2026-03-02',
          priority: 'urgent',
        },
        problems: [],
      },
    );
  });

  it('should report a date in another format as a problem of that field', () => {
    const bound = bindCsvHeader(['NHS No', 'DOB', 'Pathway', 'Received', 'Priority'], mapping);
    if (!('mapper' in bound)) throw new Error('expected a mapper');
    expect(bound.mapper.map(['1', '2018-05-01', 'P', '02/03/2026', '7']).problems).toEqual([
      { field: 'dateOfBirth', message: 'dateOfBirth is not a date in the format dd/MM/yyyy' },
    ]);
    expect(bound.mapper.map(['1', '01/05/2018', 'P', '02/03/2026', '7']).fields.priority).toBe('7');
  });

  it('should name missing columns, and spot a file written with another delimiter', () => {
    expect(bindCsvHeader(['NHS No', 'DOB'], mapping)).toEqual({
      missing: ['Pathway', 'Received', 'Priority'],
      hint: undefined,
    });
    const wrong = bindCsvHeader(['NHS No;DOB;Pathway;Received;Priority'], mapping);
    expect('missing' in wrong && wrong.hint).toMatch(/seems to use that delimiter/);
  });

  it('should fingerprint the mapped columns as written and the mapping itself, without mapping the row', () => {
    const header = ['NHS No', 'DOB', 'Pathway', 'Received', 'Priority', 'Notes'];
    const bound = bindCsvHeader(header, mapping);
    const other = bindCsvHeader(header, {
      ...mapping,
      codes: { priority: { '1': 'routine', '2': 'soon' } },
    });
    if (!('mapper' in bound) || !('mapper' in other)) throw new Error('expected mappers');
    const row = ['9434765919', '01/05/2018', ' P-1 ', '02/03/2026', '2', 'free text'];
    expect(bound.mapper.referralId(row)).toBe('P-1');
    expect(bound.mapper.fingerprint(row)).toBe(bound.mapper.fingerprint([...row]));
    expect(bound.mapper.fingerprint(row)).toBe(
      bound.mapper.fingerprint([...row.slice(0, 5), 'other unmapped text']),
    );
    expect(bound.mapper.fingerprint(row)).not.toBe(
      bound.mapper.fingerprint([...row.slice(0, 4), '1', 'free text']),
    );
    expect(bound.mapper.fingerprint(row)).not.toBe(other.mapper.fingerprint(row));
  });
});
