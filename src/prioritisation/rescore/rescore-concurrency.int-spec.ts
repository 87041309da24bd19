import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { insertChild, insertReferral } from '../../../test/factories/waiting-list.factory.js';
import { createTestApp, resetData, type TestApp } from '../../../test/utils/test-app.js';
import { AuditService } from '../../audit/audit.service.js';
import { CatalogueRepository } from '../../catalogue/catalogue.repository.js';
import type { AuthUser } from '../../auth/auth-user.js';
import { addDays, londonDate } from '../../common/time/calendar-date.js';
import { ToolActivationService } from '../tool/tool-activation.service.js';
import { ToolVersionsService } from '../tool/tool-versions.service.js';
import { RescoreRepository } from './rescore.repository.js';
import { RescoreScheduler } from './rescore.scheduler.js';
import { RescoreService } from './rescore.service.js';

const DEFAULT_TOOL = readFileSync(
  new URL('../../../config/prioritisation-tool.yaml', import.meta.url),
  'utf8',
);

/**
 * Rescores on two instances sharing one database: each instance queues its own runs, and the
 * advisory lock makes them take turns (docs/prioritisation.md, "When rescoring happens").
 */
describe('rescores of two instances sharing the database', () => {
  let t: TestApp;
  const admin: AuthUser = { subject: 'admin-1', role: 'admin', services: [] };

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());
  beforeEach(async () => resetData(t.db));

  /**
   * A second instance's rescore service (its own queue, the same database), whose runs wait at
   * `gate` before asking for the rescore lock: as a run does that began just before another
   * instance's run took the lock.
   */
  function secondInstance(gate: Promise<void>): RescoreService {
    const repository = t.app.get(RescoreRepository);
    const delayed = Object.create(repository) as RescoreRepository;
    delayed.runInWriteTransaction = async (fn) => {
      await gate;
      return repository.runInWriteTransaction(fn);
    };
    return new RescoreService(delayed, t.app.get(ToolVersionsService), t.app.get(AuditService));
  }

  it('should score with the version active when a run takes the lock, not one activated away while it waited', async () => {
    const tools = t.app.get(ToolVersionsService);
    const v1 = (await tools.active()).row;
    const child = await insertChild(t.db, { deprivationDecile: 6 });
    await insertReferral(t.db, child.id, { service: 'slt', receivedDate: '2026-05-04' });
    await t.app.get(RescoreService).rescoreAll('test');

    let open!: () => void;
    const other = secondInstance(new Promise<void>((resolve) => (open = resolve)));
    // The other instance starts an incremental rescore (say, after a check-in) with version 1...
    const waiting = other.rescoreChildren([child.id], 'check-in');
    for (let i = 0; i < 100; i++) {
      const runs: unknown[] = await t.db.query(
        `select 1 from priority_run where reason = 'check-in' and status = 'running'`,
      );
      if (runs.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // ...while this one activates version 2 and rescores everyone with it.
    const draft = await tools.createDraft(
      DEFAULT_TOOL.replace(/^name: .*$/m, 'name: Version two'),
      'a new version',
      admin,
    );
    const { run } = await t.app.get(ToolActivationService).activate(draft.id, 'agreed', admin);
    expect(run.toolVersionId).toBe(draft.id);
    open();
    const late = await waiting;

    // The run that waited scored with the version active when it ran, and says so.
    expect(late?.toolVersionId).toBe(draft.id);
    expect(
      await t.db.query(
        `select tool_version_id from child_priority where child_id = $1
         union all select tool_version_id from priority_run where id = $2`,
        [child.id, late!.runId],
      ),
    ).toEqual([{ tool_version_id: draft.id }, { tool_version_id: draft.id }]);
    expect(draft.id).not.toBe(v1.id);
  });
});

/**
 * At start-up the scheduler rescores in full unless the scores are current (RescoreScheduler.catchUp).
 * A check-in or an override is committed first and its child rescored after: a service that stopped
 * or crashed between the two never ran that rescore, and left no failed run to say so.
 */
describe('start-up catch-up after a change whose rescore never ran', () => {
  let t: TestApp;
  const admin: AuthUser = { subject: 'admin-1', role: 'admin', services: [] };
  const today = londonDate();

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());
  beforeEach(async () => resetData(t.db));

  async function scoredChild(): Promise<string> {
    const child = await insertChild(t.db, { deprivationDecile: 6 });
    await insertReferral(t.db, child.id, { service: 'slt', receivedDate: addDays(today, -14) });
    await t.app.get(RescoreService).rescoreAll('nightly', today);
    return child.id;
  }

  const stored = async (childId: string) =>
    (
      await t.db.query(
        `select band, tool_band, overridden, check_in from child_priority where child_id = $1`,
        [childId],
      )
    )[0];

  it.each([
    [
      "a family's crisis",
      `insert into family_check_in (child_id, answer, reported_on, recorded_by, recorded_by_role)
       values ($1, 'crisis', $2::date, 'family-1', 'family')`,
      { band: 'P1', tool_band: 'P1', overridden: false, check_in: 'crisis' },
    ],
    [
      "a clinician's override",
      `insert into priority_override (child_id, band, reason, review_date, created_by)
       values ($1, 'P2', 'reason', $2::date + 30, 'clinician-1')`,
      { band: 'P2', tool_band: 'P4', overridden: true, check_in: null },
    ],
  ])('should rescore when %s was recorded after the last rescore', async (_what, sql, after) => {
    const childId = await scoredChild();
    const scheduler = t.app.get(RescoreScheduler);
    // Nothing changed since the nightly run: nothing to catch up.
    await scheduler.catchUp(today);
    expect(await t.db.query(`select count(*)::int as n from priority_run`)).toEqual([{ n: 1 }]);

    // What a service that stopped between recording the change and rescoring the child leaves.
    await t.db.query(sql, [childId, today]);
    await scheduler.catchUp(today);
    expect(await stored(childId)).toEqual(after);
  });

  it("should rescore when a restart changed a service's target in the catalogue, and not when it changed nothing", async () => {
    const childId = await scoredChild();
    const catalogue = t.app.get(CatalogueRepository);
    const target = async () =>
      (
        await t.db.query(`select target_weeks from referral_priority where child_id = $1`, [
          childId,
        ])
      )[0].target_weeks;
    expect(await target()).toBe(18);
    // A restart with the same catalogue mirrors it again: nothing to catch up.
    await catalogue.upsertCatalogue(t.config.catalogue);
    await t.app.get(RescoreScheduler).catchUp(today);
    expect(await t.db.query(`select count(*)::int as n from priority_run`)).toEqual([{ n: 1 }]);
    try {
      // A restart with SLT's target changed: every SLT wait is measured against the new one.
      await catalogue.upsertCatalogue({
        ...t.config.catalogue,
        services: t.config.catalogue.services.map((s) =>
          s.code === 'slt' ? { ...s, targetWeeks: 12 } : s,
        ),
      });
      await t.app.get(RescoreScheduler).catchUp(today);
      expect(await target()).toBe(12);
    } finally {
      await catalogue.upsertCatalogue(t.config.catalogue);
    }
  });

  it('should rescore when a tool version was activated after the last rescore', async () => {
    const childId = await scoredChild();
    const tools = t.app.get(ToolVersionsService);
    const draft = await tools.createDraft(
      DEFAULT_TOOL.replace(/^name: .*$/m, 'name: Version two'),
      'a new version',
      admin,
    );
    // Activation's first step (its full rescore follows; a stop between the two refuses it).
    await tools.markActive(draft.id, 'agreed', admin);
    await t.app.get(RescoreScheduler).catchUp(today);
    expect(
      await t.db.query(`select tool_version_id from child_priority where child_id = $1`, [childId]),
    ).toEqual([{ tool_version_id: draft.id }]);
  });

  it('should rescore when an override was withdrawn after the last rescore', async () => {
    const childId = await scoredChild();
    await t.db.query(
      `insert into priority_override (child_id, band, reason, review_date, created_by)
       values ($1, 'P1', 'reason', $2::date + 30, 'clinician-1')`,
      [childId, today],
    );
    await t.app.get(RescoreService).rescoreChildren([childId], 'override', today);
    expect(await stored(childId)).toMatchObject({ band: 'P1', overridden: true });
    await t.db.query(
      `update priority_override set ended_at = now(), ended_reason = 'withdrawn', ended_by = 'clinician-1'
        where child_id = $1`,
      [childId],
    );
    await t.app.get(RescoreScheduler).catchUp(today);
    expect(await stored(childId)).toMatchObject({ band: 'P4', overridden: false });
  });
});
