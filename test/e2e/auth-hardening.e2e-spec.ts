import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Server } from 'node:http';
import request from 'supertest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_USER_GRANT,
} from '../../src/auth/local-oidc/local-oidc.provider.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';

// Jest's testTimeout is global (not per project): e2e files that boot apps set their own.
jest.setTimeout(60_000);

describe('hardening', () => {
  describe('headers, CORS and request limits (defaults)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(async () => t.close());

    it('should send helmet security headers and no x-powered-by', async () => {
      const res = await request(t.http).get('/health').expect(200);
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringMatching(/max-age=\d+/),
        'content-security-policy': expect.stringContaining("default-src 'self'"),
        'referrer-policy': 'no-referrer',
      });
      expect(res.headers).not.toHaveProperty('x-powered-by');
    });

    it("should build each request and response with Express's prototypes from the start", async () => {
      // Express sets them in app.handle when they are not already its own; changing an object's
      // prototype after it was built made V8 keep most of every request's objects through each minor
      // collection (src/common/http/express-server.adapter.ts). Seen before Express handles them:
      const express = t.app.getHttpAdapter().getInstance() as { request: object; response: object };
      const seen: Array<[object | null, object | null]> = [];
      const server = t.http as Server;
      const look = (req: object, res: object) =>
        seen.push([Object.getPrototypeOf(req) as object, Object.getPrototypeOf(res) as object]);
      server.prependListener('request', look);
      try {
        await request(t.http).get('/health').expect(200);
        const token = await t.tokenFor({ role: 'clinician' });
        const me = await request(t.http)
          .get('/api/auth/me')
          .set('Authorization', `Bearer ${token}`)
          .expect(200);
        expect(me.body).toMatchObject({ role: 'clinician' });
      } finally {
        server.removeListener('request', look);
      }
      expect(seen).toHaveLength(2);
      for (const [req, res] of seen) {
        expect(req).toBe(express.request);
        expect(res).toBe(express.response);
      }
    });

    it('should tell browsers and proxies to keep no answer, and send no ETag', async () => {
      const token = await t.tokenFor({ role: 'clinician' });
      const answers = [
        await request(t.http).get('/health').expect(200),
        await request(t.http)
          .get('/api/auth/me')
          .set('Authorization', `Bearer ${token}`)
          .expect(200),
        await request(t.http).get('/api/auth/me').expect(401),
        await request(t.http)
          .get('/api/nothing-here')
          .set('Authorization', `Bearer ${token}`)
          .expect(404),
      ];
      // The health check sets its own, stricter header (no-cache, no-store, must-revalidate).
      for (const res of answers) {
        expect(res.headers['cache-control']).toMatch(/(^|, )no-store(,|$)/);
        expect(res.headers).not.toHaveProperty('etag');
      }
    });

    it('should not answer cross-origin requests when WAITWELL_CORS_ORIGINS is not set', async () => {
      const preflight = await request(t.http)
        .options('/api/referrals')
        .set('Origin', 'https://elsewhere.example')
        .set('Access-Control-Request-Method', 'GET');
      expect(preflight.headers).not.toHaveProperty('access-control-allow-origin');
      const simple = await request(t.http)
        .get('/health')
        .set('Origin', 'https://elsewhere.example');
      expect(simple.headers).not.toHaveProperty('access-control-allow-origin');
    });

    it('should refuse bodies over the size limit with problem details, no internals', async () => {
      const big = await request(t.http)
        .post('/api/auth/family-session')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ link: 'x'.repeat(1_100_000) }))
        .expect(413);
      expect(big.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(big.body).toMatchObject({ status: 413, detail: 'The request body is too large.' });
      for (const body of [big.body]) {
        expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|stack/);
      }
    });

    it('should not echo a malformed body or a badly encoded URL (they may hold patient data)', async () => {
      const bad = await request(t.http)
        .post('/api/auth/family-session')
        .set('content-type', 'application/json')
        .send('Zephyrine 9434765919')
        .expect(400);
      expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(bad.headers['x-content-type-options']).toBe('nosniff');
      expect(bad.body).toMatchObject({
        status: 400,
        detail: 'The request body is not valid JSON.',
      });
      const token = await t.tokenFor({ role: 'clinician' });
      for (const path of ['/api/children/Zephyrine%E0%A4%A', '/api/nothing/Zephyrine%E0%A4%A']) {
        const res = await request(t.http)
          .get(path)
          .set('Authorization', `Bearer ${token}`)
          .expect(400);
        expect(res.body.detail).toBe('The URL is not valid: check its percent-encoding (%XX).');
        expect(JSON.stringify(res.body)).not.toContain('Zephyrine');
      }
      expect(JSON.stringify(bad.body)).not.toMatch(/Zephyrine|9434765919/);
    });

    it('should refuse a NUL character in the body or the query with a 400 that does not quote the text', async () => {
      const token = await t.tokenFor({ role: 'clinician' });
      const inBody = await request(t.http)
        .put('/api/children/3f2b8c1e-6a1d-4c1e-9b7a-0d7c2e9a1b01/priority/override')
        .set('Authorization', `Bearer ${token}`)
        .send({ band: 'P1', reason: 'Zephyrine\u0000 at risk', reviewDate: '2030-01-01' })
        .expect(400);
      expect(inBody.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(inBody.body.detail).toBe(
        'The request holds a NUL character (\\u0000), which text in WaitWell cannot hold: remove it and send again.',
      );
      expect(JSON.stringify(inBody.body)).not.toContain('Zephyrine');
      const nested = await request(t.http)
        .post('/api/prioritisation/tools/validate')
        .set('Authorization', `Bearer ${await t.tokenFor({ role: 'admin' })}`)
        .send({ source: 'name: a\u0000b' })
        .expect(400);
      expect(nested.body.detail).toMatch(/NUL character/);
      const inQuery = await request(t.http)
        .get('/api/ranked?locality=East%00field')
        .set('Authorization', `Bearer ${token}`)
        .expect(400);
      expect(inQuery.body.detail).toMatch(/NUL character/);
    });
  });

  describe('CORS when configured', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ WAITWELL_CORS_ORIGINS: 'https://waitwell.nhs.example' });
    });
    afterAll(async () => t.close());

    it('should allow only the configured origins', async () => {
      const allowed = await request(t.http)
        .options('/api/referrals')
        .set('Origin', 'https://waitwell.nhs.example')
        .set('Access-Control-Request-Method', 'GET');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://waitwell.nhs.example');
      const other = await request(t.http)
        .options('/api/referrals')
        .set('Origin', 'https://elsewhere.example')
        .set('Access-Control-Request-Method', 'GET');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('rate limits', () => {
    let t: TestApp;
    let child: { id: string };
    let family: string;
    let clinician: string;

    beforeAll(async () => {
      t = await createTestApp({
        WAITWELL_RATE_LIMIT_PER_MINUTE: '40',
        WAITWELL_RATE_LIMIT_SIGN_IN_PER_MINUTE: '2',
        WAITWELL_RATE_LIMIT_FAMILY_PER_MINUTE: '3',
      });
      await resetData(t.db);
      child = await insertChild(t.db);
      await insertReferral(t.db, child.id, { service: 'slt' });
      // The local provider's token endpoint is a sign-in route too: two tokens, then it says no.
      family = await t.tokenFor({ role: 'family', sub: 'busy-family', childId: child.id });
      clinician = await t.tokenFor({ role: 'clinician', sub: 'busy-clinician', services: ['slt'] });
    });
    afterAll(async () => t.close());

    it('should limit sign-in at the local provider per client address', async () => {
      const res = await fetch(t.oidc.tokenEndpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: DEMO_USER_GRANT, username: 'admin' }).toString(),
      });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('should limit a family more strictly than staff', async () => {
      for (let i = 0; i < 3; i++) {
        await request(t.http)
          .get(`/api/children/${child.id}`)
          .set('Authorization', `Bearer ${family}`)
          .expect(200);
      }
      const limited = await request(t.http)
        .get(`/api/children/${child.id}`)
        .set('Authorization', `Bearer ${family}`)
        .expect(429);
      expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(limited.body).toMatchObject({ status: 429, title: 'Too many requests' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // The family's budget is theirs: other routes count too, and staff are not affected.
      await request(t.http)
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${family}`)
        .expect(429);
      for (let i = 0; i < 5; i++) {
        await request(t.http)
          .get(`/api/children/${child.id}`)
          .set('Authorization', `Bearer ${clinician}`)
          .expect(200);
      }
    });

    it('should limit the family-link exchange per client address', async () => {
      await request(t.http).post('/api/auth/family-session').send({ link: 'a.b.c' }).expect(401);
      await request(t.http).post('/api/auth/family-session').send({ link: 'a.b.c' }).expect(401);
      const res = await request(t.http)
        .post('/api/auth/family-session')
        .send({ link: 'a.b.c' })
        .expect(429);
      expect(res.headers['x-ratelimit-limit-sign-in']).toBe('2');
    });

    it('should limit every route per client address, bad tokens included', async () => {
      let status = 0;
      for (let i = 0; i < 45 && status !== 429; i++) {
        status = (await request(t.http).get('/api/referrals').set('Authorization', 'Bearer forged'))
          .status;
      }
      expect(status).toBe(429);
      await request(t.http).get('/health').expect(429);
      // Without WAITWELL_TRUST_PROXY a forged X-Forwarded-For does not buy a fresh budget.
      await request(t.http).get('/health').set('X-Forwarded-For', '10.9.9.9').expect(429);
    });
  });

  describe('behind a proxy (WAITWELL_TRUST_PROXY)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ WAITWELL_TRUST_PROXY: '1', WAITWELL_RATE_LIMIT_PER_MINUTE: '3' });
    });
    afterAll(async () => t.close());

    it('should limit and audit each client by the address the proxy forwards', async () => {
      for (let i = 0; i < 3; i++) {
        await request(t.http).get('/health').set('X-Forwarded-For', '10.0.0.1').expect(200);
      }
      await request(t.http).get('/health').set('X-Forwarded-For', '10.0.0.1').expect(429);
      const child = await insertChild(t.db);
      await insertReferral(t.db, child.id, { service: 'slt' });
      const token = await t.tokenFor({ role: 'clinician', sub: 'proxied-clinician' });
      const res = await request(t.http)
        .get(`/api/children/${child.id}`)
        .set('Authorization', `Bearer ${token}`)
        .set('X-Forwarded-For', '10.0.0.2')
        .expect(200);
      const [row] = await t.db.query<Array<{ source_ip: string }>>(
        `select source_ip from audit_event where request_id = $1`,
        [res.headers['x-request-id']],
      );
      expect(row.source_ip).toBe('10.0.0.2');
    });
  });
});
