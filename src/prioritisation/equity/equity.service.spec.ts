import { describe, expect, it } from '@jest/globals';
import type { EquityCountRow } from './equity.repository.js';
import { summarise } from './equity.service.js';

const BANDS = ['P1', 'P2'];
const row = (key: string, band: string, weeks: number | null, children: number, overridden = 0) =>
  ({ dimension: 'locality', key, band, weeks, children, overridden }) as EquityCountRow;

describe('summarise', () => {
  it('should add up bands and overrides, and take the median longest wait as percentile_disc(0.5) does', () => {
    const [a, b] = summarise(
      [
        row('A', 'P1', 30, 1, 1),
        row('A', 'P2', 10, 1),
        row('B', 'P2', 4, 2),
        row('B', 'P1', 9, 1),
        row('B', 'P2', 20, 2),
      ],
      BANDS,
    );
    // A: waits 10 and 30, an even count: the lower middle (10).
    expect(a).toEqual({
      key: 'A',
      children: 2,
      bands: { P1: 1, P2: 1 },
      medianWeeksWaited: 10,
      overridden: 1,
      overriddenPercent: 50,
    });
    // B: 4, 4, 9, 20, 20: the third (9).
    expect(b).toMatchObject({ children: 5, bands: { P1: 1, P2: 4 }, medianWeeksWaited: 9 });
  });

  it('should count children with no wait to time (nullified clocks) but leave them out of the median', () => {
    const [a, b] = summarise(
      [
        row('A', 'P2', null, 3),
        row('A', 'P1', 12, 1),
        row('A', 'P2', 2, 1),
        row('B', 'P2', null, 2),
      ],
      BANDS,
    );
    // A: five children, two timed waits (2 and 12): the lower middle of those (2), not 0.
    expect(a).toMatchObject({ children: 5, bands: { P1: 1, P2: 4 }, medianWeeksWaited: 2 });
    expect(b).toMatchObject({ children: 2, medianWeeksWaited: null });
  });

  it('should give an empty group only when asked', () => {
    expect(summarise([], BANDS)).toEqual([]);
    expect(summarise([], BANDS, 'all')).toEqual([
      {
        key: 'all',
        children: 0,
        bands: { P1: 0, P2: 0 },
        medianWeeksWaited: null,
        overridden: 0,
        overriddenPercent: 0,
      },
    ]);
  });
});
