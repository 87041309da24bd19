import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { DEMO_CLIENT_ID, DEMO_USER_GRANT } from '../../src/auth/local-oidc/local-oidc.provider.js';
import { demoNhsNumber } from '../../src/demo/demo-generator.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { writeIdentityFile } from '../utils/identity-file.js';
import { demoTokenFor } from '../utils/local-tokens.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { startTestIssuer, type TestIssuer } from '../utils/test-issuer.js';

// Jest's testTimeout is global (not per project): e2e files that boot apps set their own.
jest.setTimeout(60_000);

const now = () => Math.floor(Date.now() / 1000);

function tamper(
  token: string,
  part: 'payload' | 'signature',
  change: (s: string) => string,
): string {
  const [h, p, s] = token.split('.');
  return part === 'payload' ? [h, change(p), s].join('.') : [h, p, change(s)].join('.');
}

describe('sign-in: tokens from the local OpenID provider and configured issuers', () => {
  let t: TestApp;
  let cis2: TestIssuer; // stands in for NHS CIS2 (staff), with its own claim mapping
  let nhsLogin: TestIssuer; // stands in for NHS login (families)
  let child: { id: string; nhsNumber: string };
  let other: { id: string; nhsNumber: string };

  beforeAll(async () => {
    cis2 = await startTestIssuer();
    nhsLogin = await startTestIssuer('waitwell-family');
    const identityFile = writeIdentityFile({
      additionalIssuers: [
        {
          issuer: cis2.url,
          claims: {
            role: 'nhsid_nrbac_roles.role_code',
            commissioner: 'nhsid_nrbac_roles.org_code',
            services: 'waitwell_services',
          },
          roleValues: { 'S8000:G8000:R8000': 'clinician', 'S8001:G8005:R5080': 'commissioner' },
        },
        {
          issuer: nhsLogin.url,
          audience: 'waitwell-family',
          fixedRole: 'family',
          claims: { nhsNumber: 'nhs_number' },
        },
      ],
    });
    t = await createTestApp({ WAITWELL_IDENTITY_FILE: identityFile });
    await resetData(t.db);
    child = await insertChild(t.db, { nhsNumber: demoNhsNumber(0) });
    await insertReferral(t.db, child.id, { service: 'slt' });
    other = await insertChild(t.db);
    await insertReferral(t.db, other.id, { service: 'slt' });
  });
  afterAll(async () => {
    await t.close();
    await cis2.close();
    await nhsLogin.close();
  });

  describe('the local OpenID provider', () => {
    it('should publish discovery with the demo-user grant and a JWKS, without WAITWELL_OIDC_ISSUER', async () => {
      const discovery = (await (
        await fetch(`${t.oidc.issuer}/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>;
      expect(discovery['issuer']).toBe(t.oidc.issuer);
      expect(discovery['grant_types_supported']).toContain(DEMO_USER_GRANT);
      const jwks = (await (await fetch(String(discovery['jwks_uri']))).json()) as {
        keys: Array<Record<string, unknown>>;
      };
      expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(jwks.keys[0]).not.toHaveProperty('d');
    });

    it('should give every demo user a token that WaitWell accepts with the right role and scope', async () => {
      const users = t.oidc.demoAccounts().filter((a) => a.description !== 'test user');
      expect(users.map((u) => u.id)).toEqual(
        expect.arrayContaining([
          'commissioner-qzz',
          'clinician-neurodiversity',
          'clinician-slt',
          'clinician-community-paediatrics',
          'clinician-mental-health',
          'admin',
          'auditor',
          'family',
        ]),
      );
      for (const user of users) {
        const token = await demoTokenFor(t.oidc.tokenEndpoint, user.id);
        const me = await request(t.http)
          .get('/api/auth/me')
          .set('Authorization', `Bearer ${token}`)
          .expect(200);
        expect(me.body).toMatchObject({
          subject: user.id,
          role: user.claims['waitwell_role'],
          issuer: t.oidc.issuer,
        });
      }
      const family = await demoTokenFor(t.oidc.tokenEndpoint, 'family');
      const me = await request(t.http)
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${family}`)
        .expect(200);
      // The family demo user carries only the NHS number of the first demo child; WaitWell finds the child.
      expect(me.body.childId).toBe(child.id);
      expect(JSON.stringify(me.body)).not.toContain(child.nhsNumber);
      const clinician = await demoTokenFor(t.oidc.tokenEndpoint, 'clinician-slt');
      expect(
        (await request(t.http).get('/api/auth/me').set('Authorization', `Bearer ${clinician}`)).body
          .services,
      ).toEqual(['slt']);
      const commissioner = await demoTokenFor(t.oidc.tokenEndpoint, 'commissioner-qzz');
      expect(
        (await request(t.http).get('/api/auth/me').set('Authorization', `Bearer ${commissioner}`))
          .body.commissionerCode,
      ).toBe('QZZ');
    });

    it('should issue RS256 JWT access tokens for the configured audience', async () => {
      const token = await t.tokenFor({ role: 'clinician', services: ['slt'] });
      const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<
        string,
        unknown
      >;
      const payload = JSON.parse(
        Buffer.from(token.split('.')[1], 'base64url').toString(),
      ) as Record<string, unknown>;
      expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
      expect(payload).toMatchObject({
        iss: t.oidc.issuer,
        aud: t.config.oidc.audience,
        sub: 'clinician-1',
        waitwell_role: 'clinician',
        waitwell_services: ['slt'],
      });
      expect(Number(payload['exp']) - Number(payload['iat'])).toBe(3600);
    });

    it('should refuse unknown demo users and wrong client secrets', async () => {
      const post = (auth: string, username: string) =>
        fetch(t.oidc.tokenEndpoint, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: DEMO_USER_GRANT, username }).toString(),
        });
      const unknown = await post(`${DEMO_CLIENT_ID}:waitwell-demo-secret`, 'mallory');
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { error: string }).error).toBe('invalid_grant');
      const badSecret = await post(`${DEMO_CLIENT_ID}:guess`, 'admin');
      expect(badSecret.status).toBe(401);
    });
  });

  describe('bad tokens are refused with 401', () => {
    const get = (token?: string) => {
      const r = request(t.http).get(`/api/children/${'0'.repeat(8)}-0000-4000-8000-000000000000`);
      return token === undefined ? r : r.set('Authorization', token);
    };

    it('should refuse a request with no token, or not a bearer token', async () => {
      expect((await get().expect(401)).body.code).toBe('auth.no-token');
      expect((await get('Basic YWRtaW46YWRtaW4=').expect(401)).body.code).toBe('auth.no-token');
      expect((await get('Bearer').expect(401)).body.code).toBe('auth.no-token');
      expect((await get('Bearer not-a-jwt').expect(401)).body.code).toBe('auth.bad-token');
    });

    it('should refuse expired tokens (beyond the 30 s clock skew) and accept one within it', async () => {
      const claims = {
        sub: 'u-1',
        nhsid_nrbac_roles: [{ role_code: 'S8000:G8000:R8000' }],
        waitwell_services: ['slt'],
      };
      const url = `/api/children/${child.id}`;
      await request(t.http)
        .get(url)
        .set('Authorization', `Bearer ${await cis2.sign(claims)}`)
        .expect(200);
      await request(t.http)
        .get(url)
        .set('Authorization', `Bearer ${await cis2.sign(claims, { expiresIn: now() - 10 })}`)
        .expect(200);
      const expired = await request(t.http)
        .get(url)
        .set('Authorization', `Bearer ${await cis2.sign(claims, { expiresIn: now() - 120 })}`)
        .expect(401);
      expect(expired.body).toMatchObject({ status: 401, code: 'auth.bad-token' });
      expect(expired.headers['content-type']).toMatch(/application\/problem\+json/);
    });

    it('should refuse a token for another audience', async () => {
      const claims = {
        sub: 'u-1',
        nhsid_nrbac_roles: [{ role_code: 'S8000:G8000:R8000' }],
        waitwell_services: ['slt'],
      };
      const res = await get(
        `Bearer ${await cis2.sign(claims, { audience: 'some-other-api' })}`,
      ).expect(401);
      expect(res.body.code).toBe('auth.bad-token');
      // The local provider's tokens are for WAITWELL_OIDC_AUDIENCE only; a family-login audience is not interchangeable either.
      await get(
        `Bearer ${await nhsLogin.sign({ sub: 'p', nhs_number: child.nhsNumber }, { audience: t.config.oidc.audience })}`,
      ).expect(401);
    });

    it('should refuse a token from an issuer WaitWell does not trust, or claiming a trusted issuer with the wrong key', async () => {
      const stranger = await startTestIssuer();
      try {
        const tokens = [
          await stranger.sign({ sub: 'x', waitwell_role: 'admin' }),
          await t.issuer.sign(
            { sub: 'x', waitwell_role: 'clinician', waitwell_services: ['slt'] },
            { issuer: t.oidc.issuer },
          ),
          await stranger.sign(
            { sub: 'x', nhsid_nrbac_roles: [{ role_code: 'S8000:G8000:R8000' }] },
            { issuer: cis2.url },
          ),
        ];
        for (const token of tokens) {
          expect((await get(`Bearer ${token}`).expect(401)).body.code).toBe('auth.bad-token');
        }
      } finally {
        await stranger.close();
      }
    });

    it('should refuse a real token whose signature or claims were tampered with', async () => {
      const token = await t.tokenFor({ role: 'clinician', services: ['slt'] });
      await get(`Bearer ${token}`).expect(404);
      const flip = (s: string) => s.slice(0, 20) + (s[20] === 'A' ? 'B' : 'A') + s.slice(21);
      await get(`Bearer ${tamper(token, 'signature', flip)}`).expect(401);
      const elevate = (p: string) => {
        const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<
          string,
          unknown
        >;
        return Buffer.from(JSON.stringify({ ...claims, waitwell_role: 'auditor' })).toString(
          'base64url',
        );
      };
      await request(t.http)
        .get('/api/audit')
        .set('Authorization', `Bearer ${tamper(token, 'payload', elevate)}`)
        .expect(401);
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${token.split('.')[1]}.`;
      await get(`Bearer ${none}`).expect(401);
    });
  });

  describe('claims mapped by configuration', () => {
    it('should map NHS CIS2-style role codes to a clinician with services', async () => {
      const token = await cis2.sign({
        sub: 'cis2-user',
        nhsid_nrbac_roles: [{ role_code: 'S8000:G8000:R8000', org_code: 'RXA' }],
        waitwell_services: ['slt'],
      });
      const me = await request(t.http)
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(me.body).toMatchObject({
        subject: 'cis2-user',
        role: 'clinician',
        services: ['slt'],
        issuer: cis2.url,
      });
    });

    it('should refuse a CIS2 user whose role codes give no WaitWell role, or more than one', async () => {
      const none = await cis2.sign({
        sub: 'u',
        nhsid_nrbac_roles: [{ role_code: 'S9:G9:R9' }],
        waitwell_role: 'admin',
      });
      expect(
        (
          await request(t.http)
            .get('/api/auth/me')
            .set('Authorization', `Bearer ${none}`)
            .expect(403)
        ).body.code,
      ).toBe('auth.no-waitwell-role');
      const two = await cis2.sign({
        sub: 'u',
        nhsid_nrbac_roles: [
          { role_code: 'S8000:G8000:R8000' },
          { role_code: 'S8001:G8005:R5080', org_code: 'QZZ' },
        ],
      });
      expect(
        (
          await request(t.http)
            .get('/api/auth/me')
            .set('Authorization', `Bearer ${two}`)
            .expect(403)
        ).body.detail,
      ).toMatch(/more than one WaitWell role/);
    });

    it('should let an NHS login user see their own child, found by the nhs_number claim, and no other', async () => {
      const token = await nhsLogin.sign(
        { sub: 'nhs-login-user', nhs_number: child.nhsNumber },
        { audience: 'waitwell-family' },
      );
      const me = await request(t.http)
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(me.body).toMatchObject({ role: 'family', childId: child.id });
      const own = await request(t.http)
        .get(`/api/children/${child.id}`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(own.body).toMatchObject({
        id: child.id,
        identifiable: true,
        nhsNumber: child.nhsNumber,
      });
      await request(t.http)
        .get(`/api/children/${other.id}`)
        .set('Authorization', `Bearer ${token}`)
        .expect(404);
    });

    it('should refuse an NHS login user whose NHS number matches no child on our lists', async () => {
      const token = await nhsLogin.sign(
        { sub: 'nhs-login-other', nhs_number: demoNhsNumber(999_001) },
        { audience: 'waitwell-family' },
      );
      const res = await request(t.http)
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${token}`)
        .expect(403);
      expect(res.body.code).toBe('auth.family-child-not-found');
      expect(JSON.stringify(res.body)).not.toContain(demoNhsNumber(999_001));
    });

    it('should refuse a commissioner token that does not say which ICB', async () => {
      const token = await cis2.sign({
        sub: 'u',
        nhsid_nrbac_roles: [{ role_code: 'S8001:G8005:R5080' }],
      });
      expect(
        (
          await request(t.http)
            .get('/api/auth/me')
            .set('Authorization', `Bearer ${token}`)
            .expect(403)
        ).body.code,
      ).toBe('auth.incomplete-identity');
    });
  });
});
