import { describe, expect, it } from '@jest/globals';
import {
  RTT_BAND_COUNT,
  chsBand,
  rttBandColumn,
  rttBandLabel,
  rttWeekBand,
  withinWeeks,
} from '../clock/waits.js';
import {
  bandedPercentile,
  mergeDayCounts,
  patientLevelPercentile,
  type DayCounts,
} from './percentiles.js';

function bands(entries: Record<number, number>): number[] {
  const b = new Array<number>(RTT_BAND_COUNT).fill(0);
  for (const [band, n] of Object.entries(entries)) b[Number(band) - 1] = n;
  return b;
}

describe('week bands (reference.md §1.8)', () => {
  it.each([
    [0, 1],
    [7, 1],
    [8, 2],
    [14, 2],
    [120, 18],
    [126, 18],
    [127, 19],
    [358, 52],
    [364, 52],
    [365, 53],
    [728, 104],
    [729, 105],
    [5000, 105],
  ])('should put a wait of %i days in band %i', (days, band) => {
    expect(rttWeekBand(days)).toBe(band);
  });

  it('should refuse negative or fractional waits', () => {
    expect(() => rttWeekBand(-1)).toThrow(RangeError);
    expect(() => rttWeekBand(1.5)).toThrow(RangeError);
  });

  it('should name the columns exactly as the NHS England full CSV extract', () => {
    expect(rttBandColumn(1)).toBe('Gt 00 To 01 Weeks SUM 1');
    expect(rttBandColumn(18)).toBe('Gt 17 To 18 Weeks SUM 1');
    expect(rttBandColumn(104)).toBe('Gt 103 To 104 Weeks SUM 1');
    expect(rttBandColumn(105)).toBe('Gt 104 Weeks SUM 1');
    expect(rttBandLabel(1)).toBe('>0-1');
    expect(rttBandLabel(105)).toBe('>104');
  });

  it('should treat exactly the target as within it (126 days = 18 weeks; 91 days = 13 weeks)', () => {
    expect(withinWeeks(126, 18)).toBe(true);
    expect(withinWeeks(127, 18)).toBe(false);
    expect(withinWeeks(91, 13)).toBe(true);
    expect(withinWeeks(92, 13)).toBe(false);
  });

  it.each([
    [0, 0],
    [7, 0],
    [8, 1],
    [14, 1],
    [15, 2],
    [28, 2],
    [29, 3],
    [84, 3],
    [85, 4],
    [126, 4],
    [127, 5],
    [364, 5],
    [365, 6],
  ])('should put %i days in CHS SitRep band index %i', (days, index) => {
    expect(chsBand(days)).toBe(index);
  });
});

describe('bandedPercentile (grouped-data interpolation, reference.md §2.1)', () => {
  it('should interpolate within the band that reaches the target', () => {
    // 10 in ">0-1", 10 in ">1-2": median target 10 is reached at the top of band 1; p92 target 18.4.
    expect(bandedPercentile(bands({ 1: 10, 2: 10 }), 50)).toEqual({ weeks: 1, display: '1.0' });
    expect(bandedPercentile(bands({ 1: 10, 2: 10 }), 92)).toEqual({ weeks: 1.8, display: '1.8' }); // 1 + 8.4/10
  });

  it('should compute a worked example by hand: 100 pathways over three bands', () => {
    // 40 in ">4-5", 50 in ">12-13", 10 in ">20-21". Median: target 50, band 13 (cum 90): 12 + (50-40)/50 = 12.2.
    // p92: target 92, band 21: 20 + (92-90)/10 = 20.2 (exact integers: 0.92 x 100 must not become 92.00000000000001).
    const b = bands({ 5: 40, 13: 50, 21: 10 });
    expect(bandedPercentile(b, 50).weeks).toBe(12.2);
    expect(bandedPercentile(b, 92).weeks).toBe(20.2);
    expect(bandedPercentile(b, 40).weeks).toBe(5); // exactly at the top of band 5
  });

  it('should report ">104" when the percentile falls in the open band, and n/a when there is nothing', () => {
    expect(bandedPercentile(bands({ 1: 1, 105: 9 }), 50)).toEqual({ weeks: null, display: '>104' });
    expect(bandedPercentile(bands({}), 50)).toEqual({ weeks: null, display: 'n/a' });
  });
});

describe('patientLevelPercentile (type 7 interpolation on days)', () => {
  it('should match hand-computed values', () => {
    const waits: DayCounts = [
      [0, 1],
      [7, 1],
      [14, 1],
      [21, 1],
    ];
    expect(patientLevelPercentile(waits, 50).weeks).toBe(1.5); // (7 + 14) / 2 = 10.5 days
    expect(patientLevelPercentile(waits, 92).weeks).toBe(2.8); // h = 2.76: 14 + 0.76 x 7 = 19.32 days
    expect(patientLevelPercentile([[126, 3]], 95).weeks).toBe(18);
    expect(patientLevelPercentile([], 50).display).toBe('n/a');
  });

  it('should read repeated waits from the histogram counts', () => {
    expect(
      patientLevelPercentile(
        [
          [10, 99],
          [700, 1],
        ],
        50,
      ).weeks,
    ).toBe(1.4); // 10 days
    expect(
      patientLevelPercentile(
        mergeDayCounts(
          [[10, 2]],
          [
            [10, 1],
            [3, 1],
          ],
        ),
        50,
      ).weeks,
    ).toBe(1.4);
  });
});
