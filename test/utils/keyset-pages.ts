import { expect } from '@jest/globals';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { type PlanNode, planNodes } from './query-plans.js';

/**
 * Every page of a keyset list, following `next` until it is null: `url` with its query (`?…`), and
 * the cursor added to it. Fails past 50 pages (a cursor that does not move on).
 */
export async function walkPages<T>(
  http: Parameters<typeof request>[0],
  token: string,
  url: string,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const res = await request(http)
      .get(`${url}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      .set({ Authorization: `Bearer ${token}` })
      .expect(200);
    pages.push(res.body.items as T[]);
    cursor = res.body.next as string | null;
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return pages;
}

/** The 400 every list gives for a cursor it did not write (common/pagination/keyset.ts). */
export function expectBadCursor(res: request.Response): void {
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(res.body).toMatchObject({
    code: 'pagination.bad-cursor',
    detail:
      'The cursor is not valid: pass the "next" value from the previous page unchanged, or leave it out to start again.',
  });
}

/** How PostgreSQL plans to read `relation` for this query: "Node Type using index" per read. */
export async function planReads(
  db: DataSource,
  query: { text: string; values: unknown[] },
  relation: string,
): Promise<{ reads: string[]; nodeTypes: string[] }> {
  const [{ 'QUERY PLAN': plan }] = await db.query<
    Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>
  >(`explain (format json) ${query.text}`, query.values);
  const nodes = planNodes(plan[0].Plan);
  return {
    reads: nodes
      .filter((n) => n['Relation Name'] === relation)
      .map((n) => `${n['Node Type']} using ${n['Index Name'] ?? '-'}`),
    nodeTypes: nodes.map((n) => n['Node Type']),
  };
}
