import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A clinician's override ends when the child no longer waits for any service (every referral
 * closed): the rescore that finds the child gone ends it with the reason `no-longer-waiting`, so a
 * later referral is scored by the tool's band, not by a band set for an episode of care that is
 * over. The clinician who set it gets an `override-ended` notice (an `override-expired` one says the
 * review date came, which is not what happened).
 */
export class EndOverridesOfChildrenNoLongerWaiting1765700000000 implements MigrationInterface {
  name = 'EndOverridesOfChildrenNoLongerWaiting1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table priority_override drop constraint priority_override_ended_reason_check`);
    await q.query(
      `alter table priority_override add constraint priority_override_ended_reason_check
         check (ended_reason in ('expired', 'replaced', 'withdrawn', 'no-longer-waiting'))`,
    );
    await q.query(`alter table priority_notice drop constraint priority_notice_kind_check`);
    await q.query(
      `alter table priority_notice add constraint priority_notice_kind_check
         check (kind in ('override-expired', 'family-crisis', 'override-ended'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // The older constraints know no such ending: it is kept as the nearest one they do know (the
    // system ended the override), and its notices go.
    await q.query(`delete from priority_notice where kind = 'override-ended'`);
    await q.query(
      `update priority_override set ended_reason = 'expired' where ended_reason = 'no-longer-waiting'`,
    );
    await q.query(`alter table priority_notice drop constraint priority_notice_kind_check`);
    await q.query(
      `alter table priority_notice add constraint priority_notice_kind_check
         check (kind in ('override-expired', 'family-crisis'))`,
    );
    await q.query(`alter table priority_override drop constraint priority_override_ended_reason_check`);
    await q.query(
      `alter table priority_override add constraint priority_override_ended_reason_check
         check (ended_reason in ('expired', 'replaced', 'withdrawn'))`,
    );
  }
}
