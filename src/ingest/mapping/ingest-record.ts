import { ageInYears, isIsoDate } from '../../common/time/calendar-date.js';
import {
  describeNhsNumberProblem,
  nhsNumberProblem,
  normaliseNhsNumber,
} from '../../common/validation/nhs-number.js';
import type { PathwayFacts } from '../../referrals/pathway-facts.js';

/**
 * The fields WaitWell understands in a provider's list, whatever the source calls them. A CSV
 * source maps its own header names onto these; the FHIR reader fills them from ServiceRequest and
 * Patient. PURE: no Nest, no TypeORM.
 */
export const RECORD_FIELDS = [
  'nhsNumber',
  'givenName',
  'familyName',
  'dateOfBirth',
  'addressLine1',
  'addressLine2',
  'town',
  'postcode',
  'lsoaCode',
  'locality',
  'deprivationDecile',
  'contactEmail',
  'contactPhone',
  'preferredChannel',
  'largePrint',
  'easyRead',
  'language',
  'flags',
  'referralId',
  'referralReceivedDate',
  'priority',
  'status',
  'firstAppointmentDate',
  'firstAppointmentOutcome',
  'rebookedDate',
  'treatmentStartDate',
  'activeMonitoringDate',
  'dischargeDate',
] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

/** A list is unusable without these. */
export const REQUIRED_FIELDS: readonly RecordField[] = [
  'nhsNumber',
  'dateOfBirth',
  'referralId',
  'referralReceivedDate',
  'priority',
];

export const DATE_FIELDS: readonly RecordField[] = [
  'dateOfBirth',
  'referralReceivedDate',
  'firstAppointmentDate',
  'rebookedDate',
  'treatmentStartDate',
  'activeMonitoringDate',
  'dischargeDate',
];

/** Coded fields and the values WaitWell uses; a source maps its own codes onto these. */
export const CANONICAL_CODES = {
  priority: ['routine', 'soon', 'urgent'],
  status: ['waiting', 'active-monitoring', 'treatment-started', 'discharged'],
  firstAppointmentOutcome: ['attended', 'dna'],
  preferredChannel: ['email', 'sms', 'letter'],
} as const satisfies Partial<Record<RecordField, readonly string[]>>;
export type CodedField = keyof typeof CANONICAL_CODES;
export const CODED_FIELDS = Object.keys(CANONICAL_CODES) as CodedField[];

export const FLAG_CODES = [
  'child-in-care',
  'ehcp',
  'safeguarding-concern',
  'not-in-school',
] as const;

/** Field values as text, already in WaitWell's form (ISO dates, canonical codes) where a reader could convert them. */
export type RawFields = Partial<Record<RecordField, string>>;

export interface RecordProblem {
  field: RecordField | 'row';
  message: string;
}

export interface IngestRecord {
  referralId: string;
  nhsNumber: string;
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: string;
  addressLines: string[];
  postcode: string | null;
  lsoaCode: string | null;
  locality: string | null;
  deprivationDecile: number | null;
  contactEmail: string | null;
  contactPhone: string | null;
  preferredChannel: 'email' | 'sms' | 'letter';
  accessibility: { largePrint: boolean; easyRead: boolean; language: string; interpreter: boolean };
  flags: Array<{ code: string; detail: string | null; recordedOn: string }>;
  priority: 'routine' | 'soon' | 'urgent';
  facts: PathwayFacts;
}

export interface ValidationContext {
  /** London calendar date of the pull: nothing may be later. */
  today: string;
  /** Oldest plausible age at referral (children's services) [U: default 25]. */
  maxAgeYearsAtReferral: number;
}

const EARLIEST_DATE = '1900-01-01';
const YES = new Set(['y', 'yes', 'true', '1']);
const NO = new Set(['', 'n', 'no', 'false', '0']);

function text(v: string | undefined): string | null {
  const s = v?.trim();
  return s ? s : null;
}

/**
 * Checks one row and turns it into a record, or lists every problem with it (one per field, in
 * words a data manager can act on; never the value itself, which may be patient data).
 */
