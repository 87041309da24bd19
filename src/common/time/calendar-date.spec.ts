import { describe, expect, it } from '@jest/globals';
import {
  addDays,
  ageInMonths,
  ageInYears,
  daysBetween,
  isIsoDate,
  londonDate,
  monthEnd,
} from './calendar-date.js';

describe('calendar dates', () => {
  it('should count days across a BST change and a leap day', () => {
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2); // clocks go forward 29 March 2026
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2026-01-01', '2026-01-01')).toBe(0);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });

  it('should take the London calendar date of an instant', () => {
    expect(londonDate(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01'); // BST
    expect(londonDate(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31'); // GMT
  });

  it('should reject dates that do not exist', () => {
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('29/02/2024')).toBe(false);
  });

  it('should give completed years and month ends', () => {
    expect(ageInYears('2020-11-26', '2026-11-25')).toBe(5);
    expect(ageInYears('2020-11-25', '2026-11-25')).toBe(6);
    expect(monthEnd('2024-02')).toBe('2024-02-29');
    expect(ageInMonths('2020-11-25', '2026-11-25')).toBe(72);
    expect(ageInMonths('2020-11-26', '2026-11-25')).toBe(71);
    expect(ageInMonths('2026-01-31', '2026-02-28')).toBe(0);
    expect(ageInMonths('2026-01-31', '2026-03-01')).toBe(1);
    expect(ageInMonths('2024-02-29', '2025-02-28')).toBe(11);
    expect(ageInMonths('2024-02-29', '2025-03-01')).toBe(12);
    expect(ageInMonths('2026-11-26', '2026-11-25')).toBe(-1);
    expect(monthEnd('2026-12')).toBe('2026-12-31');
  });
});
