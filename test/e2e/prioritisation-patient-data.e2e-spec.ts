import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { AuditService } from '../../src/audit/audit.service.js';
import { addDays, londonDate } from '../../src/common/time/calendar-date.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { captureLogs, stopCapturingLogs } from '../utils/log-capture.js';

const DEFAULT_TOOL = readFileSync(
  new URL('../../config/prioritisation-tool.yaml', import.meta.url),
  'utf8',
);
const today = londonDate();

/**
 * Patient data in the prioritisation feature (reviewer D): what each role gets back from every
 * prioritisation route, what is audited, and what reaches the logs, with a child whose name, NHS
 * number, flag detail and override reason are all distinctive strings to look for.
 */
describe('prioritisation: patient data in responses, audit and logs', () => {
  let t: TestApp;
  const lines: string[] = [];
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  let admin: string;
  let clinician: string;
  let commissioner: string;
  let child: { id: string; nhsNumber: string; pseudonym: string };
  const REASON = 'Zephyrine told the school nurse about her stepfather';
  const FLAG_DETAIL = 'excluded after incident with Mr Hargreaves';

  beforeAll(async () => {
    captureLogs(lines);
    t = await createTestApp({ LOG_LEVEL: 'debug' });
    await resetData(t.db);
    admin = await t.tokenFor({ role: 'admin' });
    clinician = await t.tokenFor({ role: 'clinician', sub: 'clinician-d' });
    commissioner = await t.tokenFor({ role: 'commissioner' });
    child = await insertChild(t.db, {
      givenName: 'Zephyrine',
      familyName: 'Quillfeather',
      dateOfBirth: addDays(today, -9 * 365),
      flags: [{ code: 'not-in-school', detail: FLAG_DETAIL }],
    });
    await insertReferral(t.db, child.id, {
      service: 'slt',
      provider: 'RYB',
      receivedDate: addDays(today, -20 * 7),
    });
    // A rule that reads the flags' detail (and applies to this child, so its inputs are shown), and
    // one that fails for this child (divides by zero).
    const source = DEFAULT_TOOL.replace(
      'factors:\n',
      'factors:\n' +
        '  - id: fragile\n    level: child\n    label: Fragile rule\n' +
        '    points: { "/": [10, { "-": [{ "var": "child.ageYears" }, { "var": "child.ageYears" }] }] }\n' +
        '  - id: detailed\n    level: child\n    label: Detail rule\n' +
        '    when: { "!": { "in": ["none", { "var": "child.flagDetails" }] } }\n    points: 1\n' +
        '    explain: "flags {child.flagDetails}"\n',
    );
    const draft = (
      await request(t.http)
        .post('/api/prioritisation/tools')
        .set(auth(admin))
        .send({ source, rationale: 'patient data review' })
        .expect(201)
    ).body;
    await request(t.http)
      .post(`/api/prioritisation/tools/${draft.id}/activate`)
      .set(auth(admin))
      .send({ rationale: 'patient data review' })
      .expect(200);
  });
  afterAll(async () => {
    await t.close();
    stopCapturingLogs();
  });

  const identifying = () => [
    child.nhsNumber,
    'Zephyrine',
    'Quillfeather',
    addDays(today, -9 * 365),
    'NB1 4AB',
    '1 Mill Lane',
    'parent@example.com',
  ];

  it('should keep identity, the override reason and flag detail out of the logs on every prioritisation path', async () => {
    await request(t.http)
      .put(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .send({ band: 'P1', reason: REASON, reviewDate: addDays(today, 30) })
      .expect(200);
    // Validation errors that could echo input: a bad band, a reason too long, a check-in with an
    // undeclared field and a bad date, a query that carries a name.
    await request(t.http)
      .put(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .send({ band: 'Zephyrine Quillfeather', reason: REASON, reviewDate: 'tomorrow' })
      .expect(400);
    await request(t.http)
      .post(`/api/children/${child.id}/check-ins`)
      .set(auth(clinician))
      .send({ answer: 'worse', note: REASON, reportedOn: REASON })
      .expect(400);
    await request(t.http)
      .get(`/api/ranked?locality=${encodeURIComponent('Zephyrine Quillfeather')}`)
      .set(auth(clinician))
      .expect(400);
    await request(t.http)
      .post(`/api/children/${child.id}/check-ins`)
      .set(auth(clinician))
      .send({ answer: 'crisis' })
      .expect(201);
    await request(t.http)
      .get(`/api/children/${child.id}/priority`)
      .set(auth(clinician))
      .expect(200);
    await request(t.http)
      .get(`/api/children/${child.id}/priority`)
      .set(auth(commissioner))
      .expect(200);
    await request(t.http).get('/api/ranked').set(auth(clinician)).expect(200);
    await request(t.http).get('/api/prioritisation/notices').set(auth(clinician)).expect(200);
    await request(t.http).post('/api/prioritisation/rescore').set(auth(admin)).expect(200);
    await request(t.http)
      .post('/api/prioritisation/preview')
      .set(auth(admin))
      .send({ source: DEFAULT_TOOL })
      .expect(200);
    await request(t.http)
      .delete(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .expect(204);

    // A child's NHS number or name where its id goes (a 400), malformed JSON and a reason the
    // database could not store (a NUL character: refused before, a 400).
    for (const wrongId of [child.nhsNumber, 'Zephyrine%20Quillfeather']) {
      await request(t.http)
        .get(`/api/children/${wrongId}/priority`)
        .set(auth(clinician))
        .expect(400);
      await request(t.http)
        .post(`/api/children/${wrongId}/check-ins`)
        .set(auth(clinician))
        .send({ answer: 'worse' })
        .expect(400);
    }
    await request(t.http)
      .put(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .set('Content-Type', 'application/json')
      .send(`{"band": "P1", "reason": "${REASON}`)
      .expect(400);
    await request(t.http)
      .put(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .send({ band: 'P1', reason: `${REASON}\u0000`, reviewDate: addDays(today, 30) })
      .expect(400);
    const out = lines.join('');
    expect(out).toContain('rescore completed');
    for (const secret of [...identifying(), REASON, 'stepfather', FLAG_DETAIL, 'Hargreaves']) {
      expect(out).not.toContain(secret);
    }
  });

  it('should give a commissioner no identity, override reason or free text from any prioritisation route', async () => {
    await request(t.http)
      .put(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .send({ band: 'P1', reason: REASON, reviewDate: addDays(today, 30) })
      .expect(200);
    const answers = await Promise.all(
      [
        `/api/children/${child.id}/priority`,
        '/api/ranked',
        '/api/ranked?service=slt',
        '/api/prioritisation/runs',
        '/api/prioritisation/equity',
        '/api/prioritisation/tools',
        '/api/prioritisation/tools/active',
      ].map((url) => request(t.http).get(url).set(auth(commissioner)).expect(200)),
    );
    for (const a of answers) {
      const text = a.text;
      for (const secret of [...identifying(), REASON, 'stepfather', FLAG_DETAIL, 'Hargreaves']) {
        expect(text).not.toContain(secret);
      }
    }
    const p = answers[0].body;
    expect(p).toMatchObject({ identifiable: false, override: { band: 'P1' } });
    expect(p.override.reason).toBeUndefined();
    // The rule that reads the flags' detail still shows which flag and its points; the detail, free
    // text from the provider's system, is withheld from a commissioner and shown to a clinician.
    type Factor = { id: string; points: number; inputs: Record<string, unknown>; text: string };
    const detailed = (e: { childFactors: Factor[] }) =>
      e.childFactors.find((f) => f.id === 'detailed');
    expect(detailed(p.explanation)).toMatchObject({
      points: 1,
      inputs: { 'child.flagDetails': ['not-in-school:[withheld]'] },
    });
    expect(detailed(p.explanation)?.text).toContain('not-in-school:[withheld]');
    const forClinician = await request(t.http)
      .get(`/api/children/${child.id}/priority`)
      .set(auth(clinician))
      .expect(200);
    expect(detailed(forClinician.body.explanation)).toMatchObject({
      points: 1,
      inputs: { 'child.flagDetails': [`not-in-school:${FLAG_DETAIL}`] },
    });
  });

  it('should send no identifiable data when the audit record cannot be written (fail closed)', async () => {
    const audit = t.app.get(AuditService);
    const spy = jest.spyOn(audit, 'record').mockRejectedValue(new Error('audit store down'));
    try {
      for (const url of [
        `/api/children/${child.id}/priority`,
        '/api/ranked',
        '/api/prioritisation/notices',
      ]) {
        const res = await request(t.http).get(url).set(auth(clinician));
        expect(res.status).toBe(500);
        for (const secret of [...identifying(), REASON]) expect(res.text).not.toContain(secret);
      }
    } finally {
      spy.mockRestore();
    }
  });
});
