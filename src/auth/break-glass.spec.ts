import { describe, expect, it } from '@jest/globals';
import { parseBreakGlassReason } from './break-glass.js';

/** A header value as Node hands it over: each byte of the UTF-8 the client sent as one character. */
const asNodeReadsUtf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe(parseBreakGlassReason.name, () => {
  it('should read no header as absent', () => {
    expect(parseBreakGlassReason(undefined, 10)).toEqual({ kind: 'absent' });
  });

  it.each([
    ['a reason', 'Safeguarding strategy meeting', 'Safeguarding strategy meeting'],
    ['spaces around it trimmed', '  Covering the SLT clinic  ', 'Covering the SLT clinic'],
    ['runs of spaces and tabs as one space', 'Covering\t\tthe   clinic', 'Covering the clinic'],
    ['exactly the minimum', 'Duty cover', 'Duty cover'],
    ['exactly 500 characters', 'a'.repeat(500), 'a'.repeat(500)],
  ])('should read %s', (_, raw, reason) => {
    expect(parseBreakGlassReason(raw, 10)).toEqual({ kind: 'valid', reason });
  });

  it.each([
    ['too short', 'Urgent'],
    ['short once its spaces are counted as one', 'On      call'],
    ['only spaces', '              '],
    ['501 characters', 'a'.repeat(501)],
    ['no word in it', '..........'],
    ['only digits', '1234567890'],
    ['a control character', 'Safeguarding\u0007 meeting'],
    ['a right-to-left override', asNodeReadsUtf8('Safeguarding \u202Egniteem')],
    ['a zero-width space', asNodeReadsUtf8('Safeguarding\u200Bmeeting')],
    ['UTF-8 holding a C1 control character', asNodeReadsUtf8('Safeguarding \u0085 meeting')],
  ])('should refuse a reason with %s', (_, raw) => {
    expect(parseBreakGlassReason(raw, 10)).toEqual({ kind: 'invalid' });
  });

  it('should read UTF-8 as the person typed it, and Latin-1 from a browser as it is', () => {
    expect(parseBreakGlassReason(asNodeReadsUtf8('Zoë’s team – on call'), 10)).toEqual({
      kind: 'valid',
      reason: 'Zoë’s team – on call',
    });
    // A browser's fetch sends "ë" as the one Latin-1 byte 0xEB, not valid UTF-8 on its own.
    expect(parseBreakGlassReason('Zo\u00EB is on call', 10)).toEqual({
      kind: 'valid',
      reason: 'Zoë is on call',
    });
  });

  it('should count characters, not UTF-16 units, against the limits', () => {
    expect(parseBreakGlassReason(asNodeReadsUtf8(`On call ${'😀'.repeat(492)}`), 10)).toEqual({
      kind: 'valid',
      reason: `On call ${'😀'.repeat(492)}`,
    });
    expect(parseBreakGlassReason(asNodeReadsUtf8(`On call ${'😀'.repeat(493)}`), 10)).toEqual({
      kind: 'invalid',
    });
  });

  it('should join a header sent as several values with a space', () => {
    expect(parseBreakGlassReason(['Safeguarding', 'strategy meeting'], 10)).toEqual({
      kind: 'valid',
      reason: 'Safeguarding strategy meeting',
    });
  });
});
