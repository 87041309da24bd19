// The rescore's facts (rescore.repository.ts factsQuery) as PostgreSQL's COPY text output, for tests.
import type { ServiceFacts } from '../../src/prioritisation/rescore/facts-row.js';

/** The services' facts the test rows' referrals name (as the service table would give them). */
export const TEST_SERVICE_FACTS: ServiceFacts = new Map([
  ['neurodiversity', { targetWeeks: 13, number: 1 }],
  ['slt', { targetWeeks: 18, number: 2 }],
  ['community-paediatrics', { targetWeeks: 18, number: 3 }],
  ['mental-health', { targetWeeks: 18, number: 4 }],
]);

/** Facts rows as COPY text output (values written as PostgreSQL escapes them; null as \N). */
export function factsText(rows: Array<Array<string | number | null>>): Uint8Array<ArrayBuffer> {
  const escape = (v: string | number | null) =>
    v === null
      ? '\\N'
      : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
  const text = rows.map((r) => `${r.map(escape).join('\t')}\n`).join('');
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}
