import { ageInMonths } from '../../common/time/calendar-date.js';
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

/**
 * What each referral's service adds to its facts, by service code: the RTT target the rules compare
 * waits with, and `service.number` (rank keys). Read from the `service` table in the facts' own
 * snapshot (RescoreRepository.openFacts) rather than joined to every referral by the facts query,
 * which cost PostgreSQL about a tenth of that query's CPU (docs/prioritisation.md, "Sixteenth
 * session").
 */
export type ServiceFacts = ReadonlyMap<
  string,
  { readonly targetWeeks: number; readonly number: number }
>;

/** Columns of one facts row (the facts query in rescore.repository.ts), in order. */
export const FACTS_COLUMNS = 12;

const decoder = new TextDecoder('utf-8', { fatal: true });
const NEWLINE = 0x0a;
/**
 * Bytes decoded into one string at a time (whole lines). V8 keeps a string over 128 kB in memory
 * mapped for it alone, afresh for each: on the benchmark box, decoding 256 kB batches whole cost 1.2 s
 * of the scoring worker's 3.6 s at 1,000,000 referrals, nearly all of it faulting in those pages
 * (0.4 s in windows of 64 kB).
 */
const DECODE_BYTES = 64 * 1024;

/**
 * Parses whole lines of the facts query's COPY text output (rescore.repository.ts): tab-separated,
 * `\N` for null, backslash escapes; the date of birth as YYYY-MM-DD, referrals packed as
 * "id,service,provider,priority,days;..." (each service's target and number from `services`) and
 * flags as "code:detail|...". Bytes rather than rows so that a batch goes to the scoring worker as
 * one transferred buffer, and is decoded there, a window of whole lines at a time. Ages are worked
 * out here, as at `asAt` (see monthsOld).
 */
export function parseFacts(
  bytes: Uint8Array,
  asAt: string,
  services: ServiceFacts,
  window = DECODE_BYTES,
): ChildRow[] {
  return [...factsRows(bytes, asAt, services, window)];
}

/**
 * The rows of parseFacts one at a time, parsed as they are asked for: a batch scored row by row
 * keeps only the row in hand alive (and the window's text), not the whole batch's rows, so the
 * scoring worker's young-generation collections have little to copy.
 */
