import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { FamilyLinkService } from '../../src/auth/family/family-link.service.js';
import { IDENTITY_CONFIG } from '../../src/auth/identity/identity-config.provider.js';
import type { IdentityConfig } from '../../src/auth/identity/identity-config.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';

// Jest's testTimeout is global (not per project): e2e files that boot apps set their own.
jest.setTimeout(60_000);

type Child = { id: string; nhsNumber: string; pseudonym: string };

describe('family access: only their own child, whatever they put in a URL', () => {
  let t: TestApp;
  let mine: Child;
  let theirs: Child;
  let family: string;
  let sltClinician: string;

  const get = (path: string, token: string) =>
    request(t.http).get(path).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    mine = await insertChild(t.db, { givenName: 'Ada', flags: [{ code: 'safeguarding-concern' }] });
    await insertReferral(t.db, mine.id, { service: 'slt', receivedDate: '2026-03-02' });
    theirs = await insertChild(t.db, { givenName: 'Bea' });
    await insertReferral(t.db, theirs.id, { service: 'slt' });
    family = await t.tokenFor({ role: 'family', sub: 'family-ada', childId: mine.id });
    sltClinician = await t.tokenFor({ role: 'clinician', sub: 'clinician-slt', services: ['slt'] });
  });
  afterAll(async () => t.close());

  it('should show a family their own child, without clinical flags', async () => {
    const res = await get(`/api/children/${mine.id}`, family).expect(200);
    expect(res.body).toMatchObject({
      id: mine.id,
      identifiable: true,
      givenName: 'Ada',
      flags: [],
    });
    expect(res.body.referrals[0]).toMatchObject({ service: 'slt', receivedDate: '2026-03-02' });
  });

  it('should answer another child exactly as a child that does not exist', async () => {
    const other = await get(`/api/children/${theirs.id}`, family).expect(404);
    const missing = await get('/api/children/00000000-0000-4000-8000-000000000000', family).expect(
      404,
    );
    expect(other.body.code).toBe('children.not-found');
    expect(other.body.detail).toBe(missing.body.detail);
    expect(JSON.stringify(other.body)).not.toMatch(/Bea|WW-/);
    await get(`/api/children/${theirs.id.toUpperCase()}`, family).expect(404);
  });

  it('should refuse ids smuggled in query parameters', async () => {
    const res = await get(`/api/children/${theirs.id}?childId=${mine.id}`, family).expect(400);
    expect(res.body.detail).toMatch(/childId should not exist/);
    await get(`/api/children/${mine.id}?id=${theirs.id}`, family).expect(400);
    await get(`/api/children/${mine.id}?id[]=${theirs.id}`, family).expect(400);
  });

  it('should tell a family who sends something else than a child id where to find theirs', async () => {
    const res = await get('/api/children/my-child', family).expect(400);
    expect(res.body.detail).toMatch(/a family finds its child's in \/api\/auth\/me/);
    const me = await get('/api/auth/me', family).expect(200);
    expect(me.body.childId).toBe(mine.id);
  });

  it('should keep families off staff routes', async () => {
    expect((await get(`/api/referrals?childId=${theirs.id}`, family).expect(403)).body.code).toBe(
      'auth.role-not-allowed',
    );
    await get('/api/audit', family).expect(403);
    await request(t.http)
      .post(`/api/children/${theirs.id}/family-link`)
      .set('Authorization', `Bearer ${family}`)
      .expect(403);
  });

  it('should pin an NHS-number family to the child with that NHS number, and refuse a token whose child id disagrees', async () => {
    const byNhs = await t.tokenFor({
      role: 'family',
      sub: 'nhs-login-ada',
      nhsNumber: mine.nhsNumber,
    });
    await get(`/api/children/${mine.id}`, byNhs).expect(200);
    await get(`/api/children/${theirs.id}`, byNhs).expect(404);
    const mixed = await t.tokenFor({
      role: 'family',
      sub: 'mixed',
      nhsNumber: mine.nhsNumber,
      childId: theirs.id,
    });
    expect((await get(`/api/children/${theirs.id}`, mixed).expect(403)).body.code).toBe(
      'auth.family-child-not-found',
    );
  });

  describe('signed family links', () => {
    it('should let a clinician issue a link for a child on their list, audited without the link itself', async () => {
      const res = await request(t.http)
        .post(`/api/children/${mine.id}/family-link`)
        .set('Authorization', `Bearer ${sltClinician}`)
        .expect(201);
      expect(res.body).toMatchObject({
        childId: mine.id,
        link: expect.any(String),
        expiresAt: expect.any(String),
      });
      const days = (Date.parse(res.body.expiresAt) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(13.9);
      expect(days).toBeLessThanOrEqual(14);
      const audit: Array<{ action: string; actor_subject: string; detail: unknown }> =
        await t.db.query(
          `select action, actor_subject, detail from audit_event where resource = 'family-link' and $1 = any(child_ids)`,
          [mine.id],
        );
      expect(audit).toEqual([
        {
          action: 'create',
          actor_subject: 'clinician-slt',
          detail: { expiresAt: res.body.expiresAt },
        },
      ]);
      expect(JSON.stringify(audit)).not.toContain(res.body.link);
    });

    it("should refuse a link for a child outside the clinician's services, and to other roles", async () => {
      const mh = await t.tokenFor({
        role: 'clinician',
        sub: 'clinician-mh',
        services: ['mental-health'],
      });
      await request(t.http)
        .post(`/api/children/${mine.id}/family-link`)
        .set('Authorization', `Bearer ${mh}`)
        .expect(404);
      const commissioner = await t.tokenFor({ role: 'commissioner' });
      await request(t.http)
        .post(`/api/children/${mine.id}/family-link`)
        .set('Authorization', `Bearer ${commissioner}`)
        .expect(403);
    });

    it('should exchange a link for a short session that sees that one child only', async () => {
      const { body: issued } = await request(t.http)
        .post(`/api/children/${mine.id}/family-link`)
        .set('Authorization', `Bearer ${sltClinician}`)
        .expect(201);
      const res = await request(t.http)
        .post('/api/auth/family-session')
        .send({ link: issued.link })
        .expect(200);
      expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 1800, childId: mine.id });
      const session = res.body.accessToken as string;
      const me = await get('/api/auth/me', session).expect(200);
      expect(me.body).toMatchObject({ role: 'family', childId: mine.id });
      await get(`/api/children/${mine.id}`, session).expect(200);
      await get(`/api/children/${theirs.id}`, session).expect(404);
      await get('/api/referrals', session).expect(403);
      const signIns: Array<{ actor_role: string }> = await t.db.query(
        `select actor_role from audit_event where action = 'sign-in' and $1 = any(child_ids)`,
        [mine.id],
      );
      expect(signIns.map((r) => r.actor_role)).toContain('family');
    });

    it("should refuse a forged, altered or expired link, and a link or session used in the other's place", async () => {
      const links = t.app.get(FamilyLinkService);
      const identity = t.app.get<IdentityConfig>(IDENTITY_CONFIG);
      const forger = new FamilyLinkService(
        {
          ...t.config,
          identity: {
            ...t.config.identity,
            familyLinkSecret: 'a-guess-at-the-secret-that-is-long-enough',
          },
        },
        identity,
      );
      const forged = (await forger.issue(theirs.id)).link;
      const exchange = (link: string) =>
        request(t.http).post('/api/auth/family-session').send({ link });
      expect((await exchange(forged).expect(401)).body.code).toBe('auth.bad-family-link');

      const genuine = (await links.issue(mine.id)).link;
      const [h, p, s] = genuine.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      const altered = [
        h,
        Buffer.from(JSON.stringify({ ...claims, cid: theirs.id })).toString('base64url'),
        s,
      ].join('.');
      await exchange(altered).expect(401);

      const expired = (await links.issue(mine.id, new Date(Date.now() - 15 * 86_400_000))).link;
      await exchange(expired).expect(401);

      await get(`/api/children/${mine.id}`, genuine).expect(401);
      const session = (await exchange(genuine).expect(200)).body.accessToken as string;
      await exchange(session).expect(401);
    });

    it('should validate the exchange request', async () => {
      expect(
        (
          await request(t.http)
            .post('/api/auth/family-session')
            .send({ link: 'not a link' })
            .expect(400)
        ).body.detail,
      ).toMatch(/link must be the link token/);
      await request(t.http)
        .post('/api/auth/family-session')
        .send({
          link: (await t.app.get(FamilyLinkService).issue(mine.id)).link,
          childId: theirs.id,
        })
        .expect(400);
      await request(t.http).post('/api/auth/family-session').send({}).expect(400);
    });
  });
});
