import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { freePort } from '../../src/database/embedded-database.js';
import { demoNhsNumber } from '../../src/demo/demo-generator.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { PTL_CSV, ptlChild, ptlCsv, pull, tempDir, writeSources } from './ingest-support.js';

interface Stub {
  url: string;
  requests: Array<{ url: string; auth: string | undefined }>;
  close(): Promise<void>;
}

type StubAnswer = { status: number; body?: string; headers?: Record<string, string> };

async function startStub(handle: (req: IncomingMessage, n: number) => StubAnswer): Promise<Stub> {
  const requests: Stub['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', auth: req.headers.authorization });
    const answer = handle(req, requests.length);
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const NHS_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
const patient = (
  id: string,
  nhs: string,
  o: { given?: string; family?: string; birthDate?: string; postalCode?: string } = {},
) => ({
  fullUrl: `urn:uuid:${id}`,
  resource: {
    resourceType: 'Patient',
    id,
    identifier: [{ system: NHS_SYSTEM, value: nhs }],
    name: [{ use: 'official', given: [o.given ?? 'Sam'], family: o.family ?? 'Fhirchild' }],
    birthDate: o.birthDate ?? '2014-02-02',
    address: [
      {
        use: 'home',
        line: ['5 Station Road'],
        city: 'Eastfield',
        postalCode: o.postalCode ?? 'EF2 3DE',
      },
    ],
    telecom: [{ system: 'phone', use: 'mobile', value: '07700 900456' }],
  },
  search: { mode: 'include' },
});
const serviceRequest = (id: string, patientId: string, o: Record<string, unknown>) => ({
  resource: {
    resourceType: 'ServiceRequest',
    id,
    identifier: [{ system: 'https://ryb.example.nhs.uk/referral', value: `MH-${id}` }],
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    authoredOn: '2026-02-10T09:00:00Z',
    status: 'active',
    priority: 'routine',
    ...o,
  },
  search: { mode: 'match' },
});

