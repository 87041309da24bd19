import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import request from 'supertest';
import { addDays, londonDate } from '../../src/common/time/calendar-date.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { OTHER_ICB_PROVIDER, twoIcbCatalogue } from '../utils/two-icb-catalogue.js';
import { asOwner, createTestApp, resetData, type TestApp } from '../utils/test-app.js';

/**
 * Prioritisation with two ICBs in the catalogue: what one ICB's commissioner sees of a child who
 * also waits with a provider of the other.
 */
describe('prioritisation with two ICBs (HTTP into PostgreSQL)', () => {
  let t: TestApp;
  let dir: string;
  let admin: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const today = londonDate();

  beforeAll(async () => {
    let file: string;
    ({ dir, file } = twoIcbCatalogue('waitwell-icbs-'));
    t = await createTestApp({ WAITWELL_CATALOGUE_FILE: file });
    admin = await t.tokenFor({ role: 'admin' });
  });
  afterAll(async () => {
    // Test files share one database: leave no rows, and no provider the default catalogue lacks.
    await resetData(t.db);
    await asOwner(t.db, (runner) =>
      runner.query(`delete from provider where code = $1`, [OTHER_ICB_PROVIDER]),
    );
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => resetData(t.db));

  it("should take a commissioner's median wait in the equity view at their own ICB's providers", async () => {
    // Waits 5 weeks with RYB (QZZ) and 60 with RQQ (QAA); the other child 20 weeks with RYB.
    const both = await insertChild(t.db, { deprivationDecile: 6 });
    await insertReferral(t.db, both.id, {
      service: 'slt',
      provider: 'RYB',
      receivedDate: addDays(today, -5 * 7),
    });
    await insertReferral(t.db, both.id, {
      service: 'neurodiversity',
      provider: OTHER_ICB_PROVIDER,
      receivedDate: addDays(today, -60 * 7),
    });
    const ours = await insertChild(t.db, { deprivationDecile: 6 });
    await insertReferral(t.db, ours.id, {
      service: 'slt',
      provider: 'RYB',
      receivedDate: addDays(today, -20 * 7),
    });
    await request(t.http).post('/api/prioritisation/rescore').set(auth(admin)).expect(200);
    const equity = async (commissioner: string) =>
      (
        await request(t.http)
          .get('/api/prioritisation/equity')
          .set(auth(await t.tokenFor({ role: 'commissioner', sub: commissioner, commissioner })))
          .expect(200)
      ).body;
    // QZZ: waits of 5 and 20 weeks at its providers, the lower middle one being 5 (not the child's
    // 60 weeks with QAA's provider).
    const qzz = await equity('QZZ');
    expect(qzz.scope).toEqual({ providers: ['RXA', 'RYB'] });
    expect(qzz.overall).toMatchObject({ children: 2, medianWeeksWaited: 5 });
    expect(qzz.byDeprivationQuintile).toEqual([
      expect.objectContaining({ key: '3', children: 2, medianWeeksWaited: 5 }),
    ]);
    // QAA: the one child waiting with its provider, 60 weeks there.
    const qaa = await equity('QAA');
    expect(qaa.overall).toMatchObject({ children: 1, medianWeeksWaited: 60 });
    // An admin: every provider, each child's longest wait wherever it is (60 and 20).
    const all = (
      await request(t.http).get('/api/prioritisation/equity').set(auth(admin)).expect(200)
    ).body;
    expect(all.overall).toMatchObject({ children: 2, medianWeeksWaited: 20 });
  });
});
