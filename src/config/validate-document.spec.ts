import { describe, expect, it } from '@jest/globals';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { DocumentValidationError, validateDocument } from './validate-document.js';

class Item {
  @IsString()
  @MinLength(2)
  @MaxLength(10)
  code: string;
}

class Doc {
  @IsString()
  @MaxLength(20)
  name: string;

  @IsIn(['worse', 'crisis'])
  answer: string;

  @IsDefined({ message: 'rule is required: a number or a JSONLogic expression' })
  rule: unknown;

  @IsDefined()
  plain: unknown;

  @IsOptional()
  @IsInt()
  @Min(1)
  size?: number;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => Item)
  items?: Item[];
}

function problemsOf(raw: unknown): string[] {
  try {
    validateDocument(Doc, raw, 'doc.yaml');
  } catch (error) {
    if (error instanceof DocumentValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe('validateDocument', () => {
  it('should say once that a field is missing, with its own message when it has one', () => {
    expect(problemsOf({})).toEqual([
      'name: name is required',
      'answer: answer is required: answer must be one of the following values: worse, crisis',
      'rule: rule is required: a number or a JSONLogic expression',
      'plain: plain is required',
    ]);
  });

  it('should take an empty value (YAML null) as missing', () => {
    expect(problemsOf({ name: null, answer: 'worse', rule: 1, plain: null })).toEqual([
      'name: name is required',
      'plain: plain is required',
    ]);
  });

  it('should give every rule a value breaks, with the path, without echoing the value', () => {
    const problems = problemsOf({
      name: 'a-name-far-longer-than-twenty',
      answer: 'fine',
      rule: 1,
      plain: 1,
      size: 'big',
      items: [{ code: 'x' }, { code: 'fine' }, { code: 'abcdefghijklmnop' }],
    });
    expect(problems).toEqual([
      'name: name must be shorter than or equal to 20 characters',
      'answer: answer must be one of the following values: worse, crisis',
      'size: size must be an integer number',
      'items[0].code: code must be longer than or equal to 2 characters',
      'items[2].code: code must be shorter than or equal to 10 characters',
    ]);
    expect(problems.join()).not.toMatch(/far-longer|fine|big|abcdefghijklmnop/);
  });

  it('should give only the type problem of a value of the wrong type, not rules on its size', () => {
    expect(
      problemsOf({ name: 5, answer: 'worse', rule: 1, plain: 1, size: '60', items: [{ code: 7 }] }),
    ).toEqual([
      'name: name must be a string',
      'size: size must be an integer number',
      'items[0].code: code must be a string',
    ]);
  });

  it('should name a missing field inside a list item by its path', () => {
    expect(
      problemsOf({ name: 'n', answer: 'crisis', rule: 1, plain: 1, items: [{ code: 'ok' }, {}] }),
    ).toEqual(['items[1].code: code is required']);
  });
});
