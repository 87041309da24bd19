import type { RawFields, RecordProblem } from '../mapping/ingest-record.js';

/** One row or resource read from a source, before validation. */
export interface SourceItem {
  /** CSV: the row as a spreadsheet numbers it; FHIR: the position of the ServiceRequest in the search. */
  rowNumber: number;
  /** The provider's referral id as given (trimmed), or null when missing. */
  referralId: string | null;
  /** Fingerprint of what the source says in this row (see mapping/fingerprint.ts). */
  fingerprint: number;
  /** False when the reader already knows the row is malformed (it then never counts as unchanged). */
  wellFormed: boolean;
  /** The row's fields in WaitWell's terms, and problems found while mapping (a date in the wrong format). */
  read(): { fields: RawFields; problems: RecordProblem[] };
  /** The row as the source sent it, kept only when the row is rejected (patient data). */
  raw(): Record<string, unknown>;
}
