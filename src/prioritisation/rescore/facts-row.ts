import type { ChildFacts, ReferralFacts } from '../scoring/context.js';
import { fromCopyText } from './copy-text.js';

/** A child's scoring facts plus what the lists and previews need beside them. */
export interface ChildRow {
  facts: ChildFacts;
  pseudonym: string;
  overrideBand: string | null;
  previousScore: number | null;
  previousBand: string | null;
  /** `service.number` of each referral's service, in the order of `facts.referrals` (score tables). */
  serviceNumbers: number[];
}

/** Columns of one facts row (the facts query in rescore.repository.ts), in order. */
export const FACTS_COLUMNS = 13;

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses whole lines of the facts query's COPY text output (rescore.repository.ts): tab-separated,
 * `\N` for null, backslash escapes; referrals packed as
 * "id,service,provider,priority,days,target,service number;..." and flags as "code:detail|...". Bytes rather than rows so that a batch goes to the scoring worker
 * as one transferred buffer, and is decoded there.
 */
export function parseFacts(bytes: Uint8Array): ChildRow[] {
  const text = decoder.decode(bytes);
  const rows: ChildRow[] = [];
  const f: Array<string | null> = new Array<string | null>(FACTS_COLUMNS);
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    splitLine(text, pos, end, f);
    rows.push(toChildRow(f));
    pos = end + 1;
  }
  return rows;
}

function splitLine(text: string, start: number, end: number, out: Array<string | null>): void {
  let n = 0;
  let p = start;
  for (;;) {
    let tab = text.indexOf('\t', p);
    if (tab === -1 || tab > end) tab = end;
    if (n === FACTS_COLUMNS) {
      n++; // one column too many: refused below
      break;
    }
    const isNull = tab - p === 2 && text.charCodeAt(p) === 92 && text.charCodeAt(p + 1) === 78; // \N
    out[n++] = isNull ? null : fromCopyText(text.slice(p, tab));
    if (tab === end) break;
    p = tab + 1;
  }
  if (n !== FACTS_COLUMNS) {
    const count = n > FACTS_COLUMNS ? `more than ${FACTS_COLUMNS}` : `only ${n}`;
    throw new Error(`a facts row has ${count} columns, not ${FACTS_COLUMNS}`);
  }
}

const num = (s: string | null): number | null => (s === null ? null : Number(s));

function toChildRow(r: Array<string | null>): ChildRow {
  const referrals: ReferralFacts[] = [];
  const serviceNumbers: number[] = [];
  for (const packed of r[6]!.split(';')) {
    const [referralId, service, provider, priority, days, target, serviceNumber] =
      packed.split(',');
    serviceNumbers.push(Number(serviceNumber));
    referrals.push({
      referralId,
      service,
      provider,
      priority,
      daysWaited: days === '' ? null : Number(days),
      targetWeeks: Number(target),
    });
  }
  const flagDetails = r[7] ? r[7].split('|') : [];
  const flags: string[] = [];
  for (const f of flagDetails) {
    const code = f.split(':')[0];
    if (!flags.includes(code)) flags.push(code);
  }
  return {
    facts: {
      childId: r[0]!,
      ageYears: num(r[4]),
      ageMonths: num(r[5]),
      locality: r[2],
      deprivationDecile: num(r[3]),
      flags,
      flagDetails,
      checkIn: r[8]
        ? { answer: r[8] as 'no-change' | 'worse' | 'crisis', daysAgo: num(r[9]) ?? 0 }
        : null,
      referrals,
    },
    pseudonym: r[1]!,
    overrideBand: r[10],
    previousScore: num(r[11]),
    previousBand: r[12],
    serviceNumbers,
  };
}
