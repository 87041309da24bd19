import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { createApp } from '../../src/app.factory.js';
import { verifyAuditChain } from '../../src/audit/audit-verification.js';
import { LocalOidcProvider } from '../../src/auth/local-oidc/local-oidc.provider.js';
import { loadAppConfig } from '../../src/config/app-config.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { demoTokenFor } from '../utils/local-tokens.js';
import {
  testDatabaseUrl as testUrl,
  testDatabaseUrlFor as urlFor,
  withClient,
} from '../utils/test-database.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';

// Jest's testTimeout is global (not per project): e2e files that boot apps set their own.
jest.setTimeout(60_000);

const pgCode = (e: unknown) => (e as { code?: string }).code;

describe('audit: append-only for the application, tamper-evident, searchable by auditors', () => {
  let t: TestApp;
  let a: { id: string; pseudonym: string };
  let b: { id: string; pseudonym: string };
  let auditor: string;
  let clinician: string;

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    a = await insertChild(t.db);
    await insertReferral(t.db, a.id, { service: 'slt' });
    b = await insertChild(t.db);
    await insertReferral(t.db, b.id, { service: 'slt' });
    auditor = await t.tokenFor({ role: 'auditor', sub: 'auditor-1' });
    clinician = await t.tokenFor({
      role: 'clinician',
      sub: 'audit-test-clinician',
      services: ['slt'],
    });
  });
  afterAll(async () => t.close());

  describe('the application database role', () => {
    it('should run as waitwell_app, which can read and append audit rows but not change or remove them', async () => {
      expect(await t.db.query(`select current_user as role`)).toEqual([{ role: 'waitwell_app' }]);
      await request(t.http)
        .get(`/api/children/${a.id}`)
        .set('Authorization', `Bearer ${clinician}`)
        .expect(200);
      const [{ n }] = await t.db.query<Array<{ n: number }>>(
        `select count(*)::int as n from audit_event`,
      );
      expect(n).toBeGreaterThan(0);
      for (const sql of [
        `delete from audit_event`,
        `update audit_event set purpose = 'x'`,
        `truncate audit_event`,
        `alter table audit_event disable trigger audit_event_append_only`,
        `drop table audit_event`,
      ]) {
        const error = await t.db.query(sql).then(
          () => null,
          (e: unknown) => e,
        );
        expect([sql, pgCode(error)]).toEqual([sql, expect.stringMatching(/^(42501)$/)]);
      }
      const [{ m }] = await t.db.query<Array<{ m: number }>>(
        `select count(*)::int as m from audit_event`,
      );
      expect(m).toBe(n);
      // The application's other tables are unaffected.
      await t.db.query(`update child set locality = locality where id = $1`, [a.id]);
    });

    it('should protect audit rows for an external DATABASE_URL whose login role is only a member of waitwell_app', async () => {
      const [{ canCreate }] = await withClient(testUrl(), (c) =>
        c
          .query(
            `select rolsuper or rolcreaterole as "canCreate" from pg_roles where rolname = current_user`,
          )
          .then((r) => r.rows as Array<{ canCreate: boolean }>),
      );
      if (!canCreate) return; // an external test server without CREATEROLE: nothing to prove here
      const login = { name: `waitwell_login_${process.pid}`, password: 'login-test-password' };
      const database = new URL(testUrl()).pathname.slice(1);
      await withClient(testUrl(), (c) =>
        c.query(
          `create role ${login.name} login password '${login.password}' in role waitwell_app`,
        ),
      );
      try {
        const app = await createApp(
          loadAppConfig({ NODE_ENV: 'test', WAITWELL_DEMO: 'false' }),
          urlFor(database, login),
        );
        await app.init();
        try {
          const oidc = app.get(LocalOidcProvider);
          oidc.registerAccount({
            id: 'login-role-clinician',
            description: 'test',
            claims: { waitwell_role: 'clinician', waitwell_services: ['slt'] },
          });
          const token = await demoTokenFor(oidc.tokenEndpoint, 'login-role-clinician');
          await request(app.getHttpServer())
            .get(`/api/children/${a.id}`)
            .set('Authorization', `Bearer ${token}`)
            .expect(200);
        } finally {
          await app.close();
        }
        await withClient(urlFor(database, login), async (c) => {
          const rows = await c.query(
            `select count(*)::int as n from audit_event where actor_subject = 'login-role-clinician'`,
          );
          expect(rows.rows[0].n).toBe(1);
          for (const sql of [
            `delete from audit_event`,
            `update audit_event set purpose = 'x'`,
            `truncate audit_event`,
            `set role waitwell_audit_owner`,
          ]) {
            expect([
              sql,
              pgCode(
                await c.query(sql).then(
                  () => null,
                  (e: unknown) => e,
                ),
              ),
            ]).toEqual([sql, '42501']);
          }
          await c.query(`reset role`);
          expect((await c.query(`select current_user as role`)).rows[0].role).toBe(login.name);
          expect(
            pgCode(
              await c.query(`delete from audit_event`).then(
                () => null,
                (e: unknown) => e,
              ),
            ),
          ).toBe('42501');
        });
      } finally {
        await withClient(testUrl(), async (c) => {
          await c.query(
            `select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`,
            [login.name],
          );
          await c.query(`drop role ${login.name}`);
        });
      }
    });
  });

  describe('GET /api/audit', () => {
    it('should be for auditors only', async () => {
      for (const role of ['commissioner', 'clinician', 'admin', 'family'] as const) {
        const token = await t.tokenFor({ role, childId: role === 'family' ? a.id : undefined });
        expect(
          (
            await request(t.http)
              .get('/api/audit')
              .set('Authorization', `Bearer ${token}`)
              .expect(403)
          ).body.code,
        ).toBe('auth.role-not-allowed');
      }
      await request(t.http).get('/api/audit').expect(401);
    });

    it('should filter by child, action, role, request and time, with pseudonyms for the children', async () => {
      const read = await request(t.http)
        .get(`/api/children/${b.id}`)
        .set('Authorization', `Bearer ${clinician}`)
        .expect(200);
      const requestId = String(read.headers['x-request-id']);
      const res = await request(t.http)
        .get('/api/audit')
        .query({ childId: b.id, action: 'read', role: 'clinician' })
        .set('Authorization', `Bearer ${auditor}`)
        .expect(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      for (const item of res.body.items) {
        expect(item).toMatchObject({
          action: 'read',
          actorRole: 'clinician',
          children: [{ id: b.id, pseudonym: b.pseudonym }],
        });
        expect(item.hash).toMatch(/^[0-9a-f]{64}$/);
      }
      const byRequest = await request(t.http)
        .get('/api/audit')
        .query({ requestId })
        .set('Authorization', `Bearer ${auditor}`)
        .expect(200);
      expect(byRequest.body.items).toEqual([
        expect.objectContaining({
          requestId,
          actorSubject: 'audit-test-clinician',
          resource: 'child',
          purpose: 'direct-care',
          sourceIp: expect.stringMatching(/127\.0\.0\.1|::1/),
        }),
      ]);
      const future = await request(t.http)
        .get('/api/audit')
        .query({ from: '2999-01-01T00:00:00Z' })
        .set('Authorization', `Bearer ${auditor}`)
        .expect(200);
      expect(future.body).toEqual({ items: [], next: null });
      const when = byRequest.body.items[0].occurredAt as string;
      const window = await request(t.http)
        .get('/api/audit')
        .query({ from: when, to: new Date(Date.parse(when) + 1).toISOString(), requestId })
        .set('Authorization', `Bearer ${auditor}`)
        .expect(200);
      expect(window.body.items).toHaveLength(1);
    });

    it('should page newest first without gaps or repeats, and audit the search itself', async () => {
      // Seven more reads by this file's clinician: pages of two, the last one short.
      for (let i = 0; i < 7; i++) {
        await request(t.http)
          .get(`/api/children/${i % 2 ? a.id : b.id}`)
          .set('Authorization', `Bearer ${clinician}`)
          .expect(200);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await request(t.http)
          .get('/api/audit')
          .query({
            role: 'clinician',
            actor: 'audit-test-clinician',
            limit: 2,
            ...(cursor ? { cursor } : {}),
          })
          .set('Authorization', `Bearer ${auditor}`)
          .expect(200);
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        cursor = res.body.next;
        pages++;
      } while (cursor && pages < 1000);
      expect(cursor).toBeNull();
      // This file's clinician only: other test files' audit rows stay in the (append-only) trail.
      const expected = await t.db.query<Array<{ id: string }>>(
        `select id::text as id from audit_event
          where actor_role = 'clinician' and actor_subject = 'audit-test-clinician' order by audit_event.id desc`,
      );
      expect(expected.length).toBeGreaterThanOrEqual(9);
      expect(seen).toEqual(expected.map((r) => r.id));
      const [last] = await t.db.query<
        Array<{
          actor_subject: string;
          resource: string;
          detail: { filters: Record<string, string> };
        }>
      >(`select actor_subject, resource, detail from audit_event order by id desc limit 1`);
      expect(last).toMatchObject({
        actor_subject: 'auditor-1',
        resource: 'audit-event',
        detail: { filters: { role: 'clinician', actor: 'audit-test-clinician' } },
      });
    });

    it.each([
      ['action=steal', /action must be one of/],
      ['from=yesterday', /from must be an ISO 8601/],
      ['childId=1', /childId must be a child id/],
      ['limit=501', /limit must not be greater than 500/],
      ['actorSubject=x', /actorSubject should not exist/],
    ])('should refuse %s', async (query, message) => {
      const res = await request(t.http)
        .get(`/api/audit?${query}`)
        .set('Authorization', `Bearer ${auditor}`)
        .expect(400);
      expect(res.body.detail).toMatch(message);
    });
  });

  describe('audit:verify', () => {
    const database = `waitwell_tamper_${process.pid}`;
    const url = () => urlFor(database);

    beforeAll(async () => {
      await withClient(testUrl(), (c) => c.query(`create database ${database}`));
      // A whole application on its own database writes a real chain through real requests.
      const app = await createApp(
        loadAppConfig({ NODE_ENV: 'test', WAITWELL_DEMO: 'false' }),
        url(),
      );
      await app.init();
      try {
        const oidc = app.get(LocalOidcProvider);
        oidc.registerAccount({
          id: 'tamper-clinician',
          description: 'test',
          claims: { waitwell_role: 'clinician', waitwell_services: ['slt'] },
        });
        const token = await demoTokenFor(oidc.tokenEndpoint, 'tamper-clinician');
        const db = app.get((await import('typeorm')).DataSource);
        const child = await insertChild(db);
        await insertReferral(db, child.id, { service: 'slt' });
        // More than 9 rows, so ids 10+ prove the chain is read in numeric (not text) order.
        for (let i = 0; i < 12; i++) {
          await request(app.getHttpServer())
            .get(`/api/children/${child.id}`)
            .set('Authorization', `Bearer ${token}`)
            .expect(200);
        }
      } finally {
        await app.close();
      }
    });
    afterAll(async () =>
      withClient(testUrl(), (c) => c.query(`drop database if exists ${database} with (force)`)),
    );

    // Tampering needs the powers the application does not have: the server's superuser, with triggers off.
    const asSuperuser = (sql: string, params: unknown[] = []) =>
      withClient(url(), async (c) => {
        await c.query('begin');
        await c.query(`set local session_replication_role = replica`);
        await c.query(sql, params);
        await c.query('commit');
      });

    it('should pass an intact chain and find an edited row, then a removed one, and a cut-off tail with a checkpoint', async () => {
      const intact = await withClient(url(), (c) => verifyAuditChain(c, { batchSize: 2 }));
      expect(intact).toMatchObject({ ok: true, rows: 12, firstBreak: null });
      const ids = (
        await withClient(url(), (c) =>
          c.query(`select id::text as id, purpose from audit_event order by audit_event.id`),
        )
      ).rows as Array<{ id: string; purpose: string }>;

      await asSuperuser(`update audit_event set purpose = 'curiosity' where id = $1`, [ids[2].id]);
      const edited = await withClient(url(), (c) => verifyAuditChain(c, { batchSize: 2 }));
      expect(edited).toMatchObject({
        ok: false,
        firstBreak: { id: ids[2].id, problem: 'content-changed' },
      });
      await asSuperuser(`update audit_event set purpose = $2 where id = $1`, [
        ids[2].id,
        ids[2].purpose,
      ]);
      expect((await withClient(url(), (c) => verifyAuditChain(c))).ok).toBe(true);

      await asSuperuser(`delete from audit_event where id = $1`, [ids[1].id]);
      expect(await withClient(url(), (c) => verifyAuditChain(c))).toMatchObject({
        ok: false,
        firstBreak: { id: ids[2].id, problem: 'broken-link' },
      });

      const checkpoint = intact.head as { id: string; hash: string };
      await asSuperuser(`delete from audit_event where id >= $1`, [ids[2].id]);
      expect(await withClient(url(), (c) => verifyAuditChain(c))).toMatchObject({
        ok: true,
        rows: 1,
      });
      expect(await withClient(url(), (c) => verifyAuditChain(c, { checkpoint }))).toMatchObject({
        ok: false,
        firstBreak: { id: checkpoint.id, problem: 'checkpoint-mismatch' },
      });
    });

    it('should stop even the table owner from changing audit rows while the triggers are on', async () => {
      const error = await withClient(url(), (c) =>
        c.query(`delete from audit_event`).then(
          () => null,
          (e: unknown) => e,
        ),
      );
      expect((error as Error).message).toMatch(/audit_event is append-only: DELETE refused/);
      const truncate = await withClient(url(), (c) =>
        c.query(`truncate audit_event`).then(
          () => null,
          (e: unknown) => e,
        ),
      );
      expect((truncate as Error).message).toMatch(/audit_event is append-only: TRUNCATE refused/);
    });
  });
});
