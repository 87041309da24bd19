export type BreakGlassHeader =
  { kind: 'absent' } | { kind: 'invalid' } | { kind: 'valid'; reason: string };

/**
 * The X-Break-Glass-Reason header: absent, invalid (too short, too long, or holding control
 * characters) or a valid reason. Pure: the guard turns 'invalid' into an error.
 */
export function parseBreakGlassReason(
  raw: string | string[] | undefined,
  minLength: number,
): BreakGlassHeader {
  if (raw === undefined) return { kind: 'absent' };
  const value = (Array.isArray(raw) ? raw.join(' ') : raw).trim();
  if (value.length < minLength || value.length > 500 || /\p{Cc}/u.test(value)) {
    return { kind: 'invalid' };
  }
  return { kind: 'valid', reason: value };
}
