import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no I, O, 0, 1: easy to read aloud

/**
 * Stable per-deployment pseudonym for a child: keyed HMAC of the NHS number, so it cannot be
 * reversed or recomputed without the deployment's secret. Shown to commissioners instead of identity.
 */
export function pseudonymFor(nhsNumber: string, secret: string): string {
  const digest = createHmac('sha256', secret).update(nhsNumber).digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += ALPHABET[digest[i] % ALPHABET.length];
  return `WW-${out.slice(0, 5)}-${out.slice(5)}`;
}
