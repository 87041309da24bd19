import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { londonDate } from '../../src/common/time/calendar-date.js';
import type { RttReport, RttReportRow } from '../../src/rtt-reporting/report/report.types.js';
import { RTT_CSV_COLUMNS } from '../../src/rtt-reporting/report/rtt-csv.js';
import { RttSnapshotJob } from '../../src/rtt-reporting/rtt-snapshot.job.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { addEvent, insertPathway, monthOffset } from './rtt-support.js';

type Row = RttReportRow;

const find = (rows: Row[], level: string, service?: string, provider?: string) =>
  rows.find(
    (r) =>
      r.level === level &&
      (r.service?.code ?? undefined) === service &&
      (r.provider?.code ?? undefined) === provider,
  )!;

describe('RTT reporting (HTTP into PostgreSQL)', () => {
  let t: TestApp;
  let admin: string;
  let commissioner: string;
  const pathways: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    admin = await t.tokenFor({ role: 'admin' });
    commissioner = await t.tokenFor({ role: 'commissioner', commissioner: 'QZZ' });
    // March 2026, census 31 March. Recorded in an import on 1 April.
    const r = '2026-04-01T01:00:00Z';
    pathways.a = await insertPathway(t.db, {
      service: 'slt',
      provider: 'RYB',
      events: [['referral-received', '2025-11-20', r]],
    }); // 131 days
    pathways.b = await insertPathway(t.db, {
      service: 'slt',
      provider: 'RYB',
      events: [['referral-received', '2026-03-10', r]],
    }); // 21 days, new
    pathways.c = await insertPathway(t.db, {
      service: 'slt',
      provider: 'RYB',
      events: [
        ['referral-received', '2026-01-01', r],
        ['treatment-started', '2026-03-15', r],
      ],
    }); // completed, 73 days
    pathways.d = await insertPathway(t.db, {
      service: 'slt',
      provider: 'RYB',
      events: [
        ['referral-received', '2026-02-01', r],
        ['dna', '2026-03-05', r],
        ['rebooked', '2026-04-02', '2026-04-03T01:00:00Z'],
      ],
    }); // nullified
    pathways.e = await insertPathway(t.db, {
      service: 'neurodiversity',
      provider: 'RXA',
      events: [['referral-received', '2025-12-01', r]],
    }); // 120 days
    pathways.f = await insertPathway(t.db, {
      service: 'community-paediatrics',
      provider: 'RXA',
      events: [['referral-received', '2024-01-01', r]],
    }); // 820 days
    pathways.g = await insertPathway(t.db, {
      service: 'slt',
      provider: 'RXA',
      events: [['referral-received', '2026-03-31', r]],
    }); // 0 days, new
    pathways.h = await insertPathway(t.db, {
      service: 'mental-health',
      provider: 'RYB',
      events: [
        ['referral-received', '2026-02-01', r],
        ['active-monitoring', '2026-02-20', r],
        ['active-monitoring-ended', '2026-03-20', r],
      ],
    }); // new clock (R3), 11 days
  });
  afterAll(async () => t.close());

  const get = (url: string, token = admin) =>
    request(t.http).get(url).set('Authorization', `Bearer ${token}`);

  it('should reconstruct the March census from clock events, with bands, targets, percentiles and regimes', async () => {
    const res = await get('/api/reports/rtt?month=2026-03').expect(200);
    const report = res.body as RttReport;
    expect(report).toMatchObject({
      period: 'RTT-March-2026',
      censusDate: '2026-03-31',
      provisional: false,
      source: { kind: 'live', snapshot: null },
    });
    expect(report.method.percentiles.banded).toMatch(/grouped-data interpolation/);
    expect(report.method.percentiles.patientLevel).toMatch(/type 7/);
    const slt = find(report.rows, 'service-provider', 'slt', 'RYB');
    expect(slt.regime).toBe('AHP_RTT');
    expect(slt.incomplete).toMatchObject({
      total: 2,
      within18Weeks: { count: 1, percent: 50 },
      withinTarget: { targetWeeks: 18, count: 1 },
    });
    expect(slt.incomplete.bands[18]).toBe(1); // 131 days: ">18-19"
    expect(slt.incomplete.bands[2]).toBe(1); // 21 days: ">2-3"
    expect(slt.completed).toMatchObject({
      total: 1,
      nonAdmitted: { total: 1 },
      medianWeeks: { patientLevel: { weeks: 10.4 } },
    }); // 73 days
    expect(slt.newClockStarts).toBe(1);
    expect(slt.nullifiedInMonth).toBe(1);
    const nd = find(report.rows, 'service', 'neurodiversity');
    expect(nd.regime).toBe('NONE');
    expect(nd.incomplete).toMatchObject({
      total: 1,
      within18Weeks: { count: 1 },
      withinTarget: { targetWeeks: 13, count: 0, percent: 0 },
    });
    const cp = find(report.rows, 'service', 'community-paediatrics');
    expect(cp.regime).toBe('CONSULTANT_RTT');
    expect(cp.incomplete).toMatchObject({
      over52Weeks: 1,
      over104Weeks: 1,
      p92Weeks: { banded: { display: '>104' } },
    });
    const mh = find(report.rows, 'service', 'mental-health');
    expect(mh).toMatchObject({
      regime: 'CYPMH',
      newClockStarts: 1,
      incomplete: { total: 1, withinTarget: { targetWeeks: 4, count: 1 } },
    });
    const total = find(report.rows, 'total');
    expect(total.incomplete.total).toBe(6);
    expect(total.regime).toBe('MIXED');
    expect(report.chsSitrep.notInSitrep.map((x) => x.service)).toEqual(['mental-health']);
    const paeds = report.chsSitrep.rows.find(
      (x) => x.serviceLine === '(CYP) Community paediatric service' && x.provider === null,
    )!;
    expect(paeds.bands.map((b) => b.count)).toEqual([0, 0, 0, 0, 1, 0, 1]); // 120 days, 820 days
    expect(JSON.stringify(report)).not.toMatch(new RegExp(Object.values(pathways).join('|')));
  });

  it('should narrow to one service or provider, and keep a commissioner to their ICB', async () => {
    const res = await get(
      '/api/reports/rtt?month=2026-03&service=slt&provider=RYB',
      commissioner,
    ).expect(200);
    expect(res.body.scope).toEqual({ service: 'slt', provider: 'RYB', commissioner: 'QZZ' });
    expect(find(res.body.rows, 'total').incomplete.total).toBe(2);
    const other = await t.tokenFor({ role: 'commissioner', commissioner: 'QYY' });
    const refused = await get('/api/reports/rtt?month=2026-03&provider=RYB', other).expect(403);
    expect(refused.body.code).toBe('rtt.provider-not-commissioned');
  });

  it('should publish an immutable snapshot that later back-dated imports do not change; regenerating says what changed', async () => {
    const created = await request(t.http)
      .post('/api/reports/rtt/snapshots')
      .set('Authorization', `Bearer ${admin}`)
      .send({ month: '2026-03' })
      .expect(201);
    expect(created.body).toMatchObject({
      month: '2026-03',
      version: 1,
      trigger: 'manual',
      createdBy: 'admin-1',
      rulesVersion: 'rtt-clock-v3',
      changes: null,
    });
    expect(created.body.data.eventsIncluded).toBeGreaterThanOrEqual(13);
    const before = await get('/api/reports/rtt?month=2026-03').expect(200);
    expect(before.body.source).toMatchObject({
      kind: 'snapshot',
      snapshot: { version: 1, dataCutoff: created.body.dataCutoff },
    });

    // A later import appends a back-dated event: pathway A was treated on 25 March.
    await addEvent(t.db, pathways.a, ['treatment-started', '2026-03-25']);

    const after = await get('/api/reports/rtt?month=2026-03').expect(200);
    expect(after.body).toEqual(before.body); // the published snapshot is unchanged
    const asAtCutoff = await get(
      `/api/reports/rtt?month=2026-03&dataCutoff=${encodeURIComponent(created.body.dataCutoff)}`,
    ).expect(200);
    expect(asAtCutoff.body.rows).toEqual(before.body.rows); // re-running with the old cut-off gives the old numbers
    const live = await get('/api/reports/rtt?month=2026-03&live=true').expect(200);
    expect(find(live.body.rows, 'service-provider', 'slt', 'RYB').incomplete.total).toBe(1);
    expect(find(live.body.rows, 'service-provider', 'slt', 'RYB').completed.total).toBe(2);

    await expect(t.db.query(`update rtt_report_snapshot set month = '2026-02'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.db.query(`delete from rtt_report_snapshot`)).rejects.toThrow(/append-only/);

    const v2 = await request(t.http)
      .post('/api/reports/rtt/snapshots')
      .set('Authorization', `Bearer ${admin}`)
      .send({ month: '2026-03' })
      .expect(201);
    expect(v2.body).toMatchObject({ version: 2, previousId: created.body.id });
    expect(v2.body.changes.eventsAdded).toBe(1);
    expect(v2.body.changes.changes).toEqual(
      expect.arrayContaining([
        { row: 'service-provider slt/RYB', measure: 'incomplete.total', from: 2, to: 1 },
        { row: 'service-provider slt/RYB', measure: 'completed.total', from: 1, to: 2 },
      ]),
    );
    expect(
      (await get('/api/reports/rtt?month=2026-03').expect(200)).body.source.snapshot.version,
    ).toBe(2);
    expect((await get('/api/reports/rtt?month=2026-03&version=1').expect(200)).body.rows).toEqual(
      before.body.rows,
    );
    const list = await get('/api/reports/rtt/snapshots?month=2026-03', commissioner).expect(200);
    expect(list.body.map((s: { version: number }) => s.version)).toEqual([2, 1]);
    const audit: Array<{ n: number }> = await t.db.query(
      `select count(*)::int as n from audit_event where resource = 'rtt-report-snapshot' and action = 'create'`,
    );
    expect(audit[0].n).toBeGreaterThanOrEqual(2);
  });

  it('should export the NHS England CSV layout that parses back cleanly, with a BOM and no executable cells, and audit it', async () => {
    const res = await get('/api/reports/rtt/csv?month=2026-03&live=true', commissioner).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="rtt-2026-03.csv"');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text.charCodeAt(0)).toBe(0xfeff);
    const records: string[][] = parse(res.text, { bom: true });
    expect(records[0]).toEqual(RTT_CSV_COLUMNS);
    for (const row of records.slice(1)) {
      expect(row).toHaveLength(121);
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
    const rybIncomplete = records.find(
      (r) => r[3] === 'RYB' && r[9] === 'Part_2' && r[11] === 'C_652',
    )!;
    expect(rybIncomplete.slice(0, 3)).toEqual([
      'RTT-March-2026',
      'QZZ',
      'Demo Integrated Care Board',
    ]);
    expect(Number(rybIncomplete[118])).toBe(1); // after the back-dated treatment, one slt pathway at RYB waits
    const part3 = records.find((r) => r[3] === 'RXA' && r[9] === 'Part_3' && r[11] === 'C_999')!;
    expect(Number(part3[118])).toBe(1);
    const chs = await get(
      '/api/reports/rtt/csv?month=2026-03&layout=chs-sitrep',
      commissioner,
    ).expect(200);
    expect(parse(chs.text, { bom: true })[0]).toContain('Waiting >18-52 weeks');
    const audit: Array<{ action: string; actor_role: string; detail: { month: string } }> =
      await t.db.query(
        `select action, actor_role, detail from audit_event where resource = 'rtt-report-csv' order by id desc limit 1`,
      );
    expect(audit[0]).toMatchObject({
      action: 'export',
      actor_role: 'commissioner',
      detail: { month: '2026-03' },
    });
  });

  it('should draw the SVG chart with the 18-week line and the service target', async () => {
    const res = await get(
      '/api/reports/rtt/chart?month=2026-03&service=neurodiversity&live=true',
    ).expect(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const svg = res.body instanceof Buffer ? res.body.toString('utf8') : res.text;
    expect(svg).toContain('18 weeks');
    expect(svg).toContain('Target 13 weeks');
    expect(svg).toContain(
      '<title id="chart-title">Neurodiversity (autism and ADHD) assessment: incomplete pathways by weeks waited</title>',
    );
    // A service and provider pair with no pathways still draws (an empty chart), it does not fail.
    const empty = await get(
      '/api/reports/rtt/chart?month=2026-03&service=neurodiversity&provider=RYB&live=true',
    ).expect(200);
    expect(empty.body instanceof Buffer ? empty.body.toString('utf8') : empty.text).toContain(
      '0 waiting',
    );
  });

  it('should snapshot the previous month from the scheduled job once, and skip it when published', async () => {
    const job = t.app.get(RttSnapshotJob);
    expect(t.config.schedulerEnabled).toBe(false);
    expect(await job.run('2026-05-02')).toEqual({
      outcome: 'created',
      month: '2026-04',
      version: 1,
    });
    expect(await job.run('2026-05-03')).toEqual({
      outcome: 'skipped',
      month: '2026-04',
      reason: 'already published',
    });
    const [snap] = await t.db.query(
      `select trigger, created_by, census_date::text from rtt_report_snapshot where month = '2026-04'`,
    );
    expect(snap).toEqual({
      trigger: 'schedule',
      created_by: 'system:rtt-snapshot-job',
      census_date: '2026-04-30',
    });
  });

  describe('bad input', () => {
    const future = monthOffset(londonDate(), 2);
    it.each([
      ['/api/reports/rtt?month=October-2026', 'request.invalid', /month must be YYYY-MM/],
      ['/api/reports/rtt?month=2026-13', 'rtt.invalid-month', /not a month/],
      [`/api/reports/rtt?month=${future}`, 'rtt.future-month', /is in the future/],
      [
        '/api/reports/rtt?month=2026-03&service=dentistry',
        'rtt.unknown-service',
        /There is no service "dentistry"/,
      ],
      [
        '/api/reports/rtt?month=2026-03&provider=ZZZ',
        'rtt.unknown-provider',
        /There is no provider "ZZZ"/,
      ],
      [
        '/api/reports/rtt?month=2026-03&census=2026-04-01',
        'rtt.census-outside-month',
        /must be a date in 2026-03/,
      ],
      [
        '/api/reports/rtt?month=2026-03&dataCutoff=2999-01-01T00:00:00Z',
        'rtt.future-cutoff',
        /in the future/,
      ],
      [
        '/api/reports/rtt/csv?month=2026-03&layout=xlsx',
        'request.invalid',
        /layout must be rtt or chs-sitrep/,
      ],
      ['/api/reports/rtt?month=2026-03&colour=blue', 'request.invalid', /colour should not exist/],
    ])('should answer %s with a 400 problem', async (url, code, detail) => {
      const res = await get(url).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code });
      expect(res.body.detail).toMatch(detail);
    });

    it('should refuse to snapshot an unfinished month and refuse clinicians and families', async () => {
      const res = await request(t.http)
        .post('/api/reports/rtt/snapshots')
        .set('Authorization', `Bearer ${admin}`)
        .send({ month: londonDate().slice(0, 7) })
        .expect(400);
      expect(res.body.code).toBe('rtt.month-not-finished');
      await get('/api/reports/rtt?month=2026-03', await t.tokenFor({ role: 'clinician' })).expect(
        403,
      );
      await request(t.http)
        .post('/api/reports/rtt/snapshots')
        .set('Authorization', `Bearer ${commissioner}`)
        .send({ month: '2026-03' })
        .expect(403);
    });
  });
});
