import type { PathwayRules } from '../../referrals/pathway-facts.js';
import { RECORD_FIELDS, type RawFields } from './ingest-record.js';

/** Bump when the meaning of a row changes (validation, derivation), so every referral is re-derived once. */
export const FINGERPRINT_VERSION = 'v2';

/** The hash's state after some text: two 32-bit lanes. */
export interface FingerprintSeed {
  readonly h1: number;
  readonly h2: number;
}

const FIELD_SEPARATOR = 0x1f;

/**
 * The state after `text`, to start each row's fingerprint from (the version and the mapping's
 * digest are hashed once per file, not once per row). PURE.
 */
export function fingerprintSeed(text: string): FingerprintSeed {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return { h1, h2 };
}

/**
 * Fingerprint of the values at `positions` (a missing value counts as empty): cyrb53 (bryc, public
 * domain), a 53-bit non-cryptographic hash, of the seed's text followed by each value after a
 * U+001F separator, computed over the values as they are instead of over one joined string.
 * Joining the fields, encoding the text and one SHA-1 per row cost more than parsing the row
 * (docs/ingest.md); a change needs no resistance to forgery here (the provider writes the list),
 * and both lanes take each character through a bijection, so a row differing in one character
 * always has a different 64-bit state. An integer below 2^53: exact as a JS number, a bigint
 * column and JSON. PURE.
 */
export function fingerprintOf(
  seed: FingerprintSeed,
  values: ReadonlyArray<string | undefined>,
  positions: ArrayLike<number>,
): number {
  let h1 = seed.h1;
  let h2 = seed.h2;
  for (let p = 0; p < positions.length; p++) {
    h1 = Math.imul(h1 ^ FIELD_SEPARATOR, 2654435761);
    h2 = Math.imul(h2 ^ FIELD_SEPARATOR, 1597334677);
    const s = values[positions[p]] ?? '';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const RECORD_SEED = fingerprintSeed(FINGERPRINT_VERSION);
const RECORD_POSITIONS = RECORD_FIELDS.map((_, i) => i);

/**
 * Fingerprint of everything a source says in one row. Stored on the referral: a later row with the
 * same fingerprint is unchanged and is not processed again. PURE.
 */
export function fieldsFingerprint(fields: RawFields): number {
  return fingerprintOf(
    RECORD_SEED,
    RECORD_FIELDS.map((f) => fields[f]),
    RECORD_POSITIONS,
  );
}

const WITHOUT_NULLIFICATION_SEED = fingerprintSeed(
  `${FINGERPRINT_VERSION}\x1eno-dna-nullification`,
);
const FIRST = [0];

/**
 * A row's fingerprint as stored, under the clock rule its referral is derived with: unchanged under
 * the default rule (a first-appointment DNA nullifies), another under the other one, so that
 * changing a regime's rule in config/rtt-reporting.yaml re-derives every referral of its services
 * on their next pull (each reported as updated once) instead of leaving the earlier clocks. PURE.
 */
export function fingerprintUnder(fingerprint: number, rules: PathwayRules): number {
  if (rules.nullifyFirstAppointmentDna) return fingerprint;
  return fingerprintOf(WITHOUT_NULLIFICATION_SEED, [String(fingerprint)], FIRST);
}
