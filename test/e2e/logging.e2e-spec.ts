import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { createTestApp, type TestApp } from '../utils/test-app.js';
import { captureLogs, stopCapturingLogs } from '../utils/log-capture.js';

describe('logs carry no patient data', () => {
  let t: TestApp;
  const lines: string[] = [];

  beforeAll(async () => {
    captureLogs(lines);
    t = await createTestApp({ LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    await t.close();
    stopCapturingLogs();
  });

  it('should log requests and errors with ids only: no NHS number, name, postcode, contact or token', async () => {
    const child = await insertChild(t.db, { givenName: 'Zephyrine', familyName: 'Quillfeather' });
    await insertReferral(t.db, child.id);
    const token = await t.tokenFor({ role: 'clinician' });
    await request(t.http)
      .get(`/api/children/${child.id}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    await request(t.http)
      .get(`/api/referrals?nhsNumber=${child.nhsNumber}&name=Zephyrine`)
      .set('Authorization', `Bearer ${token}`)
      .expect(400);
    await request(t.http)
      .get(`/api/children/${child.id}?postcode=NB1%204AB`)
      .set('Authorization', `Bearer ${token}`)
      .expect(400);
    await request(t.http)
      .get('/api/referrals')
      .set('Authorization', 'Bearer not-a-token')
      .expect(401);

    const out = lines.join('');
    expect(out).toContain('request completed');
    expect(out).toContain('/api/children/');
    for (const secret of [
      child.nhsNumber,
      'Zephyrine',
      'Quillfeather',
      'NB1 4AB',
      'NB1%204AB',
      'parent@example.com',
      token,
    ]) {
      expect(out).not.toContain(secret);
    }
  });
});
