import { londonDate } from '../../common/time/calendar-date.js';
import type { RawFields, RecordProblem } from './ingest-record.js';

/**
 * FHIR R4 ServiceRequest (+ its subject Patient, UK Core) → WaitWell fields
 * (shared/domain/reference.md §6). PURE. Only the elements used are typed.
 */
export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

interface Identifier {
  system?: string;
  value?: string;
}
interface Reference {
  reference?: string;
  identifier?: Identifier;
}
export interface FhirServiceRequest {
  resourceType: 'ServiceRequest';
  id?: string;
  meta?: { lastUpdated?: string };
  identifier?: Identifier[];
  status?: string;
  priority?: string;
  subject?: Reference;
  authoredOn?: string;
  occurrenceDateTime?: string;
  occurrencePeriod?: { start?: string; end?: string };
}
export interface FhirPatient {
  resourceType: 'Patient';
  id?: string;
  identifier?: Identifier[];
  name?: Array<{ use?: string; family?: string; given?: string[] }>;
  birthDate?: string;
  address?: Array<{ use?: string; line?: string[]; city?: string; postalCode?: string }>;
  telecom?: Array<{ system?: string; value?: string; use?: string }>;
}

export interface FhirMappingConfig {
  referralIdentifierSystem?: string;
  priorityCodes: Record<string, string>;
  statusCodes: Record<string, string>;
}

/** A FHIR date or dateTime as a London calendar date (a dateTime late in the evening UTC may be the next day in BST). */
export function fhirDate(v: string | undefined): string | undefined {
  if (!v) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const t = Date.parse(v);
  return Number.isNaN(t) ? v : londonDate(new Date(t));
}

/** Returns null when the request's status is mapped to "ignore" (e.g. entered-in-error): it is not on the list. */
export function mapServiceRequest(
  sr: FhirServiceRequest,
  patient: FhirPatient | undefined,
  cfg: FhirMappingConfig,
): { fields: RawFields; problems: RecordProblem[] } | null {
  const problems: RecordProblem[] = [];
  const status = cfg.statusCodes[sr.status ?? 'unknown'];
  if (status === 'ignore') return null;
  const identifier = cfg.referralIdentifierSystem
    ? sr.identifier?.find((i) => i.system === cfg.referralIdentifierSystem)
    : sr.identifier?.[0];
  const fields: RawFields = {
    referralId: identifier?.value ?? sr.id,
    referralReceivedDate: fhirDate(sr.authoredOn),
    priority: cfg.priorityCodes[sr.priority ?? 'routine'] ?? sr.priority,
    status: status ?? sr.status,
  };
  const stopDate =
    fhirDate(sr.occurrencePeriod?.start ?? sr.occurrenceDateTime) ?? fhirDate(sr.meta?.lastUpdated);
  if (status === 'treatment-started') fields.treatmentStartDate = stopDate;
  if (status === 'active-monitoring') fields.activeMonitoringDate = stopDate;
  if (status === 'discharged') {
    fields.dischargeDate = fhirDate(sr.occurrencePeriod?.end) ?? stopDate;
  }

  const subjectNhs =
    sr.subject?.identifier?.system === NHS_NUMBER_SYSTEM ? sr.subject.identifier.value : undefined;
  if (!patient) {
    problems.push({
      field: 'row',
      message:
        'the subject Patient was not included in the Bundle (_include=ServiceRequest:subject)',
    });
    fields.nhsNumber = subjectNhs;
    return { fields, problems };
  }
  fields.nhsNumber =
    patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value ?? subjectNhs;
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  fields.givenName = name?.given?.[0];
  fields.familyName = name?.family;
  fields.dateOfBirth = patient.birthDate;
  const address = patient.address?.find((a) => a.use === 'home') ?? patient.address?.[0];
  fields.addressLine1 = address?.line?.[0];
  fields.addressLine2 = address?.line?.[1];
  fields.town = address?.city;
  fields.postcode = address?.postalCode;
  const email = patient.telecom?.find((t) => t.system === 'email')?.value;
  const phone = (
    patient.telecom?.find((t) => t.system === 'sms') ??
    patient.telecom?.find((t) => t.system === 'phone' && t.use === 'mobile') ??
    patient.telecom?.find((t) => t.system === 'phone')
  )?.value;
  fields.contactEmail = email;
  fields.contactPhone = phone;
  fields.preferredChannel = email ? 'email' : phone ? 'sms' : 'letter';
  return { fields, problems };
}