export function* factsRows(
  bytes: Uint8Array,
  asAt: string,
  services: ServiceFacts,
  window = DECODE_BYTES,
): Generator<ChildRow, void, undefined> {
  const f: Array<string | null> = new Array<string | null>(FACTS_COLUMNS);
  for (let start = 0; start < bytes.length;) {
    let end = bytes.length;
    if (end - start > window) {
      // The last line that ends in the window; a line longer than the window, whole.
      const cut = bytes.lastIndexOf(NEWLINE, start + window - 1);
      const next = cut >= start ? cut : bytes.indexOf(NEWLINE, start + window);
      end = next === -1 ? bytes.length : next + 1;
    }
    const text = decoder.decode(bytes.subarray(start, end));
    for (let pos = 0; pos < text.length;) {
      let lineEnd = text.indexOf('\n', pos);
      if (lineEnd === -1) lineEnd = text.length;
      splitLine(text, pos, lineEnd, f);
      yield toChildRow(f, asAt, services);
      pos = lineEnd + 1;
    }
    start = end;
  }
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

function toChildRow(r: Array<string | null>, asAt: string, services: ServiceFacts): ChildRow {
  const referrals: ReferralFacts[] = [];
  const serviceNumbers: number[] = [];
  // "id,service,provider,priority,days;...": read in place rather than split into arrays of strings
  // (a million referrals per full rescore).
  const packed = r[5]!;
  for (let p = 0; p < packed.length;) {
    let end = packed.indexOf(';', p);
    if (end === -1) end = packed.length;
    const c1 = packed.indexOf(',', p);
    const c2 = packed.indexOf(',', c1 + 1);
    const c3 = packed.indexOf(',', c2 + 1);
    const c4 = packed.indexOf(',', c3 + 1);
    // A part missing leaves one search at -1 (and the next one starting again from 0).
    if (Math.min(c1, c2, c3, c4) < 0 || c4 > end) {
      throw new Error('a packed referral has fewer than 5 parts');
    }
    const c5 = packed.indexOf(',', c4 + 1);
    if (c5 !== -1 && c5 < end) throw new Error('a packed referral has more than 5 parts');
    const code = packed.slice(c1 + 1, c2);
    const service = services.get(code);
    // The referral table's foreign key makes this a broken snapshot, not a data error.
    if (!service) throw new Error(`a referral's service "${code}" is not in the service table`);
    referrals.push({
      referralId: packed.slice(p, c1),
      service: code,
      provider: packed.slice(c2 + 1, c3),
      priority: packed.slice(c3 + 1, c4),
      daysWaited: end === c4 + 1 ? null : Number(packed.slice(c4 + 1, end)),
      targetWeeks: service.targetWeeks,
    });
    serviceNumbers.push(service.number);
    p = end + 1;
  }
  inReferralIdOrder(referrals, serviceNumbers);
  const flagDetails = r[6] ? r[6].split('|').map(unescapeFlagDetail) : [];
  const flags: string[] = [];
  for (const f of flagDetails) {
    const code = f.split(':')[0];
    if (!flags.includes(code)) flags.push(code);
  }
  const ageMonths = monthsOld(r[4], asAt);
  return {
    facts: {
      childId: r[0]!,
      ageYears: ageMonths === null ? null : Math.floor(ageMonths / 12),
      ageMonths,
      locality: r[2],
      deprivationDecile: num(r[3]),
      flags,
      flagDetails,
      checkIn: r[7]
        ? { answer: r[7] as 'no-change' | 'worse' | 'crisis', daysAgo: num(r[8]) ?? 0 }
        : null,
      referrals,
    },
    pseudonym: r[1]!,
    overrideBand: r[9],
    previousScore: num(r[10]),
    previousBand: r[11],
    serviceNumbers,
  };
}

/** Undoes the facts query's escapes in a flag's detail ("\p" is "|", "\\" a backslash). */
function unescapeFlagDetail(s: string): string {
  return s.includes('\\') ? s.replace(/\\(.)/g, (_, c: string) => (c === 'p' ? '|' : c)) : s;
}

/**
 * Puts a child's referrals (and their service numbers, position by position) in referral id order,
 * the order the explanation reads them in (priority.repository.ts). The facts query aggregates them
 * in whatever order PostgreSQL reads them, which differs between plans (an incremental rescore's and
 * a full one's) and after an update moves a row; the triggers and problems stored with the score
 * are listed in the referrals' order. An insertion sort: a child has few referrals, usually in order.
 */
function inReferralIdOrder(referrals: ReferralFacts[], serviceNumbers: number[]): void {
  for (let i = 1; i < referrals.length; i++) {
    const r = referrals[i];
    const n = serviceNumbers[i];
    let j = i;
    for (; j > 0 && referrals[j - 1].referralId > r.referralId; j--) {
      referrals[j] = referrals[j - 1];
      serviceNumbers[j] = serviceNumbers[j - 1];
    }
    referrals[j] = r;
    serviceNumbers[j] = n;
  }
}

/**
 * Completed months of age as at the run's date, from the date of birth; none when it is unknown or
 * after that date (a data error the rules see as a missing age). Worked out here rather than by
 * PostgreSQL's age() in the facts query, which cost ~0.25 s of the database's CPU per full rescore
 * (three calls per child); ageInMonths counts as age() does (rescore.int-spec.ts compares them).
 */
function monthsOld(dateOfBirth: string | null, asAt: string): number | null {
  if (dateOfBirth === null) return null;
  if (!isIsoShaped(dateOfBirth)) {
    throw new Error('a facts row has a date of birth that is not YYYY-MM-DD');
  }
  return dateOfBirth > asAt ? null : ageInMonths(dateOfBirth, asAt);
}

/** "dddd-dd-dd" (PostgreSQL writes a date so with DateStyle ISO, which the facts query sets). */
function isIsoShaped(s: string): boolean {
  if (s.length !== 10) return false;
  for (let i = 0; i < 10; i++) {
    const c = s.charCodeAt(i);
    if (i === 4 || i === 7 ? c !== 45 : c < 48 || c > 57) return false;
  }
  return true;
}
