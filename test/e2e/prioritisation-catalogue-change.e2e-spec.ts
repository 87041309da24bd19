import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { parse, stringify } from 'yaml';
import { addDays, londonDate } from '../../src/common/time/calendar-date.js';
import type { CatalogueConfig } from '../../src/config/catalogue.schema.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { ptlDropSource, writeSources } from './ingest-support.js';

/**
 * A service taken out of config/catalogue.yaml while the active tool version still limits a rule to
 * it: the version must go on loading (rescores, ranked pages and explanations), not fail them all.
 */
describe('prioritisation after a service leaves the catalogue (HTTP into PostgreSQL)', () => {
  let t: TestApp | undefined;
  let dir: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const today = londonDate();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'waitwell-catalogue-change-'));
  });
  afterAll(async () => {
    if (t) {
      await resetData(t.db);
      await t.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('should go on scoring, listing and explaining with the activated version', async () => {
    // The default tool, activated under the full catalogue: its multi-need rule is limited to
    // SLT and neurodiversity.
    const before = await createTestApp();
    await resetData(before.db);
    const admin = await before.tokenFor({ role: 'admin' });
    await request(before.http).post('/api/prioritisation/rescore').set(auth(admin)).expect(200);
    const [active] = await before.db.query(
      `select id, source from prioritisation_tool_version where first_activated_at is not null`,
    );
    expect(active.source).toMatch(/services: \[slt, neurodiversity\]/);
    await before.close();

    // The catalogue without neurodiversity (its row and referrals stay in the database), and no
    // source pulling its list.
    const catalogue = parse(
      readFileSync(new URL('../../config/catalogue.yaml', import.meta.url), 'utf8'),
    ) as CatalogueConfig;
    catalogue.services = catalogue.services.filter((s) => s.code !== 'neurodiversity');
    const file = join(dir, 'catalogue.yaml');
    writeFileSync(file, stringify(catalogue));
    const sources = writeSources(dir, [ptlDropSource('t-slt-only', 'RYB', 'slt', 'snapshot')]);
    t = await createTestApp({ WAITWELL_CATALOGUE_FILE: file, WAITWELL_SOURCES_FILE: sources });
    const child = await insertChild(t.db, { deprivationDecile: 5 });
    await insertReferral(t.db, child.id, {
      service: 'slt',
      provider: 'RYB',
      receivedDate: addDays(today, -30 * 7),
    });
    await insertReferral(t.db, child.id, {
      service: 'neurodiversity',
      provider: 'RXA',
      receivedDate: addDays(today, -40 * 7),
    });

    const run = await request(t.http)
      .post('/api/prioritisation/rescore')
      .set(auth(await t.tokenFor({ role: 'admin' })))
      .expect(200);
    expect(run.body).toMatchObject({ toolVersionId: active.id, childrenScored: 1, problems: {} });
    const commissioner = await t.tokenFor({ role: 'commissioner' });
    const list = await request(t.http).get('/api/ranked').set(auth(commissioner)).expect(200);
    expect(list.body.items.map((i: { childId: string }) => i.childId)).toEqual([child.id]);
    const clinician = await t.tokenFor({ role: 'clinician', services: ['slt'] });
    const priority = await request(t.http)
      .get(`/api/children/${child.id}/priority`)
      .set(auth(clinician))
      .expect(200);
    expect(priority.body).toMatchObject({ toolVersion: { id: active.id }, consistent: true });
    // A draft naming the service is still refused, naming it.
    const draft = await request(t.http)
      .post('/api/prioritisation/tools/validate')
      .set(auth(await t.tokenFor({ role: 'admin' })))
      .send({ source: active.source })
      .expect(200);
    expect(draft.body.valid).toBe(false);
    expect(draft.body.problems.join(' ')).toMatch(
      /"neurodiversity" is not a service in the catalogue/,
    );
  });
});
