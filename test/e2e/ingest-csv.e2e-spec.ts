import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { mkdirSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { DomainEvents } from '../../src/common/events/domain-events.js';
import { londonDate } from '../../src/common/time/calendar-date.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import {
  dataState,
  ptlChild,
  ptlCsv,
  ptlDropSource,
  pull,
  tempDir,
  writeSources,
  type RunBody,
} from './ingest-support.js';

describe('ingest: CSV files (HTTP into PostgreSQL)', () => {
  let t: TestApp;
  let admin: string;
  let commissioner: string;
  let clinician: string;
  let dir: string;
  let fileSeq = 0;
  const today = londonDate();

  /** Drops a file into a source's folder, newer than any before it. */
  const drop = (sourceId: string, content: string | Buffer, sparseBytes?: number): string => {
    const folder = join(dir, 'drop', sourceId);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `ptl-${++fileSeq}.csv`);
    writeFileSync(path, content);
    if (sparseBytes) truncateSync(path, sparseBytes); // sparse: no disk used
    const when = new Date(Date.now() + fileSeq * 1000);
    utimesSync(path, when, when);
    return path;
  };
  const referral = async (sourceId: string, ref: string) =>
    (
      await t.db.query(
        `select id, status, priority, to_char(removed_from_source_on, 'YYYY-MM-DD') as removed, to_char(clock_stop_date, 'YYYY-MM-DD') as stop from referral where source_id = $1 and source_referral_id = $2`,
        [sourceId, ref],
      )
    )[0];
  const events = async (referralId: string): Promise<string[]> =>
    (
      await t.db.query(
        `select event_type || '@' || to_char(event_date, 'YYYY-MM-DD') as e from clock_event where referral_id = $1 order by id`,
        [referralId],
      )
    ).map((r: { e: string }) => r.e);

  beforeAll(async () => {
    dir = tempDir('waitwell-ingest-csv-');
    const sources = writeSources(dir, [
      ptlDropSource('t-slt', 'RYB', 'slt', 'snapshot'),
      ptlDropSource('t-delta', 'RXA', 'community-paediatrics', 'delta'),
      {
        id: 't-legacy',
        provider: 'RYB',
        service: 'mental-health',
        kind: 'csv-file',
        location: 'drop/t-legacy',
        mode: 'snapshot',
        csv: {
          encoding: 'windows-1252',
          delimiter: ';',
          dateFormat: 'dd/MM/yyyy',
          columns: {
            nhsNumber: 'NHS No',
            givenName: 'Forename',
            familyName: 'Surname',
            dateOfBirth: 'DOB',
            postcode: 'Post Code',
            referralId: 'Pathway ID',
            referralReceivedDate: 'Referral Received',
            priority: 'Priority',
            addressLine1: 'Address',
          },
          codes: { priority: { '1': 'routine', '2': 'urgent', '4': 'soon' } },
        },
      },
    ]);
    t = await createTestApp({ WAITWELL_SOURCES_FILE: sources, WAITWELL_DATA_DIR: dir });
    await resetData(t.db);
    admin = await t.tokenFor({ role: 'admin' });
    commissioner = await t.tokenFor({ role: 'commissioner' });
    clinician = await t.tokenFor({ role: 'clinician' });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ava = ptlChild({ given_name: 'Ava', referral_id: 'SLT-1' });
  const ben = ptlChild({ given_name: 'Ben', referral_id: 'SLT-2', priority: 'urgent' });
  const benTwo = {
    ...ben,
    referral_id: 'SLT-3',
    referral_received_date: '2025-10-01',
    first_appointment_date: '2025-11-03',
    first_appointment_outcome: 'dna',
    rebooked_date: '2025-11-10',
  };
  const cai = ptlChild({
    given_name: 'Cai',
    referral_id: 'SLT-4',
    referral_received_date: '2025-06-01',
    first_appointment_date: '2025-08-01',
    first_appointment_outcome: 'attended',
    treatment_start_date: '2025-08-01',
    status: 'treatment-started',
    flags: `ehcp@2025-01-10;safeguarding-concern@2025-02-01`,
  });
  let firstRun: RunBody;

  it('should import a PTL file from a drop folder, deriving clock events from what the provider says', async () => {
    drop('t-slt', ptlCsv([ava, ben, benTwo, cai]));
    firstRun = await pull(t, admin, 't-slt');
    expect(firstRun).toMatchObject({
      status: 'succeeded',
      error: null,
      counts: {
        read: 4,
        new: 4,
        updated: 0,
        unchanged: 0,
        removedFromSource: 0,
        rejected: 0,
        childrenNew: 3,
      },
    });
    const children: Array<{ nhs_number: string; pseudonym: string; given_name: string }> =
      await t.db.query(`select nhs_number, pseudonym, given_name from child order by given_name`);
    expect(children.map((c) => c.given_name)).toEqual(['Ava', 'Ben', 'Cai']);
    for (const c of children) expect(c.pseudonym).toMatch(/^WW-[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    const dna = await referral('t-slt', 'SLT-3');
    expect(await events(dna.id)).toEqual([
      'referral-received@2025-10-01',
      'dna@2025-11-03',
      'rebooked@2025-11-10',
    ]);
    const treated = await referral('t-slt', 'SLT-4');
    expect(treated).toMatchObject({ status: 'treatment-started', stop: '2025-08-01' });
    expect(await events(treated.id)).toEqual([
      'referral-received@2025-06-01',
      'treatment-started@2025-08-01',
    ]);
    const [{ n }] = await t.db.query(
      `select count(*)::int as n from clock_event where import_run_id = $1`,
      [firstRun.id],
    );
    expect(n).toBe(7);
    const flags: Array<{ code: string; source: string }> = await t.db.query(
      `select code, source from child_flag where ended_on is null order by code`,
    );
    expect(flags).toEqual([
      { code: 'ehcp', source: 't-slt' },
      { code: 'safeguarding-concern', source: 't-slt' },
    ]);
  });

  it('should change nothing when the same file is pulled again (every row unchanged)', async () => {
    const before = await dataState(t.db);
    const again = await pull(t, admin, 't-slt');
    expect(again).toMatchObject({
      status: 'succeeded',
      counts: {
        read: 4,
        new: 0,
        updated: 0,
        unchanged: 4,
        removedFromSource: 0,
        rejected: 0,
        childrenChanged: 0,
      },
    });
    expect(await dataState(t.db)).toEqual(before);
  });

  it('should append only the new facts when a referral changes, never rewriting history', async () => {
    const started = {
      ...ava,
      first_appointment_date: '2026-04-01',
      first_appointment_outcome: 'attended',
      treatment_start_date: '2026-05-01',
      status: 'treatment-started',
      priority: 'soon',
    };
    drop('t-slt', ptlCsv([started, ben, benTwo, cai]));
    const run = await pull(t, admin, 't-slt');
    expect(run.counts).toMatchObject({ new: 0, updated: 1, unchanged: 3 });
    const r = await referral('t-slt', 'SLT-1');
    expect(r).toMatchObject({ status: 'treatment-started', priority: 'soon', stop: '2026-05-01' });
    expect(await events(r.id)).toEqual([
      'referral-received@2026-03-02',
      'appointment-attended@2026-04-01',
      'treatment-started@2026-05-01',
      `priority-changed@${today}`,
    ]);
    await expect(
      t.db.query(`update clock_event set event_date = '2020-01-01' where referral_id = $1`, [r.id]),
    ).rejects.toThrow(/append-only/);
  });

  it('should publish import.completed with the children that changed', async () => {
    const seen: Array<{ runId: string; childIds: string[] }> = [];
    const sub = t.app
      .get(DomainEvents)
      .on('import.completed')
      .subscribe((e) => seen.push(e));
    const renamed = { ...cai, given_name: 'Caio' };
    drop(
      't-slt',
      ptlCsv([
        {
          ...ava,
          first_appointment_date: '2026-04-01',
          first_appointment_outcome: 'attended',
          treatment_start_date: '2026-05-01',
          status: 'treatment-started',
          priority: 'soon',
        },
        ben,
        benTwo,
        renamed,
      ]),
    );
    const run = await pull(t, admin, 't-slt');
    sub.unsubscribe();
    const [{ id }] = await t.db.query(`select id from child where nhs_number = $1`, [
      cai.nhs_number,
    ]);
    expect(seen).toEqual([
      { type: 'import.completed', runId: run.id, sourceId: 't-slt', childIds: [id] },
    ]);
    expect(
      (await t.db.query(`select given_name from child where id = $1`, [id]))[0].given_name,
    ).toBe('Caio');
  });

  it('should mark a referral missing from a full snapshot removed-from-source (kept, with a clock event) and restore it when it returns', async () => {
    const latest = [
      {
        ...ava,
        first_appointment_date: '2026-04-01',
        first_appointment_outcome: 'attended',
        treatment_start_date: '2026-05-01',
        status: 'treatment-started',
        priority: 'soon',
      },
      ben,
      benTwo,
      { ...cai, given_name: 'Caio' },
    ];
    drop('t-slt', ptlCsv(latest.filter((r) => r.referral_id !== 'SLT-2')));
    const run = await pull(t, admin, 't-slt');
    expect(run.counts).toMatchObject({ read: 3, removedFromSource: 1, unchanged: 3 });
    const gone = await referral('t-slt', 'SLT-2');
    expect(gone).toMatchObject({ status: 'removed-from-source', removed: today });
    expect((await events(gone.id)).at(-1)).toBe(`removed-from-source@${today}`);
    drop('t-slt', ptlCsv(latest));
    const back = await pull(t, admin, 't-slt');
    expect(back.counts).toMatchObject({ updated: 1, unchanged: 3, removedFromSource: 0 });
    expect(await referral('t-slt', 'SLT-2')).toMatchObject({ status: 'waiting', removed: null });
    expect((await events(gone.id)).slice(-2)).toEqual([
      `removed-from-source@${today}`,
      `restored-to-source@${today}`,
    ]);
  });

  describe('rejected rows', () => {
    let rejectRun: RunBody;
    const good = Array.from({ length: 6 }, (_, i) => ptlChild({ referral_id: `SLT-R${i}` }));
    const badNhs = ptlChild({ referral_id: 'SLT-BAD1', nhs_number: '9434765918' });
    const badDates = ptlChild({
      referral_id: 'SLT-2',
      nhs_number: ben.nhs_number,
      date_of_birth: '2027-04-01',
      referral_received_date: '2099-01-01',
      priority: 'P9',
    });

    it('should keep each rejected row with a reason per field and not treat its referral as removed', async () => {
      drop('t-slt', ptlCsv([ava, benTwo, cai, ...good, badNhs, badDates]));
      rejectRun = await pull(t, admin, 't-slt');
      expect(rejectRun).toMatchObject({ status: 'succeeded', counts: { read: 11, rejected: 2 } });
      // SLT-2 is on the list (malformed), so it is not marked removed.
      expect((await referral('t-slt', 'SLT-2')).status).toBe('waiting');
      const res = await request(t.http)
        .get(`/api/imports/${rejectRun.id}/rejects`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(res.body.items).toHaveLength(2);
      const [nhs, dates] = res.body.items;
      expect(nhs).toMatchObject({ rowNumber: 11, sourceReferralId: 'SLT-BAD1', cleared: false });
      expect(nhs.problems).toEqual([
        { field: 'nhsNumber', message: expect.stringMatching(/Modulus 11/) },
      ]);
      expect(nhs.raw).toMatchObject({ nhs_number: '9434765918', referral_id: 'SLT-BAD1' });
      expect(dates.problems.map((p: { field: string }) => p.field).sort()).toEqual([
        'dateOfBirth',
        'priority',
        'referralReceivedDate',
      ]);
      expect(
        dates.problems.find((p: { field: string }) => p.field === 'referralReceivedDate').message,
      ).toMatch(/future/);
      expect(
        JSON.stringify(res.body.items.map((i: { problems: unknown }) => i.problems)),
      ).not.toMatch(/9434765918|2099|P9/);
    });

    it('should show rejects to admins only and audit every read', async () => {
      await request(t.http)
        .get(`/api/imports/${rejectRun.id}/rejects`)
        .set('Authorization', `Bearer ${commissioner}`)
        .expect(403);
      await request(t.http)
        .get(`/api/imports/${rejectRun.id}/rejects`)
        .set('Authorization', `Bearer ${clinician}`)
        .expect(403);
      const audit: Array<{ actor_role: string; detail: { runId: string; rows: number[] } }> =
        await t.db.query(
          `select actor_role, detail from audit_event where resource = 'import-rejects' and detail->>'runId' = $1`,
          [rejectRun.id],
        );
      expect(audit).toEqual([
        {
          actor_role: 'admin',
          detail: expect.objectContaining({ runId: rejectRun.id, rows: [11, 12] }),
        },
      ]);
    });

    it('should clear the rejects (and drop their raw rows) once the source is fixed and pulled again', async () => {
      drop(
        't-slt',
        ptlCsv([ava, benTwo, cai, ...good, { ...badNhs, nhs_number: ptlChild().nhs_number }, ben]),
      );
      const fixed = await pull(t, admin, 't-slt');
      expect(fixed.counts).toMatchObject({ rejected: 0 });
      const open = await request(t.http)
        .get(`/api/imports/${rejectRun.id}/rejects`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(open.body.items).toEqual([]);
      const all = await request(t.http)
        .get(`/api/imports/${rejectRun.id}/rejects?includeCleared=true`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(all.body.items).toHaveLength(2);
      for (const item of all.body.items) {
        expect(item).toMatchObject({ cleared: true, clearedByRunId: fixed.id, raw: null });
      }
    });

    it('should fail the whole run, applying nothing, when most rows are rejected (a mapping problem)', async () => {
      const before = await dataState(t.db);
      drop(
        't-slt',
        ptlCsv([ava, ...good.map((g) => ({ ...g, referral_received_date: '01/03/2026' }))]),
      );
      const run = await pull(t, admin, 't-slt');
      expect(run).toMatchObject({
        status: 'failed',
        error: { code: 'ingest.too-many-rejects' },
        counts: { read: 7, rejected: 6 },
      });
      expect(await dataState(t.db)).toEqual(before);
      const res = await request(t.http)
        .get(`/api/imports/${run.id}/rejects?limit=2`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(res.body.items[0].problems).toEqual([
        {
          field: 'referralReceivedDate',
          message: 'referralReceivedDate is not a date in the format yyyy-MM-dd',
        },
      ]);
      const next = await request(t.http)
        .get(`/api/imports/${run.id}/rejects?limit=2&cursor=${res.body.next}`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(next.body.items[0].rowNumber).toBeGreaterThan(res.body.items[1].rowNumber);
    });
  });

  describe('a pull that fails leaves the previous state exactly as it was', () => {
    const many = Array.from({ length: 40 }, (_, i) => ptlChild({ referral_id: `SLT-F${i}` }));
    const bad: Array<[string, () => string | Buffer | null, string, RegExp]> = [
      [
        'an unbalanced quote near the end',
        () => ptlCsv(many) + '9990000000,"Unclosed,Name\r\n',
        'ingest.malformed-csv',
        /unbalanced quotes/,
      ],
      [
        'the wrong delimiter',
        () => ptlCsv(many).replace(/,/g, ';'),
        'ingest.missing-columns',
        /delimiter/,
      ],
      [
        'missing mapped columns',
        () => ptlCsv(many).replace('referral_received_date', 'received'),
        'ingest.missing-columns',
        /"referral_received_date"/,
      ],
      ['an empty file', () => '', 'ingest.empty-file', /no header row/],
      ['a header and no rows', () => ptlCsv([]), 'ingest.empty-file', /header but no rows/],
      [
        'a binary file',
        () => Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]),
        'ingest.binary-file',
        /not text/,
      ],
      ['a 2 GB file', () => null, 'ingest.file-too-large', /2048 MiB/],
    ];
    it.each(bad)(
      'should record %s as a failed run with a clear error, and keep the service up',
      async (_what, content, code, message) => {
        const before = await dataState(t.db);
        const body = content();
        if (body === null) drop('t-slt', '', 2 * 1024 * 1024 * 1024);
        else drop('t-slt', body);
        const run = await pull(t, admin, 't-slt');
        expect(run.status).toBe('failed');
        expect(run.error?.code).toBe(code);
        expect(run.error?.message).toMatch(message);
        expect(run.error?.message).toMatch(/Nothing was applied|nothing was applied/);
        expect(await dataState(t.db)).toEqual(before);
        const detail = await request(t.http)
          .get(`/api/imports/${run.id}`)
          .set('Authorization', `Bearer ${commissioner}`)
          .expect(200);
        expect(detail.body).toMatchObject({ status: 'failed', phase: 'failed', error: { code } });
        await request(t.http).get('/health').expect(200);
      },
    );
  });

  it('should read Windows-1252 with its own headers, delimiter, date format and codes (quoted fields, CRLF)', async () => {
    const a = ptlChild();
    const b = ptlChild();
    const text =
      'NHS No;Forename;Surname;DOB;Address;Post Code;Pathway ID;Referral Received;Priority\r\n' +
      `${a.nhs_number.replace(/(\d{3})(\d{3})(\d{4})/, '$1 $2 $3')};Zoë;O'Brien;01/05/2015;"Flat 2; ""The Mill""\r\nMill Lane";nb1 4ab;MH-1;02/03/2026;2\r\n` +
      `${b.nhs_number};Chloé;Smith;7/9/2012;12 Park Avenue;WM3 2PQ;MH-2;15/01/2026;1\r\n`;
    drop('t-legacy', iconv.encode(text, 'win1252'));
    const run = await pull(t, admin, 't-legacy');
    expect(run).toMatchObject({ status: 'succeeded', counts: { new: 2, rejected: 0 } });
    const rows: Array<{
      given_name: string;
      family_name: string;
      dob: string;
      postcode: string;
      address_lines: string[];
      priority: string;
      received: string;
    }> = await t.db.query(
      `select c.given_name, c.family_name, to_char(c.date_of_birth, 'YYYY-MM-DD') as dob, c.postcode, c.address_lines, r.priority,
              to_char(r.received_date, 'YYYY-MM-DD') as received
         from referral r join child c on c.id = r.child_id where r.source_id = 't-legacy' order by r.source_referral_id`,
    );
    expect(rows).toEqual([
      {
        given_name: 'Zoë',
        family_name: "O'Brien",
        dob: '2015-05-01',
        postcode: 'NB1 4AB',
        address_lines: ['Flat 2; "The Mill"\r\nMill Lane'],
        priority: 'urgent',
        received: '2026-03-02',
      },
      {
        given_name: 'Chloé',
        family_name: 'Smith',
        dob: '2012-09-07',
        postcode: 'WM3 2PQ',
        address_lines: ['12 Park Avenue'],
        priority: 'routine',
        received: '2026-01-15',
      },
    ]);
  });

  it('should read UTF-8 with a byte-order mark, and in a delta never mark missing referrals removed', async () => {
    const rows = [ptlChild({ referral_id: 'CP-1' }), ptlChild({ referral_id: 'CP-2' })];
    drop('t-delta', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ptlCsv(rows))]));
    expect((await pull(t, admin, 't-delta')).counts).toMatchObject({ new: 2, rejected: 0 });
    drop('t-delta', ptlCsv([rows[0]]));
    expect((await pull(t, admin, 't-delta')).counts).toMatchObject({
      unchanged: 1,
      removedFromSource: 0,
    });
    expect((await referral('t-delta', 'CP-2')).status).toBe('waiting');
  });

  it('should refuse an unknown source with 404 problem details', async () => {
    const res = await request(t.http)
      .post('/api/sources/no-such-source/pulls')
      .set('Authorization', `Bearer ${admin}`)
      .expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'ingest.unknown-source' });
    expect(res.body.detail).toMatch(/t-slt/);
  });

  it('should refuse a second pull of a source while one holds its lock (any instance)', async () => {
    const other = new pg.Client({ connectionString: process.env.WAITWELL_TEST_DATABASE_URL });
    await other.connect();
    try {
      await other.query(`select pg_advisory_lock(4242001, hashtext('t-slt'))`);
      const res = await request(t.http)
        .post('/api/sources/t-slt/pulls')
        .set('Authorization', `Bearer ${admin}`)
        .expect(409);
      expect(res.body.code).toBe('ingest.pull-in-progress');
    } finally {
      await other.end();
    }
  });

  it('should start a pull at once (202) and show its progress and outcome at /api/imports/:id', async () => {
    const res = await request(t.http)
      .post('/api/sources/t-delta/pulls')
      .set('Authorization', `Bearer ${admin}`)
      .expect(202);
    expect(res.body).toMatchObject({
      sourceId: 't-delta',
      status: 'running',
      trigger: 'api',
      triggeredBy: 'admin-1',
    });
    let run = res.body;
    for (let i = 0; i < 100 && run.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = (
        await request(t.http)
          .get(`/api/imports/${res.body.id}`)
          .set('Authorization', `Bearer ${admin}`)
          .expect(200)
      ).body;
    }
    expect(run).toMatchObject({
      status: 'succeeded',
      phase: 'done',
      counts: { read: 1, unchanged: 1 },
    });
  });

  it('should list runs newest first to admins and commissioners, and sources to admins only', async () => {
    const page1 = await request(t.http)
      .get('/api/imports?source=t-slt&limit=3')
      .set('Authorization', `Bearer ${commissioner}`)
      .expect(200);
    expect(page1.body.items).toHaveLength(3);
    const page2 = await request(t.http)
      .get(`/api/imports?source=t-slt&limit=3&cursor=${page1.body.next}`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    const all = [...page1.body.items, ...page2.body.items];
    for (let i = 1; i < all.length; i++) {
      expect(all[i - 1].startedAt >= all[i].startedAt).toBe(true);
    }
    expect(new Set(all.map((r: { id: string }) => r.id)).size).toBe(all.length);
    expect(
      (
        await request(t.http)
          .get(`/api/imports/${firstRun.id}`)
          .set('Authorization', `Bearer ${admin}`)
          .expect(200)
      ).body.counts.new,
    ).toBe(4);
    await request(t.http)
      .get('/api/imports')
      .set('Authorization', `Bearer ${clinician}`)
      .expect(403);
    await request(t.http)
      .get('/api/imports/not-a-uuid')
      .set('Authorization', `Bearer ${admin}`)
      .expect(400);
    await request(t.http)
      .get('/api/imports/00000000-0000-4000-8000-000000000000')
      .set('Authorization', `Bearer ${admin}`)
      .expect(404);
    const sources = await request(t.http)
      .get('/api/sources')
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(sources.body.map((s: { id: string }) => s.id)).toEqual(['t-slt', 't-delta', 't-legacy']);
    expect(sources.body[0]).toMatchObject({
      provider: 'RYB',
      service: 'slt',
      kind: 'csv-file',
      mode: 'snapshot',
      lastRun: { sourceId: 't-slt' },
    });
    await request(t.http)
      .get('/api/sources')
      .set('Authorization', `Bearer ${commissioner}`)
      .expect(403);
    await request(t.http)
      .post('/api/sources/t-slt/pulls')
      .set('Authorization', `Bearer ${commissioner}`)
      .expect(403);
  });
});
