import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DemoSeeder } from '../../src/demo/demo-seeder.service.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';

describe('service spine (HTTP into PostgreSQL)', () => {
  let t: TestApp;
  let clinician: string;
  let commissioner: string;

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    await t.app.get(DemoSeeder).seed(300, 42, '2026-11-25');
    clinician = await t.tokenFor({ role: 'clinician' });
    commissioner = await t.tokenFor({ role: 'commissioner' });
  });
  afterAll(async () => t.close());

  it('should answer /health with the database up, without a token', async () => {
    const res = await request(t.http).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.database.status).toBe('up');
  });

  it('should serve the OpenAPI document', async () => {
    const res = await request(t.http).get('/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/referrals', '/api/children/{id}']),
    );
  });

  it('should keep the schema in migrations and the catalogue in the database', async () => {
    const migrations: Array<{ name: string }> = await t.db.query('select name from migrations');
    expect(migrations.map((m) => m.name)).toContain('CreateWaitingListModel1764000000000');
    const services: Array<{ code: string; target_weeks: number }> = await t.db.query(
      'select code, target_weeks from service order by code',
    );
    expect(services.map((s) => s.code)).toEqual([
      'community-paediatrics',
      'mental-health',
      'neurodiversity',
      'slt',
    ]);
  });

  it('should refuse an invalid NHS number in the database itself', async () => {
    await expect(
      t.db.query(
        `insert into child (nhs_number, pseudonym, date_of_birth) values ('9434765918', 'x', '2020-01-01')`,
      ),
    ).rejects.toThrow(/child_nhs_number_valid/);
  });

  it('should list demo referrals for a service, longest wait first, across keyset pages without gaps or repeats', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let previous = '';
    let pages = 0;
    do {
      const res: request.Response = await request(t.http)
        .get('/api/referrals')
        .query({ service: 'slt', limit: 25, ...(cursor ? { cursor } : {}) })
        .set('Authorization', `Bearer ${clinician}`)
        .expect(200);
      for (const item of res.body.items) {
        expect(item.service).toBe('slt');
        expect(seen.has(item.id)).toBe(false);
        seen.add(item.id);
        expect(item.receivedDate >= previous).toBe(true);
        previous = item.receivedDate;
        expect(item).not.toHaveProperty('nhsNumber');
      }
      cursor = res.body.next;
      pages++;
    } while (cursor && pages < 50);
    const [{ n }] = await t.db.query(
      `select count(*)::int as n from referral where service_code = 'slt'`,
    );
    expect(seen.size).toBe(n);
    expect(pages).toBeGreaterThan(1);
  });

  it('should filter by provider and status', async () => {
    const res = await request(t.http)
      .get('/api/referrals?provider=RXA&status=treatment-started&limit=500')
      .set('Authorization', `Bearer ${commissioner}`)
      .expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const item of res.body.items) {
      expect(item.provider).toBe('RXA');
      expect(item.status).toBe('treatment-started');
      expect(item.clockStopDate).not.toBeNull();
    }
  });

  it('should show one child with all their referrals, identifiable to a clinician and pseudonymised to a commissioner', async () => {
    const child = await insertChild(t.db, { givenName: 'Mia', flags: [{ code: 'ehcp' }] });
    await insertReferral(t.db, child.id, { service: 'slt', receivedDate: '2026-01-10' });
    await insertReferral(t.db, child.id, {
      service: 'neurodiversity',
      provider: 'RXA',
      receivedDate: '2025-09-01',
    });
    const asClinician = await request(t.http)
      .get(`/api/children/${child.id}`)
      .set('Authorization', `Bearer ${clinician}`)
      .expect(200);
    expect(asClinician.body).toMatchObject({
      id: child.id,
      nhsNumber: child.nhsNumber,
      givenName: 'Mia',
      identifiable: true,
    });
    expect(asClinician.body.referrals).toHaveLength(2);
    expect(asClinician.body.flags.map((f: { code: string }) => f.code)).toEqual(['ehcp']);
    const asCommissioner = await request(t.http)
      .get(`/api/children/${child.id}`)
      .set('Authorization', `Bearer ${commissioner}`)
      .expect(200);
    expect(asCommissioner.body).toMatchObject({
      id: child.id,
      pseudonym: child.pseudonym,
      identifiable: false,
    });
    expect(asCommissioner.body).not.toHaveProperty('nhsNumber');
    expect(asCommissioner.body).not.toHaveProperty('givenName');
    expect(JSON.stringify(asCommissioner.body)).not.toContain(child.nhsNumber);
    const audit: Array<{ resource: string; actor_role: string; request_id: string }> =
      await t.db.query(
        `select resource, actor_role, request_id from audit_event where $1 = any(child_ids) order by id`,
        [child.id],
      );
    expect(audit.map((a) => [a.resource, a.actor_role])).toEqual([
      ['child', 'clinician'],
      ['child-pseudonymised', 'commissioner'],
    ]);
    expect(audit[0].request_id).toBe(asClinician.headers['x-request-id']);
  });

  it('should tell a clinician only "also waiting for" about services they do not work in', async () => {
    const child = await insertChild(t.db);
    await insertReferral(t.db, child.id, { service: 'slt', receivedDate: '2026-02-01' });
    await insertReferral(t.db, child.id, {
      service: 'mental-health',
      receivedDate: '2026-03-01',
      priority: 'urgent',
    });
    const token = await t.tokenFor({ role: 'clinician', services: ['slt'] });
    const res = await request(t.http)
      .get(`/api/children/${child.id}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    const mh = res.body.referrals.find((r: { service: string }) => r.service === 'mental-health');
    expect(mh.summary).toMatch(
      /^Also waiting for Children and young people's mental health since 2026-03-01$/,
    );
    expect(mh).not.toHaveProperty('priority');
  });

  describe('bad requests', () => {
    it.each([
      ['/api/referrals?colour=blue', /colour should not exist/],
      ['/api/referrals?status=lost', /status must be one of/],
      ['/api/referrals?limit=0', /limit must not be less than 1/],
      ['/api/referrals?service=dentistry', /There is no service "dentistry"/],
      ['/api/referrals?cursor=not-a-cursor', /cursor is not valid/],
      ['/api/children/not-a-uuid', /id must be a child id/],
      [
        '/api/children/00000000-0000-4000-8000-000000000000?nhsNumber=9434765919',
        /nhsNumber should not exist \(this route takes no query parameters\)/,
      ],
    ])('should answer %s with 400 problem details', async (url, detail) => {
      const res = await request(t.http)
        .get(url)
        .set('Authorization', `Bearer ${clinician}`)
        .expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, title: 'Bad request' });
      expect(res.body.detail).toMatch(detail);
      expect(res.body.correlationId).toEqual(expect.any(String));
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+|stack/);
    });

    it('should answer an unknown child with 404 problem details', async () => {
      const res = await request(t.http)
        .get('/api/children/00000000-0000-4000-8000-000000000000')
        .set('Authorization', `Bearer ${clinician}`)
        .expect(404);
      expect(res.body).toMatchObject({ status: 404, code: 'children.not-found' });
    });

    it('should answer an unknown route with 404 problem details', async () => {
      const res = await request(t.http)
        .get('/api/nothing-here')
        .set('Authorization', `Bearer ${clinician}`)
        .expect(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    });

    it('should refuse a request without a token', async () => {
      const res = await request(t.http).get('/api/referrals').expect(401);
      expect(res.body.code).toBe('auth.no-token');
    });
  });
});