describe('ingest: CSV over HTTP, FHIR R4 and linkage (HTTP into PostgreSQL)', () => {
  let t: TestApp;
  let admin: string;
  let csvStub: Stub;
  let fhirStub: Stub;
  let dir: string;
  let fhirPages: () => unknown[];
  const maya = ptlChild({
    given_name: 'Maya',
    family_name: 'Patel',
    date_of_birth: '2016-03-01',
    postcode: 'NB1 4AB',
    referral_id: 'ND-1',
    referral_received_date: '2025-12-01',
  });
  const csvRows = [
    ptlChild({ referral_id: 'CP-1' }),
    ptlChild({ referral_id: 'CP-2', priority: 'urgent' }),
  ];
  let csvAnswers: StubAnswer[] = [];
  let slow: Server;
  let slowUrl = '';
  let releaseSlow: () => void = () => undefined;

  beforeAll(async () => {
    dir = tempDir('waitwell-ingest-remote-');
    csvStub = await startStub((req, n): StubAnswer => {
      if (req.url === '/missing.csv') return { status: 404 };
      if (req.headers.authorization !== 'Bearer csv-token') return { status: 401 };
      return (
        csvAnswers[n - 1] ?? {
          status: 200,
          body: ptlCsv(csvRows),
          headers: { 'content-type': 'text/csv' },
        }
      );
    });
    fhirStub = await startStub((req): StubAnswer => {
      if (req.headers.authorization !== 'Bearer fhir-token') return { status: 401 };
      const url = new URL(req.url ?? '/', 'http://x');
      const pages = fhirPages();
      const page = Number(url.searchParams.get('page') ?? '1');
      if (!url.pathname.endsWith('/ServiceRequest')) return { status: 404 };
      // The second page is throttled once (429 with Retry-After), as e-RS does.
      if (
        page === 2 &&
        !fhirStub.requests.some((r) => r.url.includes('page=2') && r !== fhirStub.requests.at(-1))
      ) {
        return {
          status: 429,
          headers: { 'retry-after': '0', 'content-type': 'application/fhir+json' },
          body: '{"resourceType":"OperationOutcome"}',
        };
      }
      const next =
        page < pages.length
          ? [
              {
                relation: 'next',
                url: `${fhirStub.url}/fhir/ServiceRequest?page=${page + 1}&_count=2`,
              },
            ]
          : [];
      return {
        status: 200,
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify({
          resourceType: 'Bundle',
          type: 'searchset',
          link: [{ relation: 'self', url: req.url }, ...next],
          entry: pages[page - 1],
        }),
      };
    });
    // Streams 3,000 rows, then holds the rest back until the test releases it: a long run in progress.
    const slowRows = Array.from({ length: 4000 }, (_, i) => ptlChild({ referral_id: `SLOW-${i}` }));
    const slowCsv = ptlCsv(slowRows);
    const cut = slowCsv.split('\r\n', 3001).join('\r\n').length + 2;
    slow = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write(slowCsv.slice(0, cut));
      const gate = new Promise<void>((r) => (releaseSlow = r));
      void gate.then(() => res.end(slowCsv.slice(cut)));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow.csv`;
    const closedPort = await freePort();
    mkdirSync(join(dir, 'drop', 't-nd'), { recursive: true });
    const sources = writeSources(dir, [
      {
        id: 't-nd',
        provider: 'RXA',
        service: 'neurodiversity',
        kind: 'csv-file',
        location: 'drop/t-nd',
        mode: 'snapshot',
        csv: PTL_CSV,
      },
      {
        id: 't-url',
        provider: 'RXA',
        service: 'community-paediatrics',
        kind: 'csv-url',
        location: `${csvStub.url}/ptl.csv?token=not-logged`,
        auth: { bearerTokenEnv: 'TEST_CSV_TOKEN' },
        mode: 'snapshot',
        csv: PTL_CSV,
      },
      {
        id: 't-slow',
        provider: 'RYB',
        service: 'slt',
        kind: 'csv-url',
        location: slowUrl,
        mode: 'snapshot',
        csv: PTL_CSV,
        timeoutMs: 20000,
      },
      {
        id: 't-404',
        provider: 'RXA',
        service: 'slt',
        kind: 'csv-url',
        location: `${csvStub.url}/missing.csv`,
        mode: 'snapshot',
        csv: PTL_CSV,
      },
      {
        id: 't-down',
        provider: 'RXA',
        service: 'slt',
        kind: 'csv-url',
        location: `http://127.0.0.1:${closedPort}/ptl.csv`,
        mode: 'snapshot',
        csv: PTL_CSV,
      },
      {
        id: 't-nocred',
        provider: 'RYB',
        service: 'slt',
        kind: 'csv-url',
        location: `${csvStub.url}/ptl.csv`,
        auth: { bearerTokenEnv: 'TEST_UNSET_TOKEN' },
        mode: 'snapshot',
        csv: PTL_CSV,
      },
      {
        id: 't-fhir',
        provider: 'RYB',
        service: 'mental-health',
        kind: 'fhir',
        location: `${fhirStub.url}/fhir`,
        auth: { bearerTokenEnv: 'TEST_FHIR_TOKEN' },
        mode: 'snapshot',
        fhir: {
          pageSize: 2,
          search: { category: 'referral' },
          referralIdentifierSystem: 'https://ryb.example.nhs.uk/referral',
        },
      },
    ]);
    process.env.TEST_CSV_TOKEN = 'csv-token';
    process.env.TEST_FHIR_TOKEN = 'fhir-token';
    delete process.env.TEST_UNSET_TOKEN;
    t = await createTestApp({ WAITWELL_SOURCES_FILE: sources, WAITWELL_DATA_DIR: dir });
    await resetData(t.db);
    admin = await t.tokenFor({ role: 'admin' });
  });
  afterAll(async () => {
    releaseSlow();
    await new Promise<void>((r) => slow.close(() => r()));
    await t.close();
    await csvStub.close();
    await fhirStub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('CSV over HTTP(S)', () => {
    it('should retry a 503, send the bearer token from the environment, and import the list', async () => {
      csvAnswers = [{ status: 503 }];
      const run = await pull(t, admin, 't-url');
      expect(run).toMatchObject({ status: 'succeeded', counts: { new: 2, rejected: 0 } });
      expect(csvStub.requests).toHaveLength(2);
      expect(csvStub.requests.every((r) => r.auth === 'Bearer csv-token')).toBe(true);
      const detail = await request(t.http)
        .get(`/api/imports/${run.id}`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(detail.body.location).toBe(`${csvStub.url}/ptl.csv`);
      const again = await pull(t, admin, 't-url');
      expect(again.counts).toMatchObject({ unchanged: 2, new: 0, updated: 0 });
      const sources = await request(t.http)
        .get('/api/sources')
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      const src = sources.body.find((s: { id: string }) => s.id === 't-url');
      expect(src).toMatchObject({
        location: `${csvStub.url}/ptl.csv`,
        credentialEnv: ['TEST_CSV_TOKEN'],
      });
      expect(JSON.stringify(sources.body)).not.toMatch(/csv-token|not-logged/);
    });

    it('should show a long run in progress (rows read so far) and then its outcome', async () => {
      const started = await request(t.http)
        .post('/api/sources/t-slow/pulls')
        .set('Authorization', `Bearer ${admin}`)
        .expect(202);
      let seen = started.body;
      // The parser holds the 3,000th row until it sees what follows it, so 2,999 rows are through.
      for (let i = 0; i < 100 && seen.counts.read < 2999; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = (
          await request(t.http)
            .get(`/api/imports/${started.body.id}`)
            .set('Authorization', `Bearer ${admin}`)
            .expect(200)
        ).body;
      }
      expect(seen).toMatchObject({ status: 'running', phase: 'reading' });
      expect(seen.counts.read).toBeGreaterThanOrEqual(2999);
      expect(seen.counts.read).toBeLessThanOrEqual(3000);
      expect(seen.durationMs).toBeGreaterThan(0);
      releaseSlow();
      for (let i = 0; i < 100 && seen.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = (
          await request(t.http)
            .get(`/api/imports/${started.body.id}`)
            .set('Authorization', `Bearer ${admin}`)
            .expect(200)
        ).body;
      }
      expect(seen).toMatchObject({ status: 'succeeded', counts: { read: 4000, new: 4000 } });
    });

    it.each([
      [
        'an unreachable URL',
        't-down',
        'ingest.source-unreachable',
        /Could not reach http:\/\/127\.0\.0\.1:\d+\/ptl\.csv \(ECONNREFUSED\) after retrying/,
      ],
      ['a 404 answer', 't-404', 'ingest.source-http-error', /answered HTTP 404\. Check the URL/],
      [
        'a credential missing from the environment',
        't-nocred',
        'ingest.missing-credential',
        /TEST_UNSET_TOKEN/,
      ],
    ])(
      'should fail the run with a clear error for %s, applying nothing',
      async (_what, sourceId, code, message) => {
        const before = await t.db.query(`select count(*)::int as n from referral`);
        const run = await pull(t, admin, sourceId);
        expect(run).toMatchObject({ status: 'failed', error: { code } });
        expect(run.error?.message).toMatch(message);
        expect(await t.db.query(`select count(*)::int as n from referral`)).toEqual(before);
        await request(t.http).get('/health').expect(200);
      },
    );
  });

  describe('FHIR R4 and linkage across services', () => {
    const sam = demoNhsNumber(800_001);
    let childId: string;

    it('should link a child on two services (CSV and FHIR) into one child with two referrals, following paged Bundles', async () => {
      writeFileSync(join(dir, 'drop', 't-nd', 'ptl.csv'), ptlCsv([maya]));
      expect((await pull(t, admin, 't-nd')).counts).toMatchObject({ new: 1, childrenNew: 1 });
      fhirPages = () => [
        [
          serviceRequest('1', 'p1', { priority: 'asap' }),
          serviceRequest('2', 'p2', {
            status: 'completed',
            occurrencePeriod: { start: '2026-06-01' },
          }),
          patient('p1', maya.nhs_number, {
            given: 'MAYA',
            family: 'PATEL',
            birthDate: '2016-03-02',
            postalCode: 'nb14ab',
          }),
          patient('p2', sam),
        ],
        [
          serviceRequest('3', 'p3', { status: 'entered-in-error' }),
          serviceRequest('4', 'p2', { status: 'on-hold', authoredOn: '2026-01-05' }),
          patient('p3', '9990000050'),
          patient('p2', sam),
        ],
        [serviceRequest('5', 'p-missing', {})],
      ];
      const run = await pull(t, admin, 't-fhir');
      expect(run).toMatchObject({ status: 'succeeded', counts: { read: 4, new: 3, rejected: 1 } });
      const urls = fhirStub.requests.map((r) => r.url);
      expect(urls[0]).toMatch(
        /^\/fhir\/ServiceRequest\?_include=ServiceRequest%3Asubject&_count=2&category=referral$/,
      );
      expect(urls.filter((u) => u.includes('page=2'))).toHaveLength(2); // throttled once, retried
      expect(fhirStub.requests.every((r) => r.auth === 'Bearer fhir-token')).toBe(true);

      const children: Array<{ id: string; n: number }> = await t.db.query(
        `select c.id, count(r.id)::int as n from child c join referral r on r.child_id = c.id where c.nhs_number = $1 group by c.id`,
        [maya.nhs_number],
      );
      expect(children).toHaveLength(1);
      expect(children[0].n).toBe(2);
      childId = children[0].id;
      const refs: Array<{
        source_referral_id: string;
        priority: string;
        status: string;
        received: string;
        stop: string | null;
      }> = await t.db.query(
        `select source_referral_id, priority, status, to_char(received_date, 'YYYY-MM-DD') as received, to_char(clock_stop_date, 'YYYY-MM-DD') as stop
           from referral where source_id = 't-fhir' order by source_referral_id`,
      );
      expect(refs).toEqual([
        {
          source_referral_id: 'MH-1',
          priority: 'urgent',
          status: 'waiting',
          received: '2026-02-10',
          stop: null,
        },
        {
          source_referral_id: 'MH-2',
          priority: 'routine',
          status: 'treatment-started',
          received: '2026-02-10',
          stop: '2026-06-01',
        },
        {
          source_referral_id: 'MH-4',
          priority: 'routine',
          status: 'waiting',
          received: '2026-01-05',
          stop: null,
        },
      ]);
      const rejects = await request(t.http)
        .get(`/api/imports/${run.id}/rejects`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(rejects.body.items).toHaveLength(1);
      expect(rejects.body.items[0]).toMatchObject({ sourceReferralId: 'MH-5' });
      expect(rejects.body.items[0].problems[0].message).toMatch(/subject Patient was not included/);
    });

    it('should keep the most recent value with provenance and record a data-quality issue when sources disagree', async () => {
      const child = (
        await t.db.query(
          `select given_name, family_name, to_char(date_of_birth, 'YYYY-MM-DD') as dob, postcode from child where id = $1`,
          [childId],
        )
      )[0];
      expect(child).toEqual({
        given_name: 'MAYA',
        family_name: 'PATEL',
        dob: '2016-03-02',
        postcode: 'NB14AB',
      });
      const res = await request(t.http)
        .get('/api/data-quality')
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(res.body.items).toHaveLength(1);
      expect(res.body.items[0]).toMatchObject({
        childId,
        field: 'date-of-birth',
        status: 'open',
        keptSourceId: 't-fhir',
      });
      expect(res.body.items[0].sources).toEqual([
        expect.objectContaining({ sourceId: 't-fhir', kept: true, value: '2016-03-02' }),
        expect.objectContaining({ sourceId: 't-nd', kept: false, value: '2016-03-01' }),
      ]);
      const audit = await t.db.query(
        `select actor_role from audit_event where resource = 'data-quality-issues' and $1 = any(child_ids)`,
        [childId],
      );
      expect(audit).toEqual([{ actor_role: 'admin' }]);
    });

    it("should show data-quality issues to clinicians of the child's services only, and never to commissioners", async () => {
      const mh = await t.tokenFor({
        role: 'clinician',
        sub: 'clin-mh',
        services: ['mental-health'],
      });
      const slt = await t.tokenFor({ role: 'clinician', sub: 'clin-slt', services: ['slt'] });
      expect(
        (
          await request(t.http)
            .get('/api/data-quality')
            .set('Authorization', `Bearer ${mh}`)
            .expect(200)
        ).body.items,
      ).toHaveLength(1);
      expect(
        (
          await request(t.http)
            .get('/api/data-quality')
            .set('Authorization', `Bearer ${slt}`)
            .expect(200)
        ).body.items,
      ).toHaveLength(0);
      const commissioner = await t.tokenFor({ role: 'commissioner' });
      await request(t.http)
        .get('/api/data-quality')
        .set('Authorization', `Bearer ${commissioner}`)
        .expect(403);
      await request(t.http)
        .get('/api/data-quality?field=shoe-size')
        .set('Authorization', `Bearer ${admin}`)
        .expect(400);
    });

    it('should not flip the child back when the other source re-sends its old value, and resolve the issue once the sources agree', async () => {
      const again = await pull(t, admin, 't-nd');
      expect(again.counts).toMatchObject({ unchanged: 1 });
      const fhirAgain = await pull(t, admin, 't-fhir');
      expect(fhirAgain.counts).toMatchObject({ unchanged: 3, new: 0, updated: 0, rejected: 1 });
      expect(
        (
          await t.db.query(
            `select to_char(date_of_birth, 'YYYY-MM-DD') as dob from child where id = $1`,
            [childId],
          )
        )[0].dob,
      ).toBe('2016-03-02');
      expect((await t.db.query(`select count(*)::int as n from data_quality_issue`))[0].n).toBe(1);

      writeFileSync(
        join(dir, 'drop', 't-nd', 'ptl.csv'),
        ptlCsv([{ ...maya, date_of_birth: '2016-03-02' }]),
      );
      const later = new Date(Date.now() + 5000);
      utimesSync(join(dir, 'drop', 't-nd', 'ptl.csv'), later, later);
      expect((await pull(t, admin, 't-nd')).counts).toMatchObject({ updated: 1 });
      expect(
        (
          await request(t.http)
            .get('/api/data-quality')
            .set('Authorization', `Bearer ${admin}`)
            .expect(200)
        ).body.items,
      ).toEqual([]);
      const resolved = await request(t.http)
        .get('/api/data-quality?status=resolved')
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(resolved.body.items).toHaveLength(1);
      expect(resolved.body.items[0]).toMatchObject({
        childId,
        field: 'date-of-birth',
        status: 'resolved',
        resolvedAt: expect.any(String),
      });
    });
  });
});
