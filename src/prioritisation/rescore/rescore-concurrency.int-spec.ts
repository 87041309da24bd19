import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { insertChild, insertReferral } from '../../../test/factories/waiting-list.factory.js';
import { createTestApp, resetData, type TestApp } from '../../../test/utils/test-app.js';
import { AuditService } from '../../audit/audit.service.js';
import type { AuthUser } from '../../auth/auth-user.js';
import { ToolActivationService } from '../tool/tool-activation.service.js';
import { ToolVersionsService } from '../tool/tool-versions.service.js';
import { RescoreRepository } from './rescore.repository.js';
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
