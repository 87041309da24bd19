/**
 * PostgreSQL COPY text-format encoding (https://www.postgresql.org/docs/current/sql-copy.html):
 * tab-separated, \N for null, backslash escapes; arrays as quoted array literals.
 */
export function copyText(v: string | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : v;
}

export function copyNumber(v: number | null | undefined): string {
  return v === null || v === undefined ? '\\N' : String(v);
}

export function copyBool(v: boolean): string {
  return v ? 't' : 'f';
}

/** A text[] literal, every element quoted, then COPY-escaped. */
export function copyTextArray(values: readonly string[]): string {
  if (values.length === 0) return '{}';
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i) out += ',';
    out += `"${values[i].replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  return copyText(`${out}}`);
}

const UNESCAPED: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * Decodes one field of COPY text output (not `\N`, which the caller reads as null): PostgreSQL writes
 * a backslash as `\\` and the control characters backspace, form feed, newline, carriage return, tab
 * and vertical tab as `\b \f \n \r \t \v`; everything else as it is.
 */
export function fromCopyText(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(.)/gs, (_, c: string) => UNESCAPED[c] ?? c);
}
