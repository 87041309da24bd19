import type { RawFields, RecordProblem } from '../mapping/ingest-record.js';

/** One row or resource read from a source, before validation. */
export interface SourceItem {
  /** CSV: the row as a spreadsheet numbers it; FHIR: the position of the ServiceRequest in the search. */
  rowNumber: number;
  fields: RawFields;
  /** Problems the reader already found (a date in the wrong format, a missing Patient). */
  problems: RecordProblem[];
  /** The row as the source sent it, kept only when the row is rejected (patient data). */
  raw(): Record<string, unknown>;
}
