import { describe, expect, it } from '@jest/globals';
import { validateSync } from 'class-validator';
import { IsNhsNumber } from './is-nhs-number.decorator.js';
import { isValidNhsNumber, nhsNumberProblem, withCheckDigit } from './nhs-number.js';

describe('nhsNumberProblem', () => {
  it.each([
    ['9434765919', null, 'the common public example'],
    ['3417284996', null, 'check digit 6'],
    ['4010232137', null, 'check digit 7'],
    ['9449306060', null, '11 becomes check digit 0'],
    ['943 476 5919', null, 'display form with spaces'],
    ['943-476-5919', null, 'hyphens'],
    ['9434765918', 'wrong-check-digit', 'wrong check digit'],
    ['9876544321', 'wrong-check-digit', 'the Wikipedia format example'],
    ['1234567890', 'check-digit-is-ten', 'check digit 10 case'],
    ['0000000400', 'check-digit-is-ten', 'check digit 10 case with zeros'],
    ['943476591', 'not-ten-digits', 'nine digits'],
    ['94347659190', 'not-ten-digits', 'eleven digits'],
    ['94347A5919', 'not-ten-digits', 'a letter'],
    ['', 'missing', 'empty'],
    ['2222222222', 'all-same-digit', 'identical digits pass mod 11 but are refused'],
  ] as Array<[string, string | null, string]>)(
    'should classify %s as %s (%s)',
    (input, expected) => {
      expect(nhsNumberProblem(input)).toBe(expected);
    },
  );

  it('should treat non-strings as missing', () => {
    expect(nhsNumberProblem(9434765919)).toBe('missing');
    expect(isValidNhsNumber(undefined)).toBe(false);
  });
});

describe('withCheckDigit', () => {
  it('should complete a stem to a valid number, or refuse a stem whose check would be 10', () => {
    expect(withCheckDigit('943476591')).toBe('9434765919');
    expect(withCheckDigit('123456789')).toBeNull();
    for (let i = 0; i < 200; i++) {
      const stem = String(999000000 + i * 4999);
      const full = withCheckDigit(stem);
      if (full) expect(isValidNhsNumber(full)).toBe(true);
    }
  });
});

describe('IsNhsNumber', () => {
  class Dto {
    @IsNhsNumber()
    nhsNumber!: string;
  }
  it('should accept a valid number and explain a bad one without echoing it', () => {
    const ok = Object.assign(new Dto(), { nhsNumber: '9434765919' });
    expect(validateSync(ok)).toHaveLength(0);
    const bad = Object.assign(new Dto(), { nhsNumber: '9434765918' });
    const errors = validateSync(bad);
    expect(errors).toHaveLength(1);
    const message = Object.values(errors[0].constraints ?? {})[0];
    expect(message).toContain('check digit');
    expect(message).not.toContain('9434765918');
  });
});
