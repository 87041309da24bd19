import { isUUID } from 'class-validator';
import { DomainError } from '../errors/domain-error.js';

/**
 * Opaque keyset cursors: the sort key of the last row of a page, base64url-encoded JSON.
 * Keyset (not offset) pagination keeps deep pages as fast as the first one.
 */
export function encodeCursor(key: ReadonlyArray<string | number | null>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, length: number): Array<string | number | null> {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === length &&
      key.every((k) => k === null || ['string', 'number'].includes(typeof k))
    ) {
      return key as Array<string | number | null>;
    }
  } catch {
    // fall through to the domain error below
  }
  throw badCursor();
}

function badCursor(): DomainError {
  return new DomainError(
    'validation',
    'pagination.bad-cursor',
    'The cursor is not valid: pass the "next" value from the previous page unchanged, or leave it out to start again.',
  );
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

/**
 * SQL reading a timestamptz column as its exact UTC text, to the microsecond, for a cursor. A
 * JavaScript Date keeps milliseconds only: a cursor cut to them would skip the rows that follow the
 * page's last row within the same millisecond.
 */
export function exactTimeSql(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** The key of a list ordered newest first by a timestamptz, then by id: `(time, id) < (at, id)`. */
export interface TimeIdKey {
  /** The exact time, as `exactTimeSql` reads it. */
  at: string;
  id: string;
}

const EXACT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * A cursor of a list keyed by time and id, checked before it reaches SQL: a cursor that decodes but
 * holds no real time (2026-02-30) or no UUID is the same 400 as any other bad cursor, not a 500
 * from PostgreSQL.
 */
export function decodeTimeIdCursor(cursor: string): TimeIdKey {
  const [at, id] = decodeKeyIdCursor(cursor, (k) => EXACT_TIME.test(k) && isRealTime(k));
  return { at, id };
}

/** The key of a list ordered by a calendar date (YYYY-MM-DD), then by id. */
export interface DateIdKey {
  date: string;
  id: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A cursor of a list keyed by date and id, checked as decodeTimeIdCursor checks its time. */
export function decodeDateIdCursor(cursor: string): DateIdKey {
  const [date, id] = decodeKeyIdCursor(
    cursor,
    (k) => ISO_DATE.test(k) && isRealTime(`${k}T00:00:00.000000Z`),
  );
  return { date, id };
}

/** A two-part cursor: a key that `validKey` accepts, and a UUID; otherwise the bad-cursor 400. */
function decodeKeyIdCursor(cursor: string, validKey: (key: string) => boolean): [string, string] {
  const [key, id] = decodeCursor(cursor, 2);
  if (typeof key === 'string' && validKey(key) && typeof id === 'string' && isUUID(id, 'all')) {
    return [key, id];
  }
  throw badCursor();
}

/** A cursor holding one row number (a whole number, 0 or more), checked before it reaches SQL. */
export function decodeRowNumberCursor(cursor: string): number {
  const [row] = decodeCursor(cursor, 1);
  if (typeof row === 'number' && Number.isSafeInteger(row) && row >= 0) return row;
  throw badCursor();
}

function isRealTime(at: string): boolean {
  const millis = `${at.slice(0, 23)}Z`;
  const parsed = new Date(millis);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString() === millis;
}

/**
 * One page from `limit + 1` rows read in keyset order, each with its id and exact time (`keyAt`):
 * the items, and the cursor of the last one when there is more to read.
 */
export function timeIdPage<R extends { id: string; keyAt: string }, T>(
  rows: R[],
  limit: number,
  item: (row: R) => T,
): Page<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(item),
    next: rows.length > limit && last ? encodeCursor([last.keyAt, last.id]) : null,
  };
}
