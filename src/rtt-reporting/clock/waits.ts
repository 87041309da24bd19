/**
 * Measuring waits (shared/domain/reference.md §1.8, §2.3). Pure: no framework imports.
 *
 * A wait is a whole number of days between two Europe/London calendar dates (clock start to census
 * date, or to clock stop). Weeks are assigned by the NHS England banding rule: band 1 (">0-1 weeks")
 * holds days 0-7, band k holds days 7(k-1)+1 … 7k, band 105 (">104 weeks") holds 729 days or more.
 */

/** Number of NHS England week bands: ">0-1" … ">103-104" plus ">104". */
export const RTT_BAND_COUNT = 105;

/** Waits of at most this many days are "within 18 weeks" (§1.8: exactly 126 days counts as within). */
export const WITHIN_18_WEEKS_MAX_DAYS = 126;

/** Long-wait thresholds in days (§1.8 derived table): 52+ ≥ 365, 65+ ≥ 456, 78+ ≥ 547, 104+ ≥ 729. */
export const LONG_WAIT_MIN_DAYS = { 52: 365, 65: 456, 78: 547, 104: 729 } as const;

/** RTT week band index: 1 = "Gt 00 To 01", k = "Gt k-1 To k", 105 = "Gt 104". */
export function rttWeekBand(waitDays: number): number {
  if (!Number.isInteger(waitDays) || waitDays < 0) {
    throw new RangeError(`waitDays must be a whole number of days >= 0`);
  }
  if (waitDays <= 7) return 1;
  if (waitDays >= 729) return RTT_BAND_COUNT;
  return Math.ceil(waitDays / 7);
}

/** Column label used in NHS England's full CSV extract, e.g. "Gt 00 To 01 Weeks SUM 1", "Gt 104 Weeks SUM 1". */
export function rttBandColumn(band: number): string {
  if (band === RTT_BAND_COUNT) return 'Gt 104 Weeks SUM 1';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `Gt ${pad(band - 1)} To ${pad(band)} Weeks SUM 1`;
}

/** Short label for charts and JSON: ">0-1", ">17-18", ">104". */
export function rttBandLabel(band: number): string {
  return band === RTT_BAND_COUNT ? '>104' : `>${band - 1}-${band}`;
}

/** True when a wait meets a target given in weeks (target k weeks = at most 7k days, as for 18 weeks). */
export function withinWeeks(waitDays: number, targetWeeks: number): boolean {
  return waitDays <= targetWeeks * 7;
}

/** Community Health Services SitRep waiting-list bands (§2.3), day ranges RTT-style. */
export const CHS_BANDS = [
  { key: '0-1', label: 'Waiting 0-1 weeks', minDays: 0, maxDays: 7 },
  { key: '>1-2', label: 'Waiting >1-2 weeks', minDays: 8, maxDays: 14 },
  { key: '>2-4', label: 'Waiting >2-4 weeks', minDays: 15, maxDays: 28 },
  { key: '>4-12', label: 'Waiting >4-12 weeks', minDays: 29, maxDays: 84 },
  { key: '>12-18', label: 'Waiting >12-18 weeks', minDays: 85, maxDays: 126 },
  { key: '>18-52', label: 'Waiting >18-52 weeks', minDays: 127, maxDays: 364 },
  { key: '>52', label: 'Waiting >52 weeks', minDays: 365, maxDays: Number.POSITIVE_INFINITY },
] as const;
export type ChsBandKey = (typeof CHS_BANDS)[number]['key'];

/** Index into CHS_BANDS for a wait in days. */
export function chsBand(waitDays: number): number {
  if (!Number.isInteger(waitDays) || waitDays < 0) {
    throw new RangeError(`waitDays must be a whole number of days >= 0`);
  }
  return CHS_BANDS.findIndex((b) => waitDays >= b.minDays && waitDays <= b.maxDays);
}
