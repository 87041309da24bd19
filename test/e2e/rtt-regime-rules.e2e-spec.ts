import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { addDays, londonDate } from '../../src/common/time/calendar-date.js';
import { createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { ptlChild, ptlCsv, ptlDropSource, pull, tempDir, writeSources } from './ingest-support.js';

/**
 * config/rtt-reporting.yaml says, per measurement regime, whether a missed first appointment
 * nullifies the clock. The imports derive each referral's clock (the lists, the family's view)
 * with the same rule the RTT report folds the clock events with, and a change of the rule
 * re-derives the referrals of that regime's services on their next pull.
 */
describe("a regime's first-appointment DNA rule, in the imports as in the report", () => {
  const today = londonDate();
  const ago = (days: number) => addDays(today, -days);
  let dir: string;
  let t: TestApp | undefined;
  // Received 100 days ago (14 completed weeks), first appointment missed 50 days ago; the second
  // also rebooked 20 days ago.
  const rows = [
    ptlChild({
      referral_id: 'DNA-1',
      referral_received_date: ago(100),
      first_appointment_date: ago(50),
      first_appointment_outcome: 'dna',
    }),
    ptlChild({
      referral_id: 'DNA-2',
      referral_received_date: ago(100),
      first_appointment_date: ago(50),
      first_appointment_outcome: 'dna',
      rebooked_date: ago(20),
    }),
  ];

  /** Starts the app on the test database (kept between starts), with or without nullification for SLT. */
  const start = async (nullify: boolean) => {
    const rules = join(dir, `rtt-reporting-${String(nullify)}.yaml`);
    // SLT is an AHP RTT service (config/catalogue.yaml).
    writeFileSync(rules, `regimes:\n  AHP_RTT: { nullifyFirstAppointmentDna: ${nullify} }\n`);
    t = await createTestApp({
      WAITWELL_SOURCES_FILE: writeSources(dir, [
        ptlDropSource('t-regime', 'RYB', 'slt', 'snapshot'),
      ]),
      WAITWELL_DATA_DIR: dir,
      WAITWELL_RTT_REPORTING_FILE: rules,
    });
    return t;
  };

  /** What the referral list, the family's view and the RTT report say of each referral today. */
  const views = async (app: TestApp) => {
    const clinician = await app.tokenFor({
      role: 'clinician',
      sub: 'regime-clinician',
      services: ['slt'],
    });
    const commissioner = await app.tokenFor({ role: 'commissioner' });
    const referrals = (
      await request(app.http)
        .get('/api/referrals?service=slt&limit=50')
        .set('Authorization', `Bearer ${clinician}`)
        .expect(200)
    ).body.items as Array<{ id: string; childId: string; weeksWaited: number | null }>;
    const report = (
      await request(app.http)
        .get(`/api/reports/rtt?month=${today.slice(0, 7)}&census=${today}&service=slt&provider=RYB`)
        .set('Authorization', `Bearer ${commissioner}`)
        .expect(200)
    ).body as { rows: Array<{ level: string; incomplete: { total: number; bands: number[] } }> };
    const row = report.rows.find((r) => r.level === 'service-provider')!;
    const out: Record<string, unknown> = {};
    const stored: Array<{ ref: string; id: string }> = await app.db.query(
      `select source_referral_id as ref, id from referral where source_id = 't-regime'`,
    );
    for (const { ref, id } of stored) {
      const r = referrals.find((x) => x.id === id)!;
      const family = await app.tokenFor({
        role: 'family',
        sub: `regime-${ref}`,
        childId: r.childId,
      });
      const child = (
        await request(app.http)
          .get(`/api/children/${r.childId}`)
          .set('Authorization', `Bearer ${family}`)
          .expect(200)
      ).body as { referrals: Array<{ weeksWaited: number | null; waitNote: string | null }> };
      out[ref] = {
        referralList: r.weeksWaited,
        family: child.referrals.map((x) => [x.weeksWaited, x.waitNote === null ? null : 'note']),
      };
    }
    // Each timed wait once in the report, by its completed weeks (band k = weeks k-1 to k).
    const bands = row.incomplete.bands.flatMap((n, i) => new Array<number>(n).fill(i + 1));
    return { byReferral: out, reportWaiting: row.incomplete.total, reportBands: bands };
  };

  beforeAll(() => {
    dir = tempDir('waitwell-regime-rules-');
    mkdirSync(join(dir, 'drop', 't-regime'), { recursive: true });
    writeFileSync(join(dir, 'drop', 't-regime', 'ptl.csv'), ptlCsv(rows));
  });
  afterAll(async () => {
    if (t) {
      await resetData(t.db);
      await t.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('should keep the clock running from the referral when the regime does not nullify, and nullify again when it does', async () => {
    const app = await start(false);
    await resetData(app.db);
    const admin = await app.tokenFor({ role: 'admin' });
    const first = await pull(app, admin, 't-regime');
    expect([first.status, first.counts.new, first.counts.rejected]).toEqual(['succeeded', 2, 0]);
    // Without nullification the missed first appointment is like a later one: both wait from the
    // referral, 100 days (14 weeks, band 15), in the lists and the report alike.
    expect(await views(app)).toEqual({
      byReferral: {
        'DNA-1': { referralList: 14, family: [[14, null]] },
        'DNA-2': { referralList: 14, family: [[14, null]] },
      },
      reportWaiting: 2,
      reportBands: [15, 15],
    });
    await app.close();
    t = undefined;

    // The same list after the rule is turned back on (the default): every referral of the
    // service is derived again on this pull, and the missed first appointment nullifies.
    const again = await start(true);
    const admin2 = await again.tokenFor({ role: 'admin' });
    const later = new Date(Date.now() + 2000);
    utimesSync(join(dir, 'drop', 't-regime', 'ptl.csv'), later, later);
    const second = await pull(again, admin2, 't-regime');
    expect([second.status, second.counts.updated, second.counts.unchanged]).toEqual([
      'succeeded',
      2,
      0,
    ]);
    expect(await views(again)).toEqual({
      byReferral: {
        // Nullified, no rebooking: no wait, and the family is told why.
        'DNA-1': { referralList: null, family: [[null, 'note']] },
        // Rebooked 20 days ago: a new clock at zero (2 weeks, band 3).
        'DNA-2': { referralList: 2, family: [[2, null]] },
      },
      reportWaiting: 1,
      reportBands: [3],
    });
  });
});
