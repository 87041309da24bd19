/**
 * Reading PostgreSQL's COPY text format (https://www.postgresql.org/docs/current/sql-copy.html):
 * tab-separated, `\N` for null, backslash escapes. The rescore reads its facts this way
 * (facts-row.ts); it writes scores in the binary format (copy-binary.ts).
 */
const UNESCAPED: Record<string, string> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * Decodes one field of COPY text output (not `\N`, which the caller reads as null): PostgreSQL writes
 * a backslash as `\\` and the control characters backspace, form feed, newline, carriage return, tab
 * and vertical tab as `\b \f \n \r \t \v`; everything else as it is.
 */
export function fromCopyText(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(.)/gs, (_, c: string) => UNESCAPED[c] ?? c);
}
