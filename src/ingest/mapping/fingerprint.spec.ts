import { describe, expect, it } from '@jest/globals';
import { fieldsFingerprint, fingerprintOf, fingerprintSeed } from './fingerprint.js';

describe('fingerprintOf', () => {
  const seed = fingerprintSeed('v2\x1emapping');

  it('should be cyrb53 as published (bryc) of the seed text', () => {
    for (const [text, published] of [
      ['a', 7929297801672961],
      ['b', 8684336938537663],
      ['revenge', 4051478007546757],
      ['revenue', 8309097637345594],
    ] as const) {
      expect(fingerprintOf(fingerprintSeed(text), [], [])).toBe(published);
    }
  });

  it('should hash each value after a separator, as if joined, without joining them', () => {
    const values = ['9434765919', ' P-1 ', 'Zoë 😀', '', '02/03/2026'];
    expect(fingerprintOf(seed, values, [0, 1, 2, 3, 4])).toBe(
      fingerprintOf(
        fingerprintSeed('v2\x1emapping\x1f9434765919\x1f P-1 \x1fZoë 😀\x1f\x1f02/03/2026'),
        [],
        [],
      ),
    );
    expect(fingerprintOf(seed, values, [4, 0])).toBe(
      fingerprintOf(fingerprintSeed('v2\x1emapping\x1f02/03/2026\x1f9434765919'), [], []),
    );
  });

  it('should count a value missing from a short row as empty', () => {
    expect(fingerprintOf(seed, ['a'], [0, 1])).toBe(fingerprintOf(seed, ['a', ''], [0, 1]));
  });

  it('should be an integer below 2^53, so a bigint column and JSON keep it exactly', () => {
    for (const v of ['', 'a', 'x'.repeat(1000), '\uffff\u0000']) {
      const f = fingerprintOf(seed, [v], [0]);
      expect(Number.isSafeInteger(f) && f >= 0).toBe(true);
    }
  });

  it('should change with any one character of a value, the separators and the seed', () => {
    const row = ['9434765919', '2018-05-01', 'P-1', '2026-03-02', 'routine'];
    const base = fingerprintOf(seed, row, [0, 1, 2, 3, 4]);
    const seen = new Set([base]);
    row.forEach((value, at) => {
      for (let i = 0; i < value.length; i++) {
        const changed = [...row];
        changed[at] =
          value.slice(0, i) + String.fromCharCode(value.charCodeAt(i) ^ 1) + value.slice(i + 1);
        seen.add(fingerprintOf(seed, changed, [0, 1, 2, 3, 4]));
      }
    });
    expect(seen.size).toBe(1 + row.join('').length);
    expect(fingerprintOf(seed, ['ab', 'c'], [0, 1])).not.toBe(
      fingerprintOf(seed, ['a', 'bc'], [0, 1]),
    );
    expect(fingerprintOf(fingerprintSeed('v3\x1emapping'), row, [0])).not.toBe(
      fingerprintOf(seed, row, [0]),
    );
  });
});

describe('fieldsFingerprint', () => {
  it('should fingerprint what the source said, so the same row is recognised and any change is not', () => {
    const f = { referralId: 'R-1', nhsNumber: '9434765919', priority: 'routine' };
    expect(fieldsFingerprint(f)).toBe(fieldsFingerprint({ ...f }));
    expect(fieldsFingerprint(f)).not.toBe(fieldsFingerprint({ ...f, priority: 'urgent' }));
    expect(fieldsFingerprint({ ...f, givenName: 'a' })).not.toBe(
      fieldsFingerprint({ ...f, familyName: 'a' }),
    );
  });
});
