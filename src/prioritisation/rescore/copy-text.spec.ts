import { describe, expect, it } from '@jest/globals';
import { copyNumber, copyText, copyTextArray } from './copy-text.js';

describe('copy text encoding', () => {
  it('should escape separators, newlines and backslashes', () => {
    expect(copyText('a\tb\nc\\d')).toBe('a\\tb\\nc\\\\d');
    expect(copyText(null)).toBe('\\N');
    expect(copyNumber(-0.5)).toBe('-0.5');
  });

  it('should quote array elements so commas, braces and quotes survive', () => {
    expect(copyTextArray([])).toBe('{}');
    expect(copyTextArray(['slt', 'a,b', 'say "hi"', 'back\\slash'])).toBe(
      '{"slt","a,b","say \\\\"hi\\\\"","back\\\\\\\\slash"}',
    );
  });
});
