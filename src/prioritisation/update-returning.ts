import type { EntityManager } from 'typeorm';

/**
 * TypeORM answers UPDATE/DELETE … RETURNING with [rows, affectedCount] on PostgreSQL, and plain rows
 * otherwise: this gives the rows either way. For repositories only.
 */
export async function rowsOf<T>(
  m: Pick<EntityManager, 'query'>,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const result: unknown = await m.query(sql, params);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}
