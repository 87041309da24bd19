/**
 * Clock dates are calendar dates in Europe/London ("YYYY-MM-DD"), never instants: a wait is a count
 * of days between two dates, so BST changes cannot shift it (shared/domain/reference.md §1.8).
 */
const LONDON = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export function londonDate(instant: Date = new Date()): string {
  return LONDON.format(instant);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when s is a real calendar date in ISO form (rejects 2026-02-30). */
export function isIsoDate(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
  );
}

function dayNumber(iso: string): number {
  if (!isIsoDate(iso)) throw new RangeError('not a calendar date: ' + String(iso));
  return (
    Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) /
    86_400_000
  );
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

export function addDays(iso: string, days: number): string {
  return new Date((dayNumber(iso) + days) * 86_400_000).toISOString().slice(0, 10);
}

/** Completed years of age on `on`. */
export function ageInYears(dateOfBirth: string, on: string): number {
  let age = Number(on.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  if (on.slice(5) < dateOfBirth.slice(5)) age -= 1;
  return age;
}

/**
 * Completed months of age on `on` (both "YYYY-MM-DD"), counted as PostgreSQL's age() counts them: a
 * month is complete on the same day of a later month (so a child born on 31 January is one month old
 * on 1 March, and one born on 29 February has a birthday on 1 March in other years). Negative before
 * birth. Written with character codes: a full rescore asks for 400,000 children's ages.
 */
export function ageInMonths(dateOfBirth: string, on: string): number {
  const borrow = twoDigits(on, 8) < twoDigits(dateOfBirth, 8) ? 1 : 0;
  return monthNumber(on) - monthNumber(dateOfBirth) - borrow;
}

function monthNumber(iso: string): number {
  const year =
    (iso.charCodeAt(0) - 48) * 1000 +
    (iso.charCodeAt(1) - 48) * 100 +
    (iso.charCodeAt(2) - 48) * 10 +
    (iso.charCodeAt(3) - 48);
  return year * 12 + twoDigits(iso, 5) - 1;
}

function twoDigits(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);
}

/** Last day of the month "YYYY-MM". */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}
