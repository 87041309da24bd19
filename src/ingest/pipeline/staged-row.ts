import { nameKey, postcodeKey } from '../../linkage/matching/identity-rules.js';
import {
  derivePathway,
  type DerivedPathway,
  type PathwayRules,
} from '../../referrals/pathway-facts.js';
import type { IngestRecord } from '../mapping/ingest-record.js';

/**
 * One accepted row, ready for the staging table: the record, its derived clock (events and
 * current status per shared/domain/reference.md §1), linkage keys and the row's fingerprint. PURE.
 */
export interface StagedRow {
  rowNumber: number;
  record: IngestRecord;
  pseudonym: string;
  pathway: DerivedPathway;
  fingerprint: number;
}

export function stageRecord(
  rowNumber: number,
  record: IngestRecord,
  pseudonym: string,
  fingerprint: number,
  rules?: PathwayRules,
): StagedRow {
  return { rowNumber, record, pseudonym, pathway: derivePathway(record.facts, rules), fingerprint };
}

/** Column order of the staging table (see StagingRepository). */
export const STAGING_COLUMNS = [
  'row_no',
  'nhs',
  'pseudonym',
  'given_name',
  'family_name',
  'dob',
  'address_lines',
  'postcode',
  'lsoa_code',
  'locality',
  'decile',
  'email',
  'phone',
  'channel',
  'accessibility',
  'flags',
  'name_key',
  'postcode_key',
  'ref_id',
  'received',
  'priority',
  'status',
  'clock_start',
  'clock_stop',
  'stop_reason',
  'ev_types',
  'ev_dates',
  'ev_rtt',
  'row_fingerprint',
] as const;

/** PostgreSQL COPY text format: tab-separated, \N for null, backslash escapes. */
export function copyValue(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  const s = String(v);
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : s;
}

function arrayLiteral(xs: Array<string | null>): string {
  return `{${xs.map((x) => (x === null ? 'NULL' : `"${x.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;
}

export function toCopyLine(s: StagedRow): string {
  const r = s.record;
  const p = s.pathway;
  const values: Array<string | number | null> = [
    s.rowNumber,
    r.nhsNumber,
    s.pseudonym,
    r.givenName,
    r.familyName,
    r.dateOfBirth,
    JSON.stringify(r.addressLines),
    r.postcode,
    r.lsoaCode,
    r.locality,
    r.deprivationDecile,
    r.contactEmail,
    r.contactPhone,
    r.preferredChannel,
    JSON.stringify(r.accessibility),
    JSON.stringify(r.flags),
    nameKey(r.givenName, r.familyName),
    postcodeKey(r.postcode),
    r.referralId,
    r.facts.receivedDate,
    r.priority,
    p.status,
    p.clockStartDate,
    p.clockStopDate,
    p.clockStopReason,
    arrayLiteral(p.events.map((e) => e.type)),
    arrayLiteral(p.events.map((e) => e.date)),
    arrayLiteral(p.events.map((e) => e.rttStatus)),
    s.fingerprint,
  ];
  return `${values.map(copyValue).join('\t')}\n`;
}
