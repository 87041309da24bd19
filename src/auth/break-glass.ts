/**
 * Break-glass reason from the X-Break-Glass-Reason header: `null` when absent, `'invalid'` when it is
 * too short, too long or holds control characters. (Pure: the guard turns 'invalid' into an error.)
 */
export function parseBreakGlassReason(raw: string | string[] | undefined, minLength: number): string | null | 'invalid' {
  if (raw === undefined) return null;
  const value = (Array.isArray(raw) ? raw.join(' ') : raw).trim();
  // eslint-disable-next-line no-control-regex
  if (value.length < minLength || value.length > 500 || /[\u0000-\u001f\u007f]/.test(value)) return 'invalid';
  return value;
}
