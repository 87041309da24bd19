import { hash } from 'node:crypto';
import { compileDateFormat } from './date-format.js';
import { FINGERPRINT_VERSION, fingerprintOf, fingerprintSeed } from './fingerprint.js';
import {
  CODED_FIELDS,
  DATE_FIELDS,
  type CodedField,
  type RawFields,
  type RecordField,
  type RecordProblem,
} from './ingest-record.js';

export interface CsvMapping {
  dateFormat: string;
  delimiter: string;
  columns: Record<string, string>;
  codes: Record<string, Record<string, string>>;
}

export interface BoundCsvMapper {
  /** Header names in file order (for keeping a rejected row as it was). */
  header: string[];
  map(values: string[]): { fields: RawFields; problems: RecordProblem[] };
  /** The referral id as written (trimmed), without mapping the rest of the row. */
  referralId(values: string[]): string | null;
  /**
   * Fingerprint of the mapped columns as written, and of the mapping itself: equal fingerprints
   * mean the row would map, validate and derive exactly as before, so it need not be mapped again.
   */
  fingerprint(values: string[]): number;
}

export type BindResult = { mapper: BoundCsvMapper } | { missing: string[]; hint?: string };

const norm = (s: string) => s.trim().toLowerCase();

/**
 * Binds a source's column mapping to the header row of one file: finds each mapped column
 * (ignoring case and surrounding spaces), or names the ones that are missing. PURE.
 */
export function bindCsvHeader(header: string[], mapping: CsvMapping): BindResult {
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!index.has(norm(h))) index.set(norm(h), i);
  });
  const positions: Array<[RecordField, number]> = [];
  const missing: string[] = [];
  for (const [field, column] of Object.entries(mapping.columns)) {
    const at = index.get(norm(column));
    if (at === undefined) missing.push(column);
    else positions.push([field as RecordField, at]);
  }
  if (missing.length > 0) {
    const other = [',', ';', '\t', '|'].find(
      (d) => d !== mapping.delimiter && header.length === 1 && header[0].includes(d),
    );
    const hint = other
      ? `the header has a single column containing "${other === '\t' ? '\\t' : other}": the file seems to use that delimiter, but this source is configured for "${mapping.delimiter === '\t' ? '\\t' : mapping.delimiter}"`
      : undefined;
    return { missing, hint };
  }
  const date = compileDateFormat(mapping.dateFormat);
  const codeMaps = new Map<CodedField, Map<string, string>>();
  for (const field of CODED_FIELDS) {
    const m = mapping.codes[field];
    if (m) codeMaps.set(field, new Map(Object.entries(m).map(([k, v]) => [norm(k), v])));
  }
  const isDate = new Set<RecordField>(DATE_FIELDS);
  const refAt = positions.find(([f]) => f === 'referralId')?.[1];
  // The mapping enters each row's fingerprint as a digest of its own, hashed once into the seed
  // every row's fingerprint starts from (not a few hundred characters again for every row).
  const seed = fingerprintSeed(
    `${FINGERPRINT_VERSION}\x1e${hash('sha1', JSON.stringify([mapping.dateFormat, positions.map(([f]) => f), mapping.codes]), 'base64')}`,
  );
  const columns = Int32Array.from(positions, ([, at]) => at);
  return {
    mapper: {
      header,
      referralId: (values) => (refAt === undefined ? null : values[refAt]?.trim() || null),
      fingerprint: (values) => fingerprintOf(seed, values, columns),
      map(values) {
        const fields: RawFields = {};
        const problems: RecordProblem[] = [];
        for (const [field, at] of positions) {
          let v = (values[at] ?? '').trim();
          if (v && isDate.has(field)) {
            const iso = date.parse(v);
            if (iso === null) {
              problems.push({
                field,
                message: `${field} is not a date in the format ${mapping.dateFormat}`,
              });
              continue;
            }
            v = iso;
          } else if (v && codeMaps.has(field as CodedField)) {
            v = codeMaps.get(field as CodedField)!.get(norm(v)) ?? v;
          }
          fields[field] = v;
        }
        return { fields, problems };
      },
    },
  };
}
