import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { addDays, londonDate } from '../../src/common/time/calendar-date.js';
import { explainedTotal, type Explanation } from '../../src/prioritisation/scoring/explain.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';

const today = londonDate();
const MH_TEAM = "the detail is for the Children and young people's mental health team";

/**
 * A clinician reads a child's explained priority with the clinical detail of their own services'
 * referrals; another service's referral shows its factors' labels and points (so the score still
 * adds up) without their inputs or words, as the child's record shows "also waiting for X since Y"
 * (docs/identity.md). Breaking glass, or reading as a commissioner, shows every service's detail.
 */
describe("a child's priority: another service's clinical detail", () => {
  let t: TestApp;
  let childId: string;
  let mhReferral: string;
  let sltReferral: string;
  let slt: string;
  let mh: string;
  let commissioner: string;

  const explanation = async (token: string, breakGlass?: string) => {
    const r = request(t.http)
      .get(`/api/children/${childId}/priority`)
      .set('Authorization', `Bearer ${token}`);
    const res = await (breakGlass ? r.set('X-Break-Glass-Reason', breakGlass) : r).expect(200);
    const body = res.body as { score: number; explanation: Explanation };
    // Whatever is withheld, the counted points add up to the score.
    expect(explainedTotal(body.explanation)).toBe(body.score);
    return body.explanation;
  };
  const referral = (e: Explanation, id: string) => e.referrals.find((r) => r.referralId === id)!;

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    const child = await insertChild(t.db, { givenName: 'Orla', familyName: 'Twoteams' });
    childId = child.id;
    sltReferral = await insertReferral(t.db, childId, {
      service: 'slt',
      receivedDate: addDays(today, -10 * 7),
    });
    // Urgent, and waited more than twice the 4-week target: a trigger on this referral too.
    mhReferral = await insertReferral(t.db, childId, {
      service: 'mental-health',
      priority: 'urgent',
      receivedDate: addDays(today, -20 * 7),
    });
    slt = await t.tokenFor({ role: 'clinician', sub: 'slt-two-teams', services: ['slt'] });
    mh = await t.tokenFor({ role: 'clinician', sub: 'mh-two-teams', services: ['mental-health'] });
    commissioner = await t.tokenFor({ role: 'commissioner' });
    const admin = await t.tokenFor({ role: 'admin' });
    await request(t.http)
      .post('/api/prioritisation/rescore')
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
  });
  afterAll(async () => {
    await resetData(t.db);
    await t.close();
  });

  it("should show an SLT clinician the mental-health referral's factors by label and points only", async () => {
    const e = await explanation(slt);
    const other = referral(e, mhReferral);
    expect(other).toMatchObject({
      service: 'mental-health',
      weeksWaited: 20,
      detailWithheld: true,
    });
    // Counted (the highest-scoring referral), so its points make up the score.
    expect(other.counted).toBe(true);
    expect(other.factors.map((f) => [f.id, f.points, f.inputs, f.text])).toEqual([
      ['waiting-time', 60, {}, `Time waited against the service's target: +60 points (${MH_TEAM})`],
      ['clinical-priority', 40, {}, `Clinical priority: +40 points (${MH_TEAM})`],
    ]);
    expect(JSON.stringify(other)).not.toMatch(/urgent/i);
    // Its trigger is named (a review is asked for), its words are not.
    const trigger = e.triggers.find((x) => x.referralId === mhReferral)!;
    expect(trigger.text).toContain(`(${MH_TEAM})`);
    expect(trigger.text).not.toMatch(/\d+ weeks/);
    // Their own service's referral in full.
    const own = referral(e, sltReferral);
    expect(own.detailWithheld).toBe(false);
    expect(own.factors[0].inputs).toMatchObject({ 'referral.weeksWaited': 10 });
  });

  it('should show the mental-health clinician their referral in full and the SLT one by label and points', async () => {
    const e = await explanation(mh);
    expect(referral(e, mhReferral).detailWithheld).toBe(false);
    expect(
      referral(e, mhReferral).factors.find((f) => f.id === 'clinical-priority')?.inputs,
    ).toEqual({ 'referral.priority': 'urgent' });
    expect(referral(e, sltReferral)).toMatchObject({ detailWithheld: true });
    expect(referral(e, sltReferral).factors.every((f) => Object.keys(f.inputs).length === 0)).toBe(
      true,
    );
  });

  it('should show every service in full to a clinician who breaks glass, and to a commissioner', async () => {
    for (const e of [
      await explanation(slt, 'Covering the CAMHS duty line for a call from the family'),
      await explanation(commissioner),
    ]) {
      expect(e.referrals.map((r) => r.detailWithheld)).toEqual([false, false]);
      expect(
        referral(e, mhReferral).factors.find((f) => f.id === 'clinical-priority')?.inputs,
      ).toEqual({ 'referral.priority': 'urgent' });
    }
  });
});
