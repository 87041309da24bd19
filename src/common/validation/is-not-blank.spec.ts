import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { IsString, validateSync } from 'class-validator';
import { flattenValidationErrors } from '../../config/validate-document.js';
import { IsNotBlank } from './is-not-blank.decorator.js';

class Body {
  @IsString()
  @IsNotBlank(3)
  reason: string;
}

const problems = (raw: unknown) =>
  flattenValidationErrors(validateSync(plainToInstance(Body, raw as object)));

describe(IsNotBlank.name, () => {
  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['only a tab and a new line', '\t\n'],
    ['missing', undefined],
  ])('should say the text is required when it is %s', (_, reason) => {
    expect(problems({ reason })).toEqual(['reason: reason is required']);
  });

  it('should count the length without the spaces at either end', () => {
    expect(problems({ reason: '  ab  ' })).toEqual([
      'reason: reason must be at least 3 characters, not counting spaces at either end',
    ]);
    expect(problems({ reason: ' a b ' })).toEqual([]);
  });

  it('should leave a value of another type to its type problem', () => {
    expect(problems({ reason: 42 })).toEqual(['reason: reason must be a string']);
  });
});
