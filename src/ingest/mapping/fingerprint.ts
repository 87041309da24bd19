import { hash } from 'node:crypto';
import { RECORD_FIELDS, type RawFields } from './ingest-record.js';

/** Bump when the meaning of a row changes (validation, derivation), so every referral is re-derived once. */
export const FINGERPRINT_VERSION = 'v1';

/**
 * Fingerprint of everything a source says in one row. Stored on the referral: a later row with the
 * same fingerprint is unchanged and is not processed again. PURE.
 */
export function fieldsFingerprint(fields: RawFields): string {
  let text = FINGERPRINT_VERSION;
  for (const f of RECORD_FIELDS) text += `\x1f${fields[f] ?? ''}`;
  return hash('sha1', text, 'base64');
}
