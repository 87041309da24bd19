import { RTT_BAND_COUNT } from '../clock/waits.js';

/** Waits as a histogram: [waitDays, count] pairs, ascending by days, counts > 0. */
export type DayCounts = Array<[number, number]>;

export interface PercentileValue {
  /** Weeks, one decimal; null when there is nothing to measure or the value lies in the open ">104" band. */
  weeks: number | null;
  /** What to print: "12.4", ">104" or "n/a". */
  display: string;
}

export const PERCENTILE_METHODS = {
  banded:
    'Banded estimate (grouped-data interpolation, reference.md §2.1), as NHS England publishes: N = pathways with a known clock start; ' +
    'target = p x N; in the first week band whose cumulative count reaches the target, value = lower bound (k-1 weeks) + ' +
    '(target - count before the band) / count in the band x 1 week. A value in the open ">104 weeks" band is reported as ">104".',
  patientLevel:
    'Patient-level exact value: linear interpolation between the two nearest individual waits (Hyndman-Fan type 7, as ' +
    'PostgreSQL percentile_cont and Excel PERCENTILE.INC), in days, divided by 7. It differs slightly from the official banded estimate.',
} as const;

const round1 = (x: number) => Math.round(x * 10) / 10;

function value(weeks: number | null, open = false): PercentileValue {
  if (open) return { weeks: null, display: '>104' };
  return weeks === null
    ? { weeks: null, display: 'n/a' }
    : { weeks: round1(weeks), display: round1(weeks).toFixed(1) };
}

/**
 * Grouped-data percentile from week-band counts (index 0 = band ">0-1"). `percent` is an integer
 * (50, 92, 95) so the target comparison is exact (0.92 × 100 is not 92 in floating point).
 */
export function bandedPercentile(bands: readonly number[], percent: number): PercentileValue {
  if (bands.length !== RTT_BAND_COUNT) {
    throw new RangeError(`expected ${RTT_BAND_COUNT} band counts`);
  }
  const n = bands.reduce((a, b) => a + b, 0);
  if (n === 0) return value(null);
  const target100 = percent * n; // target × 100
  let before = 0;
  for (let i = 0; i < bands.length; i++) {
    const count = bands[i];
    if (count > 0 && (before + count) * 100 >= target100) {
      if (i === RTT_BAND_COUNT - 1) return value(null, true);
      return value(i + (target100 / 100 - before) / count);
    }
    before += count;
  }
  return value(null);
}

/** Patient-level percentile (type 7 interpolation) of individual waits, in weeks. */
export function patientLevelPercentile(waits: DayCounts, percent: number): PercentileValue {
  const n = waits.reduce((a, [, c]) => a + c, 0);
  if (n === 0) return value(null);
  const h = ((n - 1) * percent) / 100;
  const lo = Math.floor(h);
  const at = (rank: number): number => {
    let seen = 0;
    for (const [days, count] of waits) {
      seen += count;
      if (rank < seen) return days;
    }
    return waits[waits.length - 1][0];
  };
  const a = at(lo);
  const b = h > lo ? at(lo + 1) : a;
  return value((a + (h - lo) * (b - a)) / 7);
}

/** Adds histograms (e.g. the providers of one service). */
export function mergeDayCounts(...parts: DayCounts[]): DayCounts {
  const m = new Map<number, number>();
  for (const part of parts) for (const [d, c] of part) m.set(d, (m.get(d) ?? 0) + c);
  return [...m.entries()].filter(([, c]) => c > 0).sort((x, y) => x[0] - y[0]);
}
