import { describe, expect, it } from '@jest/globals';
import { CHANGED, ListedReferrals, UNCHANGED } from './listed-referrals.js';

describe(ListedReferrals.name, () => {
  it('should tell unchanged, changed and new referrals apart by the stored fingerprint', () => {
    const listed = new ListedReferrals(['R-1', 'R-2', 'R-3'], [11, 22, -1]);
    expect(listed.list('R-1', 2, 11)).toBe(UNCHANGED);
    expect(listed.list('R-2', 3, 99)).toBe(CHANGED);
    expect(listed.list('R-3', 4, 33)).toBe(CHANGED); // stored without a fingerprint: re-derived
    expect(listed.list('R-9', 5, 44)).toBe(CHANGED); // not stored: new
  });

  it('should answer the row that first listed a referral id for every later row with it', () => {
    const listed = new ListedReferrals(['R-1'], [11]);
    expect(listed.list('R-1', 2, 11)).toBe(UNCHANGED);
    expect(listed.list('R-1', 7, 11)).toBe(2);
    expect(listed.list('R-9', 3, 44)).toBe(CHANGED);
    expect(listed.list('R-9', 8, 44)).toBe(3);
    expect(listed.list('R-9', 9, 45)).toBe(3);
  });

  it('should name the stored referral ids no row listed, whatever the rows said', () => {
    const listed = new ListedReferrals(['R-1', 'R-2', 'R-3', 'R-4'], [1, 2, 3, 4]);
    expect(listed.missing()).toEqual(['R-1', 'R-2', 'R-3', 'R-4']);
    listed.list('R-2', 2, 2);
    listed.list('R-3', 3, 999);
    listed.list('R-5', 4, 5);
    expect(listed.missing()).toEqual(['R-1', 'R-4']);
  });

  it('should find a new referral id again, cut from a longer text or not', () => {
    const text = `R-7,${'x'.repeat(100)}`;
    const listed = new ListedReferrals([], []);
    expect(listed.list(text.slice(0, 3), 2, 1)).toBe(CHANGED);
    expect(listed.list('R-7', 3, 1)).toBe(2);
  });
});
