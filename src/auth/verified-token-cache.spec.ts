import { describe, expect, it } from '@jest/globals';
import type { AuthUser } from './auth-user.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const user: AuthUser = { subject: 'clinician-1', role: 'clinician', services: ['slt'] };
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

function clock() {
  let now = T0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe(VerifiedTokenCache.name, () => {
  it('should give back a copy of the remembered user, which callers cannot change in the cache', () => {
    const c = clock();
    const cache = new VerifiedTokenCache(10, 300_000, c.now);
    cache.remember('token-a', user, T0 / 1000 + 3600);
    const first = cache.get('token-a') as AuthUser;
    expect(first).toEqual(user);
    first.services.push('mental-health');
    first.breakGlass = { reason: 'x' };
    expect(cache.get('token-a')).toEqual(user);
    expect(cache.get('token-b')).toBeUndefined();
  });

  it('should stop using an entry at the token expiry, without any clock-skew allowance', () => {
    const c = clock();
    const cache = new VerifiedTokenCache(10, 300_000, c.now);
    cache.remember('token-a', user, T0 / 1000 + 60);
    c.advance(59_999);
    expect(cache.get('token-a')).toEqual(user);
    c.advance(1);
    expect(cache.get('token-a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('should stop using an entry after its maximum age even when the token lives longer', () => {
    const c = clock();
    const cache = new VerifiedTokenCache(10, 300_000, c.now);
    cache.remember('token-a', user, T0 / 1000 + 3600);
    c.advance(299_999);
    expect(cache.get('token-a')).toEqual(user);
    c.advance(1);
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('should not remember tokens without an expiry or already expired', () => {
    const c = clock();
    const cache = new VerifiedTokenCache(10, 300_000, c.now);
    cache.remember('no-exp', user, undefined);
    cache.remember('expired', user, T0 / 1000 - 1);
    expect(cache.get('no-exp')).toBeUndefined();
    expect(cache.get('expired')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('should hold at most maxEntries, dropping the least recently used first', () => {
    const c = clock();
    const cache = new VerifiedTokenCache(2, 300_000, c.now);
    const exp = T0 / 1000 + 3600;
    cache.remember('a', user, exp);
    cache.remember('b', user, exp);
    expect(cache.get('a')).toEqual(user); // a is now the most recently used
    cache.remember('c', user, exp);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(user);
    expect(cache.get('c')).toEqual(user);
  });
});
