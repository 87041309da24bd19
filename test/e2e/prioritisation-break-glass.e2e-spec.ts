import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { addDays, londonDate } from '../../src/common/time/calendar-date.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { writeIdentityFile } from '../utils/identity-file.js';
import { captureLogs, stopCapturingLogs } from '../utils/log-capture.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { startTestIssuer, type TestIssuer } from '../utils/test-issuer.js';

jest.setTimeout(60_000);

const REASON = 'Covering the duty line: Ysolde rang in distress about her brother';
const OVERRIDE_REASON = 'Seen by the SLT team: Ysolde has stopped eating at school';
const today = londonDate();

interface AuditRow {
  action: string;
  resource: string;
  purpose: string | null;
  detail: Record<string, unknown>;
  request_id: string | null;
}

/**
 * Break-glass on a child's priority (reviewer G): a clinician may read the explained score and
 * history of a child outside their services by breaking glass, exactly as on the child's record;
 * nothing that changes the child's care opens, and no other role breaks glass here.
 */
describe('break-glass on a child priority (HTTP into PostgreSQL)', () => {
  let t: TestApp;
  let staff: TestIssuer; // a trusted staff issuer (as NHS CIS2), to sign an expired token
  const lines: string[] = [];
  let child: { id: string; nhsNumber: string; pseudonym: string };
  let slt: string;
  let mh: string;
  let commissioner: string;
  let auditor: string;

  const call = (
    method: 'get' | 'put' | 'delete' | 'post',
    path: string,
    token: string,
    reason?: string,
  ) => {
    const r = request(t.http)[method](path).set('Authorization', `Bearer ${token}`);
    return reason === undefined ? r : r.set('X-Break-Glass-Reason', reason);
  };
  const priority = (token: string, reason?: string) =>
    call('get', `/api/children/${child.id}/priority`, token, reason);
  const auditOf = (requestId: string) =>
    t.db.query<AuditRow[]>(
      `select action, resource, purpose, detail, request_id from audit_event where request_id = $1`,
      [requestId],
    );

  beforeAll(async () => {
    captureLogs(lines);
    staff = await startTestIssuer();
    t = await createTestApp({
      LOG_LEVEL: 'debug',
      WAITWELL_IDENTITY_FILE: writeIdentityFile({ additionalIssuers: [{ issuer: staff.url }] }),
    });
    await resetData(t.db);
    child = await insertChild(t.db, { givenName: 'Ysolde', familyName: 'Breakglass-Priority' });
    await insertReferral(t.db, child.id, {
      service: 'slt',
      provider: 'RXA',
      receivedDate: addDays(today, -30 * 7),
    });
    const admin = await t.tokenFor({ role: 'admin' });
    slt = await t.tokenFor({ role: 'clinician', sub: 'slt-clinician', services: ['slt'] });
    mh = await t.tokenFor({ role: 'clinician', sub: 'mh-clinician', services: ['mental-health'] });
    commissioner = await t.tokenFor({ role: 'commissioner', sub: 'icb-analyst' });
    auditor = await t.tokenFor({ role: 'auditor', sub: 'ig-auditor' });
    await call('post', '/api/prioritisation/rescore', admin).expect(200);
    // The child's own team overrides the band; the next rescore applies it (history, override shown).
    await call('put', `/api/children/${child.id}/priority/override`, slt)
      .send({ band: 'P1', reason: OVERRIDE_REASON, reviewDate: addDays(today, 30) })
      .expect(200);
    await call('post', '/api/prioritisation/rescore', admin).expect(200);
  });
  afterAll(async () => {
    await resetData(t.db);
    await t.close();
    await staff.close();
    stopCapturingLogs();
  });

  it('should answer a clinician outside the child services 404 without break-glass, as today', async () => {
    const res = await priority(mh).expect(404);
    expect(res.body.code).toBe('prioritisation.not-scored');
  });

  it('should open the explanation, history and override to a clinician who breaks glass, audited as break-glass', async () => {
    const res = await priority(mh, REASON).expect(200);
    expect(res.body).toMatchObject({
      childId: child.id,
      identifiable: true,
      nhsNumber: child.nhsNumber,
      givenName: 'Ysolde',
      band: 'P1',
      override: { band: 'P1', setBy: 'slt-clinician', reason: OVERRIDE_REASON },
    });
    expect(res.body.explanation.referrals[0].factors.length).toBeGreaterThan(0);
    expect(res.body.history.length).toBeGreaterThan(0);
    expect(await auditOf(res.headers['x-request-id'])).toEqual([
      {
        action: 'break-glass',
        resource: 'child-priority',
        purpose: REASON,
        detail: { normalPurpose: 'direct-care', normallyVisible: false },
        request_id: res.headers['x-request-id'],
      },
    ]);
    // The alert fires as for the record: auditors see it, with what was opened and why.
    const alerts = await call('get', '/api/audit/alerts', auditor).expect(200);
    expect(alerts.body.items).toContainEqual(
      expect.objectContaining({
        actorSubject: 'mh-clinician',
        actorRole: 'clinician',
        resource: 'child-priority',
        reason: REASON,
        children: [{ id: child.id, pseudonym: child.pseudonym }],
        requestId: res.headers['x-request-id'],
        normallyVisible: false,
        acknowledgement: null,
      }),
    );
    const warning = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['alert'] === 'break-glass' && l['requestId'] === res.headers['x-request-id']);
    expect(warning).toMatchObject({
      level: 40,
      resource: 'child-priority',
      actorRole: 'clinician',
    });
  });

  it('should keep break-glass to the one request that carries it', async () => {
    expect((await priority(mh, REASON).expect(200)).body.childId).toBe(child.id);
    expect((await priority(mh).expect(404)).body.code).toBe('prioritisation.not-scored');
  });

  it("should audit the child's own clinician who breaks glass as break-glass, normally visible", async () => {
    const res = await priority(slt, REASON).expect(200);
    expect(await auditOf(res.headers['x-request-id'])).toEqual([
      expect.objectContaining({
        action: 'break-glass',
        detail: { normalPurpose: 'direct-care', normallyVisible: true },
      }),
    ]);
  });

  it('should refuse a malformed reason with a problem that says what a reason needs, and open nothing (the attempt is audited)', async () => {
    for (const bad of [
      'urgent',
      '..............',
      'x'.repeat(501),
      Buffer.from('Safeguarding \u202Egniteem', 'utf8').toString('latin1'),
    ]) {
      const res = await priority(mh, bad).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({
        status: 400,
        code: 'auth.break-glass-reason-invalid',
        detail: expect.stringMatching(/say in words why.*10 to 500 characters/),
      });
      // Nothing read; the refused attempt itself is audited, without the reason given.
      expect(await auditOf(res.headers['x-request-id'])).toEqual([
        expect.objectContaining({
          action: 'break-glass-refused',
          resource: 'break-glass-attempt',
          purpose: null,
          detail: { code: 'auth.break-glass-reason-invalid', method: 'GET' },
        }),
      ]);
    }
  });

  it('should refuse break-glass with an expired sign-in, and accept it with a current one', async () => {
    const claims = {
      sub: 'mh-staff',
      waitwell_role: 'clinician',
      waitwell_services: ['mental-health'],
    };
    const now = Math.floor(Date.now() / 1000);
    const expired = await priority(
      await staff.sign(claims, { expiresIn: now - 120 }),
      REASON,
    ).expect(401);
    expect(expired.body).toMatchObject({ code: 'auth.bad-token' });
    expect(expired.body.detail).toMatch(/expired/);
    expect(await auditOf(expired.headers['x-request-id'])).toEqual([]);
    await priority(await staff.sign(claims), REASON).expect(200);
  });

  it('should refuse break-glass on overrides and check-ins, which change the child care', async () => {
    const path = `/api/children/${child.id}`;
    const attempts = [
      call('put', `${path}/priority/override`, mh, REASON).send({
        band: 'P4',
        reason: 'Downgrading under break-glass',
        reviewDate: addDays(today, 30),
      }),
      call('delete', `${path}/priority/override`, mh, REASON),
      call('post', `${path}/check-ins`, mh, REASON).send({ answer: 'crisis' }),
    ];
    for (const attempt of attempts) {
      const res = await attempt.expect(400);
      expect(res.body).toMatchObject({ code: 'auth.break-glass-not-available' });
      expect(res.body.detail).toMatch(/remove the X-Break-Glass-Reason header/);
    }
    // Without the header they stay what they were: not this clinician's child.
    await call('delete', `${path}/priority/override`, mh).expect(404);
    await call('post', `${path}/check-ins`, mh).send({ answer: 'crisis' }).expect(404);
    const changes = await t.db.query<Array<{ overrides: number; checkIns: number }>>(
      `select (select count(*)::int from priority_override where child_id = $1) as overrides,
              (select count(*)::int from family_check_in where child_id = $1) as "checkIns"`,
      [child.id],
    );
    expect(changes).toEqual([{ overrides: 1, checkIns: 0 }]);
    const [still] = await t.db.query<Array<{ band: string; createdBy: string }>>(
      `select band, created_by as "createdBy" from priority_override where child_id = $1 and ended_at is null`,
      [child.id],
    );
    expect(still).toEqual({ band: 'P1', createdBy: 'slt-clinician' });
  });

  it('should refuse break-glass on the priority to a commissioner and a family', async () => {
    const res = await priority(commissioner, REASON).expect(403);
    expect(res.body).toMatchObject({ code: 'auth.break-glass-not-allowed' });
    expect(res.body.detail).toMatch(/only a clinician can/);
    // Without it the commissioner's view is what it was: pseudonymised, no override reason.
    const plain = await priority(commissioner).expect(200);
    expect(plain.body).toMatchObject({ identifiable: false, pseudonym: child.pseudonym });
    expect(JSON.stringify(plain.body)).not.toMatch(/Ysolde|stopped eating/);
    expect(JSON.stringify(plain.body)).not.toContain(child.nhsNumber);
    const family = await t.tokenFor({ role: 'family', childId: child.id });
    expect((await priority(family, REASON).expect(403)).body.code).toMatch(/^auth\./);
    // The audit is append-only and shared by every test file: this child's rows only.
    const [{ n }] = await t.db.query<Array<{ n: number }>>(
      `select count(*)::int as n from audit_event
        where action = 'break-glass' and actor_role <> 'clinician' and $1 = any(child_ids)`,
      [child.id],
    );
    expect(n).toBe(0);
    // The refused attempts are audited (not as alerts), without the reason they gave.
    const refused = await t.db.query<
      Array<{ role: string; purpose: string | null; detail: { code: string; method: string } }>
    >(
      `select actor_role as role, purpose, detail from audit_event
        where action = 'break-glass-refused' and $1 = any(child_ids) and actor_role <> 'clinician'
        order by id`,
      [child.id],
    );
    // (The family is refused the route itself, before break-glass is looked at.)
    expect(refused.map((r) => [r.role, r.detail.code, r.detail.method])).toEqual([
      ['commissioner', 'auth.break-glass-not-allowed', 'GET'],
    ]);
    expect(JSON.stringify(refused)).not.toContain(REASON);
    // And an auditor finds them by searching the trail (docs/identity.md, "Break-glass").
    const found = await call(
      'get',
      `/api/audit?action=break-glass-refused&childId=${child.id}&role=commissioner`,
      auditor,
    ).expect(200);
    expect(
      (found.body.items as Array<{ action: string; actorRole: string; detail: unknown }>).map(
        (e) => [e.action, e.actorRole, e.detail],
      ),
    ).toEqual([
      [
        'break-glass-refused',
        'commissioner',
        { code: 'auth.break-glass-not-allowed', method: 'GET' },
      ],
    ]);
    expect(found.text).not.toContain(REASON);
  });

  it('should audit a break-glass attempt the route refuses after the guard (an unknown child, a malformed id), and nothing without it', async () => {
    const unknown = '5d0c7c1e-4d7a-4f55-9d0e-0a1b2c3d4e5f';
    const attempts: Array<[string, number, string, string[]]> = [
      [`/api/children/${unknown}/priority`, 404, 'prioritisation.not-scored', [unknown]],
      [`/api/children/${unknown}`, 404, 'children.not-found', [unknown]],
      ['/api/children/not-a-child-id/priority', 400, 'request.invalid', []],
    ];
    for (const [path, status, code, childIds] of attempts) {
      const res = await call('get', path, mh, REASON).expect(status);
      expect(res.body.code).toBe(code);
      const rows = await t.db.query<Array<AuditRow & { child_ids: string[] }>>(
        `select action, resource, purpose, detail, request_id, child_ids from audit_event where request_id = $1`,
        [res.headers['x-request-id']],
      );
      expect(rows).toEqual([
        expect.objectContaining({
          action: 'break-glass-refused',
          resource: 'break-glass-attempt',
          purpose: null,
          detail: { code, method: 'GET' },
          child_ids: childIds,
        }),
      ]);
      // The same request without break-glass is an ordinary refusal: nothing audited.
      const plain = await call('get', path, mh).expect(status);
      expect(await auditOf(plain.headers['x-request-id'])).toEqual([]);
    }
  });

  it('should keep the reason, the override reason and the child identity out of the logs', () => {
    const logged = lines.join('');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [
      REASON,
      'Covering the duty line',
      OVERRIDE_REASON,
      child.nhsNumber,
      'Ysolde',
      'Breakglass-Priority',
    ]) {
      expect(logged).not.toContain(secret);
    }
  });
});
