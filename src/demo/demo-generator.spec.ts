import { describe, expect, it } from '@jest/globals';
import { isValidNhsNumber } from '../common/validation/nhs-number.js';
import { generateDemoRows } from './demo-generator.js';

describe('generateDemoRows', () => {
  const rows = [...generateDemoRows({ children: 2000, seed: 7, today: '2026-11-25' })];

  it('should be reproducible for a seed', () => {
    const again = [...generateDemoRows({ children: 2000, seed: 7, today: '2026-11-25' })];
    expect(again).toEqual(rows);
    const other = [...generateDemoRows({ children: 2000, seed: 8, today: '2026-11-25' })];
    expect(other).not.toEqual(rows);
  });

  it('should use valid, unique NHS numbers from the 999 test range', () => {
    const numbers = new Set(rows.map((r) => r.nhs_number));
    expect(numbers.size).toBe(2000);
    for (const n of numbers) {
      expect(n.startsWith('999')).toBe(true);
      expect(isValidNhsNumber(n)).toBe(true);
    }
  });

  it('should give about a quarter of children more than one service and waits from days to over two years', () => {
    const perChild = new Map<string, number>();
    for (const r of rows) perChild.set(r.nhs_number, (perChild.get(r.nhs_number) ?? 0) + 1);
    const multi = [...perChild.values()].filter((n) => n > 1).length / perChild.size;
    expect(multi).toBeGreaterThan(0.18);
    expect(multi).toBeLessThan(0.32);
    const waits = rows.map(
      (r) => (Date.parse('2026-11-25') - Date.parse(r.referral_received_date)) / 86_400_000,
    );
    expect(Math.min(...waits)).toBeLessThan(14);
    expect(Math.max(...waits)).toBeGreaterThan(730);
    expect(new Set(rows.map((r) => r.service)).size).toBe(4);
    expect(rows.filter((r) => r.priority === 'urgent').length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.flags.includes('safeguarding-concern')).length).toBeGreaterThan(0);
  });

  it('should never produce a referral before the child was born or in the future', () => {
    for (const r of rows) {
      expect(r.referral_received_date > r.date_of_birth).toBe(true);
      expect(r.referral_received_date <= '2026-11-25').toBe(true);
    }
  });
});
