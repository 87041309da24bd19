import { describe, expect, it } from '@jest/globals';
import { rankKey, serviceOfRankKey } from './rank-key.js';

type Place = [service: number, bandRank: number, negScore: number, negWeeks: number];

/**
 * The order the lists promise: service, band, score to the tenth (highest first), wait (longest
 * first). Scores that differ only by float noise (0.1 + 0.2 and 0.3) are the same score.
 */
function byColumns(a: Place, b: Place): number {
  const tenths = (p: Place): Place => [p[0], p[1], Math.round(p[2] * 10), p[3]];
  const [x, y] = [tenths(a), tenths(b)];
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

describe('rankKey', () => {
  it('should order keys exactly as the service, band, score and wait they pack', () => {
    // Scores are sums of points rounded to 0.1, so they land on tenths (and float noise around them).
    const places: Place[] = [];
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    for (let i = 0; i < 5000; i++) {
      places.push([
        next(5),
        next(4),
        0 - (next(4001) - 300) / 10,
        0 - next(600) + (next(9) ? 0 : 1),
      ]);
    }
    places.push([1, 0, 0 - (0.1 + 0.2), -3], [1, 0, -0.3, -3], [1, 0, -0.3, -4], [0, 0, -0, 1]);
    const byKey = [...places].sort((a, b) => {
      const ka = BigInt(rankKey(...a));
      const kb = BigInt(rankKey(...b));
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    const expected = [...places].sort(byColumns);
    // Equal places may come in either order; compare the places, not the array objects.
    expect(byKey.map((p) => p.map((x) => Math.round(x * 10) / 10 + 0))).toEqual(
      expected.map((p) => p.map((x) => Math.round(x * 10) / 10 + 0)),
    );
  });

  it('should keep scores and waits beyond their room at its ends, and put a score that is not a number last', () => {
    const key = (negScore: number, negWeeks = 0) => BigInt(rankKey(2, 1, negScore, negWeeks));
    expect(key(-300_000_000)).toBe(key(-214_748_364.8));
    expect(key(-Infinity)).toBe(key(-300_000_000));
    expect(key(1e12)).toBe(key(NaN));
    expect(key(214_748_364.6)).toBeLessThan(key(NaN));
    expect(key(-10, -40_000)).toBe(key(-10, -32_768));
    expect(key(-10, -40_000)).toBeLessThan(key(-10, -32_767));
    // Every key is a non-negative bigint, with the service in its top bits.
    expect(BigInt(rankKey(127, 255, NaN, 40_000))).toBe((1n << 63n) - 1n);
    expect(BigInt(rankKey(0, 0, -Infinity, -40_000))).toBe(0n);
    expect(BigInt(rankKey(3, 0, -Infinity, -40_000))).toBe(3n << 56n);
  });

  it('should give back the service number a key starts with, whatever follows it', () => {
    for (const service of [0, 1, 4, 127]) {
      const rests: Array<[number, number, number]> = [
        [0, -Infinity, -40_000],
        [255, NaN, 40_000],
        [2, -61.3, -17],
      ];
      for (const [band, negScore, negWeeks] of rests) {
        expect(serviceOfRankKey(rankKey(service, band, negScore, negWeeks))).toBe(service);
      }
    }
  });
});
