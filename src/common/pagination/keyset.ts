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
  throw new DomainError(
    'validation',
    'pagination.bad-cursor',
    'The cursor is not valid: pass the "next" value from the previous page unchanged, or leave it out to start again.',
  );
}

export interface Page<T> {
  items: T[];
  next: string | null;
}
