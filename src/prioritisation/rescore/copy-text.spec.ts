import { describe, expect, it } from '@jest/globals';
import { fromCopyText } from './copy-text.js';

describe(fromCopyText.name, () => {
  it('should undo the escapes PostgreSQL writes for backslashes and control characters', () => {
    expect(fromCopyText('a\\tb\\nc\\\\d\\re\\bf\\fg\\vh')).toBe('a\tb\nc\\d\re\bf\fg\vh');
  });

  it('should leave text without escapes as it is, and keep a backslash-N inside text', () => {
    expect(fromCopyText('Ynys Môn, "quoted", {braces}')).toBe('Ynys Môn, "quoted", {braces}');
    expect(fromCopyText('a\\\\Nb')).toBe('a\\Nb');
  });
});
