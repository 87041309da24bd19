/**
 * NHS number format and Modulus 11 check digit (shared/domain/reference.md §4).
 *
 * Digits 1-9 are weighted 10..2 and summed; check = 11 - (sum mod 11). A result of 11 means a
 * check digit of 0; a result of 10 means no check digit can make the number valid.
 * Spaces and hyphens (as in the 3-3-4 display form "943 476 5919") are ignored.
 */
export type NhsNumberProblem =
  'missing' | 'not-ten-digits' | 'check-digit-is-ten' | 'wrong-check-digit' | 'all-same-digit';

export function normaliseNhsNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

export function nhsNumberProblem(input: unknown): NhsNumberProblem | null {
  if (typeof input !== 'string' || input.trim() === '') return 'missing';
  const s = normaliseNhsNumber(input);
  if (!/^\d{10}$/.test(s)) return 'not-ten-digits';
  // Local business rule [U]: all-identical digits pass the checksum but are never issued.
  if (/^(\d)\1{9}$/.test(s)) return 'all-same-digit';
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(s[i]) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return 'check-digit-is-ten';
  return check === Number(s[9]) ? null : 'wrong-check-digit';
}

export function isValidNhsNumber(input: unknown): boolean {
  return nhsNumberProblem(input) === null;
}

const PROBLEM_TEXT: Record<NhsNumberProblem, string> = {
  missing: 'NHS number is missing',
  'not-ten-digits': 'NHS number must be 10 digits (spaces allowed, e.g. 943 476 5919)',
  'check-digit-is-ten':
    'NHS number is not valid: its check digit would be 10, so it cannot be a real NHS number',
  'wrong-check-digit':
    'NHS number is not valid: the last digit does not match the Modulus 11 check digit (typing error?)',
  'all-same-digit': 'NHS number is not valid: all ten digits are the same',
};

/** A sentence a person can act on. It never repeats the number itself. */
export function describeNhsNumberProblem(problem: NhsNumberProblem): string {
  return PROBLEM_TEXT[problem];
}

/** Appends the Modulus 11 check digit to a 9-digit stem, or returns null when the stem can't be valid. */
export function withCheckDigit(stem: string): string | null {
  if (!/^\d{9}$/.test(stem)) throw new RangeError('stem must be 9 digits');
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(stem[i]) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return null;
  return stem + String(check);
}