export function validateRecord(
  f: RawFields,
  ctx: ValidationContext,
): { record: IngestRecord } | { problems: RecordProblem[] } {
  const problems: RecordProblem[] = [];
  const add = (field: RecordProblem['field'], message: string) => problems.push({ field, message });

  for (const field of REQUIRED_FIELDS) {
    if (!text(f[field])) add(field, `${field} is required but empty`);
  }

  const nhsRaw = text(f.nhsNumber);
  let nhsNumber = '';
  if (nhsRaw) {
    const problem = nhsNumberProblem(nhsRaw);
    if (problem) add('nhsNumber', describeNhsNumberProblem(problem));
    else nhsNumber = normaliseNhsNumber(nhsRaw);
  }

  for (const field of DATE_FIELDS) {
    const v = text(f[field]);
    if (!v) continue;
    if (!isIsoDate(v)) add(field, `${field} is not a real calendar date`);
    else if (v > ctx.today) add(field, `${field} is in the future`);
    else if (v < EARLIEST_DATE) add(field, `${field} is before ${EARLIEST_DATE}`);
  }
  const dateOk = (field: RecordField) => {
    const v = text(f[field]);
    return v && !problems.some((p) => p.field === field) ? v : null;
  };
  const dob = dateOk('dateOfBirth');
  const received = dateOk('referralReceivedDate');
  if (dob && received) {
    if (received < dob) {
      add('referralReceivedDate', 'referralReceivedDate is before the date of birth');
    } else if (ageInYears(dob, received) > ctx.maxAgeYearsAtReferral) {
      add(
        'dateOfBirth',
        `dateOfBirth makes the child older than ${ctx.maxAgeYearsAtReferral} at referral`,
      );
    }
  }
  if (received) {
    for (const field of [
      'firstAppointmentDate',
      'rebookedDate',
      'treatmentStartDate',
      'activeMonitoringDate',
      'dischargeDate',
    ] as const) {
      const v = dateOk(field);
      if (v && v < received) add(field, `${field} is before the referral was received`);
    }
  }

  for (const field of CODED_FIELDS) {
    const v = text(f[field]);
    if (v && !(CANONICAL_CODES[field] as readonly string[]).includes(v)) {
      add(
        field,
        `${field} has a code that is not mapped (add it to this source's codes.${field} mapping)`,
      );
    }
  }
  const bool = (field: 'largePrint' | 'easyRead'): boolean => {
    const v = (f[field] ?? '').trim().toLowerCase();
    if (YES.has(v)) return true;
    if (!NO.has(v)) add(field, `${field} must be Y or N`);
    return false;
  };
  const largePrint = bool('largePrint');
  const easyRead = bool('easyRead');

  const decileText = text(f.deprivationDecile);
  let deprivationDecile: number | null = null;
  if (decileText) {
    const n = Number(decileText);
    if (!Number.isInteger(n) || n < 1 || n > 10) {
      add('deprivationDecile', 'deprivationDecile must be a whole number from 1 to 10');
    } else deprivationDecile = n;
  }

  const flags = parseFlags(text(f.flags), add);

  // The pathway facts must tell one story: an outcome needs its appointment, a stop its date.
  const outcome = text(f.firstAppointmentOutcome) as 'attended' | 'dna' | null;
  if (outcome && !text(f.firstAppointmentDate)) {
    add(
      'firstAppointmentDate',
      'firstAppointmentOutcome is given but firstAppointmentDate is empty',
    );
  }
  if (text(f.rebookedDate) && outcome !== 'dna') {
    add(
      'rebookedDate',
      'rebookedDate is only meaningful after a first appointment that was not attended (dna)',
    );
  }
  const status = text(f.status);
  const stopDateFor: Record<string, RecordField> = {
    'treatment-started': 'treatmentStartDate',
    'active-monitoring': 'activeMonitoringDate',
    discharged: 'dischargeDate',
  };
  if (status && stopDateFor[status] && !text(f[stopDateFor[status]])) {
    add(stopDateFor[status], `status is ${status} but ${stopDateFor[status]} is empty`);
  }
  if (
    status === 'waiting' &&
    (text(f.treatmentStartDate) || text(f.activeMonitoringDate) || text(f.dischargeDate))
  ) {
    add(
      'status',
      'status is waiting but a treatment, active-monitoring or discharge date is given',
    );
  }

  const referralId = text(f.referralId);
  if (referralId && referralId.length > 100) {
    add('referralId', 'referralId is longer than 100 characters');
  }

  if (problems.length > 0) return { problems };
  const language = text(f.language)?.toLowerCase() ?? 'en';
  return {
    record: {
      referralId: referralId!,
      nhsNumber,
      givenName: text(f.givenName),
      familyName: text(f.familyName),
      dateOfBirth: dob!,
      addressLines: [text(f.addressLine1), text(f.addressLine2), text(f.town)].filter(
        (x): x is string => x !== null,
      ),
      postcode: text(f.postcode)?.toUpperCase() ?? null,
      lsoaCode: text(f.lsoaCode),
      locality: text(f.locality),
      deprivationDecile,
      contactEmail: text(f.contactEmail),
      contactPhone: text(f.contactPhone),
      preferredChannel: (text(f.preferredChannel) ?? 'letter') as IngestRecord['preferredChannel'],
      accessibility: { largePrint, easyRead, language, interpreter: language !== 'en' },
      flags,
      priority: text(f.priority) as IngestRecord['priority'],
      facts: {
        receivedDate: received!,
        firstAppointmentDate: text(f.firstAppointmentDate) ?? undefined,
        firstAppointmentOutcome: outcome ?? undefined,
        rebookedDate: text(f.rebookedDate) ?? undefined,
        treatmentStartDate: text(f.treatmentStartDate) ?? undefined,
        activeMonitoringDate: text(f.activeMonitoringDate) ?? undefined,
        dischargeDate: text(f.dischargeDate) ?? undefined,
      },
    },
  };
}

/** Flags as "code[:detail]@YYYY-MM-DD" separated by ";" (the WaitWell PTL layout). */
function parseFlags(
  v: string | null,
  add: (field: RecordField, message: string) => void,
): IngestRecord['flags'] {
  if (!v) return [];
  const out: IngestRecord['flags'] = [];
  for (const part of v.split(';')) {
    const item = part.trim();
    if (!item) continue;
    const [codeDetail, recordedOn] = item.split('@');
    const [code, detail] = codeDetail.split(':');
    if (!(FLAG_CODES as readonly string[]).includes(code)) {
      add('flags', `flags has an unknown flag code (known: ${FLAG_CODES.join(', ')})`);
    } else if (!isIsoDate(recordedOn)) {
      add('flags', 'flags must be written code[:detail]@YYYY-MM-DD');
    } else if (!out.some((f) => f.code === code)) {
      out.push({ code, detail: detail ?? null, recordedOn });
    }
  }
  return out;
}
