import type { AuthUser } from './auth-user.js';

interface Entry {
  user: AuthUser;
  /** Epoch ms after which the entry is not used (re-verified instead). */
  until: number;
}

/**
 * Remembers the users of provider tokens that verified, keyed by the exact token, so a client that
 * sends the same bearer token on every request is not put through RS256 and claim mapping each time.
 * An entry is used only before the token's own expiry (exp, without the clock-skew allowance, so
 * never longer than a fresh verification would accept it) and for at most `maxAgeMs` (a signing key
 * dropped from the provider's JWKS stops being honoured within that time, as with jose's JWKS
 * cache). Bounded: the least recently used entry goes first. Refused tokens are never remembered.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 5000,
    private readonly maxAgeMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A copy of the remembered user, or undefined (unknown, expired or too old: verify it again). */
  get(token: string): AuthUser | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    if (this.now() >= entry.until) return undefined;
    this.entries.set(token, entry); // most recently used last
    return copy(entry.user);
  }

  /** `expSeconds`: the token's exp claim (seconds since the epoch). */
  remember(token: string, user: AuthUser, expSeconds: number | undefined): void {
    if (expSeconds === undefined || !Number.isFinite(expSeconds)) return;
    const until = Math.min(expSeconds * 1000, this.now() + this.maxAgeMs);
    if (until <= this.now()) return;
    this.entries.delete(token);
    this.entries.set(token, { user: copy(user), until });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Callers may extend the user they get (e.g. break-glass): never hand out the remembered object. */
function copy(user: AuthUser): AuthUser {
  return { ...user, services: [...user.services] };
}
