import { mkdtempSync, writeFileSync } from 'node:fs';
import { chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { PTL_HEADER, ptlCsvLine } from '../../src/demo/demo-csv-writer.js';
import { demoNhsNumber, type PtlRow } from '../../src/demo/demo-generator.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';

import { PTL_CSV } from '../../src/demo/ptl-source-mapping.js';

export { PTL_CSV };

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** Writes a sources file (JSON is valid YAML) and returns its path. */
export function writeSources(
  dir: string,
  sources: unknown[],
  defaults: Record<string, unknown> = {},
): string {
  const file = join(dir, 'sources.yaml');
  writeFileSync(
    file,
    JSON.stringify(
      { defaults: { retryBaseMs: 10, timeoutMs: 3000, retries: 2, ...defaults }, sources },
      null,
      2,
    ),
  );
  return file;
}

/** A source that reads the demo PTL layout from the drop folder `drop/<id>` under the data dir. */
export function ptlDropSource(
  id: string,
  provider: string,
  service: string,
  mode: 'snapshot' | 'delta',
): Record<string, unknown> {
  return { id, provider, service, kind: 'csv-file', location: `drop/${id}`, mode, csv: PTL_CSV };
}

let nextChild = 700_000;

/**
 * An app reading one PTL drop-folder source (ptlDropSource, snapshot mode) from a fresh data
 * folder, on an empty database, and an admin's token to pull it with.
 */
export async function appWithPtlSource(
  prefix: string,
  id: string,
  service: string,
  provider = 'RYB',
): Promise<{ t: TestApp; dir: string; admin: string }> {
  const dir = tempDir(prefix);
  const sources = writeSources(dir, [ptlDropSource(id, provider, service, 'snapshot')]);
  const t = await createTestApp({ WAITWELL_SOURCES_FILE: sources, WAITWELL_DATA_DIR: dir });
  await resetData(t.db);
  return { t, dir, admin: await t.tokenFor({ role: 'admin' }) };
}

/** A child's details as a provider lists them (a valid 999-range NHS number unless given). */
export function ptlChild(o: Partial<PtlRow> = {}): PtlRow {
  const nhs = o.nhs_number ?? demoNhsNumber(nextChild++);
  return {
    nhs_number: nhs,
    given_name: 'Ava',
    family_name: 'Testchild',
    date_of_birth: '2018-05-01',
    address_line_1: '1 Mill Lane',
    address_line_2: '',
    town: 'Northbridge',
    postcode: 'NB1 4AB',
    lsoa_code: 'E01001000',
    locality: 'Northbridge',
    deprivation_decile: '3',
    contact_email: 'parent@example.com',
    contact_phone: '07700 900123',
    preferred_channel: 'email',
    large_print: 'N',
    easy_read: 'N',
    language: 'en',
    flags: '',
    referral_id: `REF-${nhs}`,
    service: 'slt',
    provider: 'RYB',
    referral_received_date: '2026-03-02',
    priority: 'routine',
    status: 'waiting',
    first_appointment_date: '',
    first_appointment_outcome: '',
    rebooked_date: '',
    treatment_start_date: '',
    discharge_date: '',
    ...o,
  };
}

export function ptlCsv(rows: PtlRow[]): string {
  return PTL_HEADER + rows.map(ptlCsvLine).join('');
}

export interface RunBody {
  id: string;
  sourceId: string;
  status: 'running' | 'succeeded' | 'failed';
  counts: {
    read: number;
    new: number;
    updated: number;
    unchanged: number;
    removedFromSource: number;
    rejected: number;
    childrenNew: number;
    childrenChanged: number;
  };
  error: { code: string; message: string } | null;
}

/** Pulls a source through the API as an admin and waits for the run to finish. */
export async function pull(t: TestApp, admin: string, sourceId: string): Promise<RunBody> {
  const res = await request(t.http)
    .post(`/api/sources/${sourceId}/pulls?wait=true`)
    .set('Authorization', `Bearer ${admin}`)
    .expect(200);
  return res.body as RunBody;
}

/** Everything an import can change, as one comparable value. */
export async function dataState(db: DataSource): Promise<unknown> {
  const q = async (sql: string) => db.query(sql);
  return {
    child: await q(
      `select md5(coalesce(string_agg(c::text, '|' order by c.id), '')) as h from child c`,
    ),
    referral: await q(
      `select md5(coalesce(string_agg(r::text, '|' order by r.id), '')) as h from referral r`,
    ),
    events: await q(`select count(*)::int as n, max(id)::text as last from clock_event`),
    flags: await q(
      `select md5(coalesce(string_agg(f::text, '|' order by f.id), '')) as h from child_flag f`,
    ),
    identities: await q(
      `select md5(coalesce(string_agg(i::text, '|' order by i.child_id, i.source_id), '')) as h from child_source_identity i`,
    ),
    issues: await q(
      `select md5(coalesce(string_agg(d::text, '|' order by d.id), '')) as h from data_quality_issue d`,
    ),
  };
}
