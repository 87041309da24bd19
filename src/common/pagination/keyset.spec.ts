import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../errors/domain-error.js';
import { decodeTimeIdCursor, encodeCursor, timeIdPage } from './keyset.js';

const id = '0b7c5a52-94b5-4f6e-a3a5-0a4a3c1e2f10';

describe('decodeTimeIdCursor', () => {
  it('should give back the exact time and id of a cursor the service wrote', () => {
    const at = '2026-11-27T12:34:56.123456Z';
    expect(decodeTimeIdCursor(encodeCursor([at, id]))).toEqual({ at, id });
  });

  it.each([
    ['not base64 JSON', '!!!'],
    ['one key instead of two', encodeCursor(['2026-11-27T12:34:56.123456Z'])],
    ['a time to the millisecond only', encodeCursor(['2026-11-27T12:34:56.123Z', id])],
    ['a day that does not exist', encodeCursor(['2026-02-30T12:34:56.123456Z', id])],
    ['an hour that does not exist', encodeCursor(['2026-11-27T25:00:00.000000Z', id])],
    ['a number for the time', encodeCursor([1764246896, id])],
    ['an id that is not a UUID', encodeCursor(['2026-11-27T12:34:56.123456Z', "1' or '1'='1"])],
  ])('should refuse %s with the bad-cursor error', (_what, cursor) => {
    let error: unknown;
    try {
      decodeTimeIdCursor(cursor);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'validation', code: 'pagination.bad-cursor' });
  });
});

describe('timeIdPage', () => {
  const rows = [1, 2, 3].map((n) => ({ id: `id-${n}`, keyAt: `at-${n}`, n }));

  it('should give the cursor of the last item when a row beyond the page was read', () => {
    expect(timeIdPage(rows, 2, (r) => r.n)).toEqual({
      items: [1, 2],
      next: encodeCursor(['at-2', 'id-2']),
    });
  });

  it('should end the list when no row beyond the page was read', () => {
    expect(timeIdPage(rows, 3, (r) => r.n)).toEqual({ items: [1, 2, 3], next: null });
  });
});
