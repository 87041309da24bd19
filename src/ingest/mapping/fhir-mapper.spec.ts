import { describe, expect, it } from '@jest/globals';
import { FhirConfig } from '../sources/source-config.js';
import {
  fhirDate,
  mapServiceRequest,
  NHS_NUMBER_SYSTEM,
  type FhirPatient,
  type FhirServiceRequest,
} from './fhir-mapper.js';

const cfg = new FhirConfig();
const patient: FhirPatient = {
  resourceType: 'Patient',
  id: 'p1',
  identifier: [
    { system: 'https://local/mrn', value: 'X1' },
    { system: NHS_NUMBER_SYSTEM, value: '9434765919' },
  ],
  name: [
    { use: 'usual', given: ['Sammy'], family: 'Jones' },
    { use: 'official', given: ['Samuel', 'James'], family: 'Jones' },
  ],
  birthDate: '2015-07-04',
  address: [
    { use: 'work', postalCode: 'ZZ1 1ZZ' },
    { use: 'home', line: ['5 Station Road', 'Flat 1'], city: 'Eastfield', postalCode: 'EF2 3DE' },
  ],
  telecom: [
    { system: 'phone', use: 'home', value: '01632 960000' },
    { system: 'phone', use: 'mobile', value: '07700 900456' },
    { system: 'email', value: 'sam.family@example.com' },
  ],
};
const sr = (o: Partial<FhirServiceRequest> = {}): FhirServiceRequest => ({
  resourceType: 'ServiceRequest',
  id: 'sr1',
  identifier: [{ system: 'https://ryb/ref', value: 'MH-1' }],
  status: 'active',
  priority: 'routine',
  subject: { reference: 'Patient/p1' },
  authoredOn: '2026-02-10',
  ...o,
});

describe('mapServiceRequest', () => {
  it('should map the request and its UK Core patient (official name, home address, NHS number system)', () => {
    expect(mapServiceRequest(sr(), patient, cfg)).toEqual({
      fields: {
        referralId: 'MH-1',
        referralReceivedDate: '2026-02-10',
        priority: 'routine',
        status: 'waiting',
        nhsNumber: '9434765919',
        givenName: 'Samuel',
        familyName: 'Jones',
        dateOfBirth: '2015-07-04',
        addressLine1: '5 Station Road',
        addressLine2: 'Flat 1',
        town: 'Eastfield',
        postcode: 'EF2 3DE',
        contactEmail: 'sam.family@example.com',
        contactPhone: '07700 900456',
        preferredChannel: 'email',
      },
      problems: [],
    });
  });

  it.each([
    ['asap', 'urgent'],
    ['stat', 'urgent'],
    ['urgent', 'urgent'],
    [undefined, 'routine'],
  ])('should map FHIR priority %s to %s', (priority, expected) => {
    expect(mapServiceRequest(sr({ priority }), patient, cfg)?.fields.priority).toBe(expected);
  });

  it('should stop the clock for completed (treatment) and revoked (discharge) requests at the occurrence dates', () => {
    expect(
      mapServiceRequest(
        sr({ status: 'completed', occurrencePeriod: { start: '2026-05-01' } }),
        patient,
        cfg,
      )?.fields,
    ).toMatchObject({ status: 'treatment-started', treatmentStartDate: '2026-05-01' });
    expect(
      mapServiceRequest(
        sr({ status: 'revoked', occurrencePeriod: { start: '2026-04-01', end: '2026-06-30' } }),
        patient,
        cfg,
      )?.fields,
    ).toMatchObject({ status: 'discharged', dischargeDate: '2026-06-30' });
  });

  it('should leave out requests entered in error or still drafts', () => {
    expect(mapServiceRequest(sr({ status: 'entered-in-error' }), patient, cfg)).toBeNull();
    expect(mapServiceRequest(sr({ status: 'draft' }), patient, cfg)).toBeNull();
  });

  it('should report a subject Patient missing from the Bundle, keeping the NHS number from the reference', () => {
    const mapped = mapServiceRequest(
      sr({
        subject: {
          reference: 'Patient/p9',
          identifier: { system: NHS_NUMBER_SYSTEM, value: '9434765919' },
        },
      }),
      undefined,
      cfg,
    );
    expect(mapped?.fields.nhsNumber).toBe('9434765919');
    expect(mapped?.problems[0].message).toMatch(/not included/);
  });

  it('should read a FHIR dateTime as the London calendar date', () => {
    expect(fhirDate('2026-06-30T23:30:00Z')).toBe('2026-07-01'); // BST
    expect(fhirDate('2026-01-31T23:30:00Z')).toBe('2026-01-31'); // GMT
    expect(fhirDate('2026-01-31')).toBe('2026-01-31');
  });
});
