import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp } from '../utils/test-app.js';
import { appWithPtlSource, ptlChild, ptlCsv, pull } from './ingest-support.js';

/** What an import's incremental rescore leaves in the score tables (prioritisation.md). */
describe('ingest: the rescore after an import (HTTP into PostgreSQL)', () => {
  let t: TestApp;
  let admin: string;
  let dir: string;
  let fileSeq = 0;

  /** Drops a file into the source's folder, newer than any before it. */
  const drop = (content: string): void => {
    const folder = join(dir, 'drop', 't-move');
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `ptl-${++fileSeq}.csv`);
    writeFileSync(path, content);
    const when = new Date(Date.now() + fileSeq * 1000);
    utimesSync(path, when, when);
  };

  /** Pulls the source and waits for the incremental rescore its import.completed starts. */
  const pullAndRescore = async (): Promise<void> => {
    const run = await pull(t, admin, 't-move');
    expect(run.status).toBe('succeeded');
    for (let i = 0; i < 100; i++) {
      const [rescore] = await t.db.query(`select status from priority_run where reason = $1`, [
        `import run ${run.id}`,
      ]);
      if (rescore && rescore.status !== 'running') {
        expect(rescore.status).toBe('completed');
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the import was not rescored');
  };

  beforeAll(async () => {
    ({ t, dir, admin } = await appWithPtlSource('waitwell-ingest-rescore-', 't-move', 'slt'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should take a referral off its old child when a corrected NHS number moves it to another', async () => {
    const listed = ptlChild({ referral_id: 'MOVE-1', flags: 'ehcp@2025-01-10' });
    drop(ptlCsv([listed]));
    await pullAndRescore();
    const [{ id: referralId, child_id: oldChild }] = await t.db.query(
      `select id, child_id from referral where source_id = 't-move' and source_referral_id = 'MOVE-1'`,
    );
    expect(
      await t.db.query(`select child_id from referral_priority where referral_id = $1`, [
        referralId,
      ]),
    ).toEqual([{ child_id: oldChild }]);

    // The provider corrects the NHS number: the same referral now belongs to another child.
    const corrected = ptlChild({ referral_id: 'MOVE-1', flags: 'ehcp@2025-01-10' });
    expect(corrected.nhs_number).not.toBe(listed.nhs_number);
    drop(ptlCsv([corrected]));
    await pullAndRescore();
    const [{ child_id: newChild }] = await t.db.query(
      `select child_id from referral where id = $1`,
      [referralId],
    );
    expect(newChild).not.toBe(oldChild);
    // One list row for the referral, under its new child; the old child waits for nothing.
    expect(
      await t.db.query(`select child_id from referral_priority where referral_id = $1`, [
        referralId,
      ]),
    ).toEqual([{ child_id: newChild }]);
    expect(
      await t.db.query(`select child_id from child_priority where child_id = any($1::uuid[])`, [
        [oldChild, newChild],
      ]),
    ).toEqual([{ child_id: newChild }]);
    // ...and the old child's score history ends with an empty entry.
    const [last] = await t.db.query(
      `select score, band from child_priority_history where child_id = $1 order by id desc limit 1`,
      [oldChild],
    );
    expect(last).toEqual({ score: null, band: null });
    // The flag the source recorded with the referral was recorded on the wrong child: it ends there
    // (kept, with its end date) and is open on the child the referral now belongs to.
    const flags = await t.db.query(
      `select child_id, code, ended_on is not null as ended from child_flag
        where source = 't-move' and child_id = any($1::uuid[]) order by ended`,
      [[oldChild, newChild]],
    );
    expect(flags).toEqual([
      { child_id: newChild, code: 'ehcp', ended: false },
      { child_id: oldChild, code: 'ehcp', ended: true },
    ]);
  });

  it("should read a flag's detail with a '|' or a backslash as one flag, not as another flag", async () => {
    const listed = ptlChild({
      referral_id: 'DETAIL-1',
      flags: 'not-in-school:part-time|ehcp \\p@2025-03-01',
    });
    drop(ptlCsv([listed]));
    await pullAndRescore();
    const [scored] = await t.db.query(
      `select cp.flags, cp.flag_details as "flagDetails" from child_priority cp
         join referral r on r.child_id = cp.child_id
        where r.source_id = 't-move' and r.source_referral_id = 'DETAIL-1'`,
    );
    // No EHCP: the source recorded only that the child is not in school, part time.
    expect(scored).toEqual({
      flags: ['not-in-school'],
      flagDetails: ['not-in-school:part-time|ehcp \\p'],
    });
  });

  it("should keep a source's flags on a child it still lists when one of the child's referrals moves away", async () => {
    const stays = ptlChild({ referral_id: 'STAY-1', flags: 'safeguarding-concern@2025-03-01' });
    const leaves = { ...stays, referral_id: 'STAY-2' };
    drop(ptlCsv([stays, leaves]));
    await pullAndRescore();
    const [{ child_id: child }] = await t.db.query(
      `select child_id from referral where source_id = 't-move' and source_referral_id = 'STAY-2'`,
    );

    const moved = { ...ptlChild({ referral_id: 'STAY-2' }), flags: '' };
    expect(moved.nhs_number).not.toBe(stays.nhs_number);
    drop(ptlCsv([stays, moved]));
    await pullAndRescore();
    expect(
      await t.db.query(
        `select code, ended_on from child_flag where source = 't-move' and child_id = $1`,
        [child],
      ),
    ).toEqual([{ code: 'safeguarding-concern', ended_on: null }]);
  });
});
