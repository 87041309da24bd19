import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthUser } from '../../src/auth/auth-user.js';
import { addDays, londonDate } from '../../src/common/time/calendar-date.js';
import type { PtlRow } from '../../src/demo/demo-generator.js';
import { CheckInsService } from '../../src/prioritisation/check-ins/check-ins.service.js';
import { OverridesService } from '../../src/prioritisation/overrides/overrides.service.js';
import { RescoreService } from '../../src/prioritisation/rescore/rescore.service.js';
import { ALL_SERVICES, createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { ptlChild, ptlCsv, ptlDropSource, pull, tempDir, writeSources } from './ingest-support.js';

const today = londonDate();
const weeksAgo = (w: number) => addDays(today, -w * 7);
const yearsOld = (y: number) => addDays(today, -Math.round(y * 365.25) - 30);

/**
 * Everything a rescore writes that a reader or the next rescore uses, per row, in a stable order:
 * all columns but the run's own stamp (run id, time). Any difference between what the incremental
 * rescores the product runs after each change leave and what a full rescore of the same data on the
 * same date leaves is a defect (docs/prioritisation.md, "When rescoring happens").
 */
const CHILD_SNAPSHOT = `select child_id, pseudonym, tool_version_id, to_char(as_at, 'YYYY-MM-DD') as as_at, score, tool_band, band,
         band_rank, overridden, review, flagged, neg_score, max_weeks, neg_weeks, service_count, services, providers,
         locality, flags, flag_details, age_years, age_months, deprivation_decile, check_in, check_in_days,
         child_points, referral_points, counted_referral_id, factor_points, triggers, problems, top_reasons, waits,
         rank_key::text as rank_key
    from child_priority order by child_id`;
const REFERRAL_SNAPSHOT = `select referral_id, child_id, service_code, service_number, provider_code, priority, days_waited,
         target_weeks, weeks, points, rank_score, band_rank, neg_score, neg_weeks, factor_points, rank_key::text as rank_key
    from referral_priority order by referral_id`;

describe('rescoring: the incremental rescores after each change leave what a full rescore would', () => {
  let t: TestApp;
  let admin: string;
  let dir: string;
  let fileSeq = 0;
  const clinician: AuthUser = {
    subject: 'clinician-eq',
    role: 'clinician',
    services: ALL_SERVICES,
  };

  const drop = (source: string, rows: PtlRow[]): void => {
    const folder = join(dir, 'drop', source);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `ptl-${++fileSeq}.csv`);
    writeFileSync(path, ptlCsv(rows));
    const when = new Date(Date.now() + fileSeq * 1000);
    utimesSync(path, when, when);
  };

  /** Pulls the source and waits for the incremental rescore its import.completed starts. */
  const importAndRescore = async (source: string, rows: PtlRow[]): Promise<void> => {
    drop(source, rows);
    const run = await pull(t, admin, source);
    expect(run.status).toBe('succeeded');
    for (let i = 0; i < 200; i++) {
      const [rescore] = await t.db.query(`select status from priority_run where reason = $1`, [
        `import run ${run.id}`,
      ]);
      if (rescore && rescore.status !== 'running') {
        expect(rescore.status).toBe('completed');
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the import was not rescored');
  };

  const childOf = async (source: string, ref: string): Promise<string> => {
    const [row] = await t.db.query(
      `select child_id from referral where source_id = $1 and source_referral_id = $2`,
      [source, ref],
    );
    return row.child_id as string;
  };

  const snapshot = async () => ({
    children: await t.db.query<Array<Record<string, unknown>>>(CHILD_SNAPSHOT),
    referrals: await t.db.query<Array<Record<string, unknown>>>(REFERRAL_SNAPSHOT),
  });

  beforeAll(async () => {
    dir = tempDir('waitwell-rescore-equivalence-');
    const sources = writeSources(dir, [
      ptlDropSource('eq-slt', 'RYB', 'slt', 'snapshot'),
      ptlDropSource('eq-nd', 'RXA', 'neurodiversity', 'snapshot'),
      ptlDropSource('eq-mh', 'RXA', 'mental-health', 'delta'),
    ]);
    t = await createTestApp({ WAITWELL_SOURCES_FILE: sources, WAITWELL_DATA_DIR: dir });
    await resetData(t.db);
    admin = await t.tokenFor({ role: 'admin' });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should leave the same scores, lists and history after imports, check-ins and overrides as a full rescore', async () => {
    const checkIns = t.app.get(CheckInsService);
    const overrides = t.app.get(OverridesService);
    const rescore = t.app.get(RescoreService);
    const yesterday = addDays(today, -1);

    // A varied list: several services and providers, flags, a missing decile, a nullified clock,
    // children under 5 and at a school-phase age, several referrals for one child.
    const a = ptlChild({
      date_of_birth: yearsOld(3),
      deprivation_decile: '2',
      flags: 'ehcp@2025-01-10',
      priority: 'urgent',
      referral_received_date: weeksAgo(30),
    });
    const b = ptlChild({
      date_of_birth: yearsOld(10.5),
      flags: 'safeguarding-concern@2025-03-01',
      referral_received_date: weeksAgo(12),
    });
    const c = ptlChild({ deprivation_decile: '', referral_received_date: weeksAgo(9) });
    const d = ptlChild({
      referral_received_date: weeksAgo(20),
      first_appointment_date: weeksAgo(10),
      first_appointment_outcome: 'dna',
    });
    const e = ptlChild({
      date_of_birth: yearsOld(15.2),
      flags: 'child-in-care@2024-06-01;not-in-school:excluded@2025-09-01',
      referral_received_date: weeksAgo(40),
      priority: 'soon',
    });
    const f = ptlChild({ referral_received_date: weeksAgo(25) });
    const h = ptlChild({ referral_received_date: weeksAgo(14), priority: 'soon' });
    const i = ptlChild({ referral_received_date: weeksAgo(22) });
    const j = ptlChild({ referral_received_date: weeksAgo(5) });
    const k = ptlChild({ referral_received_date: weeksAgo(8), deprivation_decile: '4' });
    const l = ptlChild({ date_of_birth: yearsOld(14), referral_received_date: weeksAgo(3) });
    // Two triggers, on two referrals: urgent at more than twice the target in SLT and in CAMHS.
    const m = ptlChild({ priority: 'urgent', referral_received_date: weeksAgo(40) });
    const slt = [a, b, d, e, f, i, j, k, m].map((x) => ({
      ...x,
      referral_id: `S-${x.nhs_number}`,
    }));
    const nd = [a, c, e, h].map((x) => ({
      ...x,
      referral_id: `N-${x.nhs_number}`,
      referral_received_date: weeksAgo(17),
      priority: 'routine',
    }));
    const mh = [b, e, l, m].map((x) => ({
      ...x,
      referral_id: `M-${x.nhs_number}`,
      referral_received_date: weeksAgo(x === m ? 10 : 6),
      priority: x === l || x === m ? 'urgent' : 'routine',
    }));
    await importAndRescore('eq-slt', slt);
    await importAndRescore('eq-nd', nd);
    await importAndRescore('eq-mh', mh);

    const id = {
      a: await childOf('eq-slt', `S-${a.nhs_number}`),
      b: await childOf('eq-slt', `S-${b.nhs_number}`),
      e: await childOf('eq-slt', `S-${e.nhs_number}`),
      i: await childOf('eq-slt', `S-${i.nhs_number}`),
      k: await childOf('eq-slt', `S-${k.nhs_number}`),
      l: await childOf('eq-mh', `M-${l.nhs_number}`),
    };

    // Family check-ins (each rescored at once, as the product does).
    await checkIns.record(id.a, { answer: 'worse' }, clinician);
    await checkIns.record(id.l, { answer: 'crisis' }, clinician);
    await checkIns.record(id.b, { answer: 'worse', reportedOn: weeksAgo(3) }, clinician);
    await checkIns.record(id.b, { answer: 'no-change' }, clinician);
    // Overrides: one that stays, one withdrawn, one whose child leaves every list, one that reaches
    // its review date today (set yesterday).
    await overrides.set(
      id.e,
      { band: 'P4', reason: 'seen elsewhere', reviewDate: addDays(today, 30) },
      clinician,
    );
    await overrides.set(
      id.a,
      { band: 'P2', reason: 'waiting on a report', reviewDate: addDays(today, 10) },
      clinician,
    );
    await overrides.withdraw(id.a, clinician);
    await overrides.set(
      id.i,
      { band: 'P1', reason: 'deteriorating', reviewDate: addDays(today, 20) },
      clinician,
    );
    await overrides.set(
      id.k,
      { band: 'P1', reason: 'short review', reviewDate: today },
      clinician,
      yesterday,
    );

    // The providers' next lists: a referral moves to another child (corrected NHS number), a clock
    // stops, a priority changes, a flag is no longer listed, a decile changes, a referral leaves a
    // snapshot, a DNA is rebooked.
    const g = ptlChild({ referral_received_date: f.referral_received_date });
    const slt2 = slt
      .filter((x) => x.nhs_number !== f.nhs_number)
      .map((x) => {
        if (x.nhs_number === a.nhs_number) return { ...x, flags: '' };
        if (x.nhs_number === i.nhs_number) {
          return { ...x, status: 'discharged', discharge_date: weeksAgo(1) };
        }
        if (x.nhs_number === j.nhs_number) return { ...x, priority: 'urgent' };
        if (x.nhs_number === d.nhs_number) return { ...x, rebooked_date: weeksAgo(2) };
        if (x.nhs_number === b.nhs_number) return { ...x, deprivation_decile: '1' };
        return x;
      });
    slt2.push({ ...g, referral_id: `S-${f.nhs_number}` });
    await importAndRescore('eq-slt', slt2);
    await importAndRescore(
      'eq-nd',
      nd
        .filter((x) => x.nhs_number !== h.nhs_number)
        .map((x) => (x.nhs_number === c.nhs_number ? { ...x, deprivation_decile: '7' } : x)),
    );
    await importAndRescore('eq-mh', [{ ...mh[0], priority: 'urgent' }]);
    // A child who left every list comes back (restored to the provider's list).
    await importAndRescore(
      'eq-nd',
      nd.map((x) => (x.nhs_number === c.nhs_number ? { ...x, deprivation_decile: '7' } : x)),
    );

    // The nightly job's first step on the review date (its full rescore is what we compare with).
    expect(await overrides.expireDue(today)).toBe(1);

    const incremental = await snapshot();
    const [{ n: historyBefore }] = await t.db.query(
      `select count(*)::int as n from child_priority_history`,
    );
    expect(incremental.children.length).toBe(11);
    expect(incremental.children.filter((x) => x.overridden)).toHaveLength(1);
    expect(
      incremental.children.find((x) => (x.triggers as string).split(';').length === 2),
    ).toBeDefined();

    const full = await rescore.rescoreAll('test', today);
    const after = await snapshot();
    expect(after.children).toEqual(incremental.children);
    expect(after.referrals).toEqual(incremental.referrals);
    // Nothing was left to close, end or record: the incremental runs had done it.
    expect({ removed: full.childrenRemoved, overridesEnded: full.overridesEnded }).toEqual({
      removed: 0,
      overridesEnded: 0,
    });
    const [{ n: historyAfter }] = await t.db.query(
      `select count(*)::int as n from child_priority_history`,
    );
    expect(historyAfter).toBe(historyBefore);

    // The lists hold exactly the open referrals and their children.
    expect(after.referrals.map((r) => r.referral_id)).toEqual(
      (await t.db.query(`select id from referral where status = 'waiting' order by id`)).map(
        (r: { id: string }) => r.id,
      ),
    );
    // No history entry repeats the one before it (a row only when the score or band changes).
    const repeats = await t.db.query(
      `select child_id from (
         select child_id, score, band, lag(score) over w as prev_score, lag(band) over w as prev_band,
                row_number() over w as n
           from child_priority_history window w as (partition by child_id order by id)) h
        where n > 1 and score is not distinct from prev_score and band is not distinct from prev_band`,
    );
    expect(repeats).toEqual([]);
    // Each child's last history entry is its score now, or the empty entry of a child who left.
    const last = await t.db.query(
      `select h.child_id, h.score, h.band, cp.score as now_score, cp.band as now_band
         from (select distinct on (child_id) child_id, score, band from child_priority_history
                order by child_id, id desc) h
         left join child_priority cp on cp.child_id = h.child_id
        where h.score is distinct from cp.score or h.band is distinct from cp.band`,
    );
    expect(last).toEqual([]);
    const left: Array<{ n: number }> = await t.db.query(
      `select count(*)::int as n from child_priority_history where score is null`,
    );
    // F (its only referral moved to G), H (left a snapshot, since back) and I (discharged).
    expect(left[0].n).toBe(3);
  });
});
