// The rank key of a score row: its place in a ranked list as one bigint (this file imports nothing:
// the scoring worker uses it).

/**
 * A ranked list is ordered by band, then score (highest first), then wait (longest first), then id;
 * a service's list by service first. The rank indexes used to hold those four or five columns, and
 * with a column of a handful of values first, nearly every comparison of their build's sort went on
 * to the next columns: building the referral rank index took 1.0-1.7 s of a full rescore's last
 * seconds. The key packs them, in order, into one non-negative bigint (most significant first):
 *
 * | bits | part                                                                                   |
 * | ---- | -------------------------------------------------------------------------------------- |
 * | 7    | service number (0 on a child's row)                                                    |
 * | 8    | band rank (0 = the most urgent band)                                                   |
 * | 32   | minus the score, in tenths (scores are sums of points rounded to 0.1), plus 2^31       |
 * | 16   | minus the completed weeks waited (1 when no clock is running), plus 2^15              |
 *
 * so that (rank_key, id) orders rows exactly as (service, band rank, -score, -weeks, id) for every
 * score within ±214,748,364.7 and wait within 32,767 weeks; beyond them a part is held at its end
 * (and the id decides among such rows). A score that is not a number goes last. PostgreSQL's
 * `priority_rank_key(service, band_rank, neg_score, neg_weeks)` (migration PackRankKeys) computes
 * the same key, for reading a key by hand and for the tests that compare the two.
 */
export function rankKeyHigh(service: number, bandRank: number, negScore: number): number {
  return (
    clamp(service, 0, 127) * 0x1_000000 +
    clamp(bandRank, 0, 255) * 0x1_0000 +
    Math.floor(scorePart(negScore) / 0x1_0000)
  );
}

/** The low 32 bits of the key (see rankKeyHigh). */
export function rankKeyLow(negScore: number, negWeeks: number): number {
  return (scorePart(negScore) % 0x1_0000) * 0x1_0000 + clamp(negWeeks, -0x8000, 0x7fff) + 0x8000;
}

function scorePart(negScore: number): number {
  if (Number.isNaN(negScore)) return 0xffff_ffff;
  return clamp(Math.round(negScore * 10), -0x8000_0000, 0x7fff_ffff) + 0x8000_0000;
}

function clamp(v: number, low: number, high: number): number {
  return v < low ? low : v > high ? high : v;
}

/** Keys per service: a service's rows hold the keys from its number times this (top 7 bits). */
export const RANK_KEYS_PER_SERVICE = 1n << 56n;

/** The service number a key (as PostgreSQL shows a bigint) starts with: 0 on a child's row. */
export function serviceOfRankKey(key: string): number {
  return Number(BigInt(key) / RANK_KEYS_PER_SERVICE);
}

/** The key as PostgreSQL shows a bigint (for tests). */
export function rankKey(
  service: number,
  bandRank: number,
  negScore: number,
  negWeeks: number,
): string {
  const high = BigInt(rankKeyHigh(service, bandRank, negScore));
  return ((high << 32n) + BigInt(rankKeyLow(negScore, negWeeks))).toString();
}
