export type BreakGlassHeader =
  { kind: 'absent' } | { kind: 'invalid' } | { kind: 'valid'; reason: string };

/** The longest reason accepted, in characters (Unicode code points). */
export const BREAK_GLASS_MAX_REASON_LENGTH = 500;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The X-Break-Glass-Reason header: absent, invalid or a valid reason. Pure: the guard turns
 * 'invalid' into an error.
 *
 * Node hands header values over byte for byte as Latin-1, so a reason sent in UTF-8 (curl, most
 * clients) is decoded as UTF-8 when its bytes are valid UTF-8; otherwise it was Latin-1 (a browser's
 * fetch) and is kept as it is. Either way the audit holds what the person typed, not "ZoÃ«".
 * Runs of white space count, and are kept, as one space. A reason is invalid when it is shorter than
 * `minLength` or longer than 500 characters, holds no word (two letters or more: "..........." says
 * nothing), or holds control or format characters (a right-to-left override would make the reason
 * read differently to an auditor than it was written).
 */
export function parseBreakGlassReason(
  raw: string | string[] | undefined,
  minLength: number,
): BreakGlassHeader {
  if (raw === undefined) return { kind: 'absent' };
  const value = asTyped(Array.isArray(raw) ? raw.join(' ') : raw)
    .replace(/[ \t]+/g, ' ')
    .trim();
  const length = [...value].length;
  if (
    length < minLength ||
    length > BREAK_GLASS_MAX_REASON_LENGTH ||
    /\p{C}/u.test(value) ||
    !/\p{L}{2}/u.test(value)
  ) {
    return { kind: 'invalid' };
  }
  return { kind: 'valid', reason: value };
}

/** The header's text as the person typed it: UTF-8 when its bytes are UTF-8, else Latin-1. */
function asTyped(latin1: string): string {
  // Plain ASCII needs no decoding; characters past Latin-1 never come from Node's parser.
  if (/^[\x00-\x7f]*$/.test(latin1) || /[^\x00-\xff]/.test(latin1)) return latin1;
  try {
    return UTF8.decode(Buffer.from(latin1, 'latin1'));
  } catch {
    return latin1;
  }
}
