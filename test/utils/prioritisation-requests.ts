import { readFileSync } from 'node:fs';
import request from 'supertest';
import { addDays, londonDate } from '../../src/common/time/calendar-date.js';

/** The default tool document, as config/ holds it. */
export const DEFAULT_TOOL = readFileSync(
  new URL('../../config/prioritisation-tool.yaml', import.meta.url),
  'utf8',
);
/** Today in London, and dates counted back from it for referrals and dates of birth. */
export const today = londonDate();
export const weeksAgo = (w: number) => addDays(today, -w * 7);
export const yearsOld = (y: number) => addDays(today, -Math.round(y * 365.25) - 30);

/** An admin's draft of `source` (201), as the API answers it. */
export async function draftTool(
  http: Parameters<typeof request>[0],
  adminToken: string,
  source: string,
  rationale: string,
): Promise<{ id: string; valid: boolean }> {
  const res = await request(http)
    .post('/api/prioritisation/tools')
    .set({ Authorization: `Bearer ${adminToken}` })
    .send({ source, rationale })
    .expect(201);
  return res.body as { id: string; valid: boolean };
}

/** Drafts `source` and activates it (200): the activation's answer, with the run it started. */
export async function activateTool(
  http: Parameters<typeof request>[0],
  adminToken: string,
  source: string,
  rationale: string,
): Promise<{ draftId: string; run: { runId: string; toolVersionId: string } }> {
  const { id } = await draftTool(http, adminToken, source, rationale);
  const res = await request(http)
    .post(`/api/prioritisation/tools/${id}/activate`)
    .set({ Authorization: `Bearer ${adminToken}` })
    .send({ rationale })
    .expect(200);
  return { draftId: id, ...(res.body as { run: { runId: string; toolVersionId: string } }) };
}

/** A full rescore started by an admin (200): the run's report. */
export async function rescoreAll(
  http: Parameters<typeof request>[0],
  adminToken: string,
): Promise<{ runId: string; toolVersionId: string }> {
  const res = await request(http)
    .post('/api/prioritisation/rescore')
    .set({ Authorization: `Bearer ${adminToken}` })
    .expect(200);
  return res.body as { runId: string; toolVersionId: string };
}
