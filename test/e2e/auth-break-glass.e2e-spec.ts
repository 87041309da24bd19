import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { captureLogs, stopCapturingLogs } from '../utils/log-capture.js';

// Jest's testTimeout is global (not per project): e2e files that boot apps set their own.
jest.setTimeout(60_000);

const REASON = 'Safeguarding strategy meeting today: need to contact the family';

describe('least-privilege views and break-glass', () => {
  let t: TestApp;
  let child: { id: string; nhsNumber: string; pseudonym: string };
  let commissioner: string;
  let auditor: string;
  const lines: string[] = [];

  const get = (path: string, token: string, reason?: string) => {
    const r = request(t.http).get(path).set('Authorization', `Bearer ${token}`);
    return reason === undefined ? r : r.set('X-Break-Glass-Reason', reason);
  };

  beforeAll(async () => {
    captureLogs(lines);
    t = await createTestApp({ LOG_LEVEL: 'warn' });
    await resetData(t.db);
    child = await insertChild(t.db, { givenName: 'Cerys', familyName: 'Breakglass' });
    await insertReferral(t.db, child.id, { service: 'slt', provider: 'RXA', priority: 'urgent' });
    commissioner = await t.tokenFor({
      role: 'commissioner',
      sub: 'icb-analyst',
      commissioner: 'QZZ',
    });
    auditor = await t.tokenFor({ role: 'auditor', sub: 'ig-auditor' });
  });
  afterAll(async () => {
    await t.close();
    stopCapturingLogs();
  });

  it('should show a commissioner the pseudonymised child, never the NHS number or name', async () => {
    const res = await get(`/api/children/${child.id}`, commissioner).expect(200);
    expect(res.body).toMatchObject({
      id: child.id,
      pseudonym: child.pseudonym,
      identifiable: false,
    });
    const text = JSON.stringify(res.body);
    for (const secret of [
      child.nhsNumber,
      'Cerys',
      'Breakglass',
      'NB1 4AB',
      'parent@example.com',
      'Mill Lane',
    ]) {
      expect(text).not.toContain(secret);
    }
    const list = await get('/api/referrals?limit=500', commissioner).expect(200);
    expect(JSON.stringify(list.body)).not.toMatch(
      new RegExp(`${child.nhsNumber}|Cerys|Breakglass`),
    );
  });

  it('should show a commissioner nothing outside their ICB, break-glass or not', async () => {
    const elsewhere = await t.tokenFor({
      role: 'commissioner',
      sub: 'other-icb',
      commissioner: 'QXX',
    });
    expect((await get(`/api/children/${child.id}`, elsewhere).expect(404)).body.code).toBe(
      'children.not-found',
    );
    expect((await get(`/api/children/${child.id}`, elsewhere, REASON).expect(404)).body.code).toBe(
      'children.not-found',
    );
  });

  it('should show identity after break-glass with a reason, audit it as break-glass and warn without patient data', async () => {
    const res = await get(`/api/children/${child.id}`, commissioner, REASON).expect(200);
    expect(res.body).toMatchObject({
      identifiable: true,
      nhsNumber: child.nhsNumber,
      givenName: 'Cerys',
    });
    const rows: Array<{
      id: string;
      action: string;
      purpose: string;
      actor_subject: string;
      request_id: string;
      resource: string;
      detail: Record<string, unknown>;
    }> = await t.db.query(
      `select id::text, action, purpose, actor_subject, request_id, resource, detail from audit_event where $1 = any(child_ids) and action = 'break-glass'`,
      [child.id],
    );
    expect(rows).toEqual([
      {
        id: expect.any(String),
        action: 'break-glass',
        purpose: REASON,
        actor_subject: 'icb-analyst',
        request_id: res.headers['x-request-id'],
        resource: 'child',
        // In their ICB, so normally seen (pseudonymised): break-glass added the identity.
        detail: { normalPurpose: 'commissioning', normallyVisible: true },
      },
    ]);
    const warning = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['alert'] === 'break-glass');
    expect(warning).toMatchObject({
      level: 40,
      auditEventId: rows[0].id,
      actorRole: 'commissioner',
      requestId: res.headers['x-request-id'],
    });
    const logged = lines.join('');
    for (const secret of [child.nhsNumber, 'Cerys', 'Breakglass', REASON]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('should raise an alert auditors can list and acknowledge once', async () => {
    const open = await get('/api/audit/alerts', auditor).expect(200);
    const alert = open.body.items.find(
      (a: { children: Array<{ id: string }> }) => a.children[0]?.id === child.id,
    );
    expect(alert).toMatchObject({
      actorSubject: 'icb-analyst',
      actorRole: 'commissioner',
      reason: REASON,
      children: [{ id: child.id, pseudonym: child.pseudonym }],
      normallyVisible: true,
      acknowledgement: null,
    });
    await request(t.http)
      .post(`/api/audit/alerts/${alert.auditEventId}/acknowledge`)
      .set('Authorization', `Bearer ${commissioner}`)
      .send({ outcome: 'appropriate' })
      .expect(403);
    await request(t.http)
      .post(`/api/audit/alerts/${alert.auditEventId}/acknowledge`)
      .set('Authorization', `Bearer ${auditor}`)
      .send({ outcome: 'fine' })
      .expect(400);
    const ack = await request(t.http)
      .post(`/api/audit/alerts/${alert.auditEventId}/acknowledge`)
      .set('Authorization', `Bearer ${auditor}`)
      .send({ outcome: 'appropriate' })
      .expect(200);
    expect(ack.body).toEqual({
      auditEventId: alert.auditEventId,
      acknowledgementId: expect.any(String),
    });
    const again = await request(t.http)
      .post(`/api/audit/alerts/${alert.auditEventId}/acknowledge`)
      .set('Authorization', `Bearer ${auditor}`)
      .send({ outcome: 'inappropriate' })
      .expect(409);
    expect(again.body.code).toBe('audit.alert-already-acknowledged');
    const stillOpen = await get('/api/audit/alerts', auditor).expect(200);
    expect(stillOpen.body.items.map((a: { auditEventId: string }) => a.auditEventId)).not.toContain(
      alert.auditEventId,
    );
    const done = await get('/api/audit/alerts?status=acknowledged', auditor).expect(200);
    expect(
      done.body.items.find((a: { auditEventId: string }) => a.auditEventId === alert.auditEventId)
        .acknowledgement,
    ).toMatchObject({ by: 'ig-auditor', outcome: 'appropriate' });
    const notAlert = await t.db.query<Array<{ id: string }>>(
      `select id::text as id from audit_event where action <> 'break-glass' order by audit_event.id limit 1`,
    );
    await request(t.http)
      .post(`/api/audit/alerts/${notAlert[0].id}/acknowledge`)
      .set('Authorization', `Bearer ${auditor}`)
      .send({ outcome: 'appropriate' })
      .expect(404);
    await get('/api/audit/alerts', commissioner).expect(403);
  });

  it('should let a clinician reach a child outside their services only by breaking glass', async () => {
    const mh = await t.tokenFor({
      role: 'clinician',
      sub: 'mh-clinician',
      services: ['mental-health'],
    });
    await get(`/api/children/${child.id}`, mh).expect(404);
    const res = await get(`/api/children/${child.id}`, mh, REASON).expect(200);
    expect(res.body.referrals[0]).toMatchObject({ service: 'slt', priority: 'urgent' });
    const [row] = await t.db.query<Array<{ action: string; detail: Record<string, unknown> }>>(
      `select action, detail from audit_event where actor_subject = 'mh-clinician' order by id desc limit 1`,
    );
    // The auditor can tell a child outside the clinician's services from a wider view of their own.
    expect(row).toEqual({
      action: 'break-glass',
      detail: { normalPurpose: 'direct-care', normallyVisible: false },
    });
  });

  it('should refuse break-glass where it does not apply, to families, and without a real reason', async () => {
    expect((await get('/api/referrals', commissioner, REASON).expect(400)).body.code).toBe(
      'auth.break-glass-not-available',
    );
    const family = await t.tokenFor({ role: 'family', childId: child.id });
    const refused = await get(`/api/children/${child.id}`, family, REASON).expect(403);
    expect(refused.body).toMatchObject({
      code: 'auth.break-glass-not-allowed',
      detail: expect.stringContaining('only a clinician or a commissioner can'),
    });
    expect(
      (await get(`/api/children/${child.id}`, commissioner, 'because').expect(400)).body.code,
    ).toBe('auth.break-glass-reason-invalid');
    expect(
      (await get(`/api/children/${child.id}`, commissioner, 'x'.repeat(501)).expect(400)).body.code,
    ).toBe('auth.break-glass-reason-invalid');
  });
});
