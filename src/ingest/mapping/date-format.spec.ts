import { describe, expect, it } from '@jest/globals';
import { compileDateFormat, dateFormatProblem } from './date-format.js';

describe('compileDateFormat', () => {
  it.each([
    ['yyyy-MM-dd', '2026-03-02', '2026-03-02'],
    ['dd/MM/yyyy', '02/03/2026', '2026-03-02'],
    ['dd/MM/yyyy', '2/3/2026', '2026-03-02'],
    ['dd/MM/yyyy', '02/03/2026 00:00', '2026-03-02'],
    ['dd/MM/yyyy', '02/03/2026 14:30:59', '2026-03-02'],
    ['dd.MM.yyyy', '31.12.2025', '2025-12-31'],
    ['MM/dd/yyyy', '12/31/2025', '2025-12-31'],
    ['yyyyMMdd', '20260302', '2026-03-02'],
    ['yyyy-MM-dd', '2026-03-02T09:15:00', '2026-03-02'],
  ])('should read %s "%s" as %s', (format, text, iso) => {
    expect(compileDateFormat(format).parse(text)).toBe(iso);
  });

  it.each([
    ['dd/MM/yyyy', '2026-03-02'],
    ['yyyy-MM-dd', '02/03/2026'],
    ['yyyyMMdd', '2026032'],
    ['dd/MM/yyyy', '02/03/26'],
    ['dd/MM/yyyy', 'soon'],
  ])('should refuse %s "%s"', (format, text) => {
    expect(compileDateFormat(format).parse(text)).toBeNull();
  });

  it('should leave calendar checks to validation (shape only)', () => {
    expect(compileDateFormat('dd/MM/yyyy').parse('31/02/2026')).toBe('2026-02-31');
  });

  it('should explain a format without a day, month and year', () => {
    expect(dateFormatProblem('dd/MM')).toMatch(/must contain yyyy/);
    expect(dateFormatProblem('dd/MM/yyyy')).toBeNull();
    expect(() => compileDateFormat('yy-MM-dd')).toThrow(RangeError);
  });
});
