import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A family check-in that reports a crisis tells the clinical team of each service the child waits
 * for, not only the ranked list (where the crisis trigger already puts the child first, for review).
 * A notice goes either to one clinician (`recipient_subject`: an override of theirs has ended) or to
 * a service's team (`recipient_service`: every clinician of that service sees it, and the first to
 * mark it read marks it read for the team; `read_by` says who).
 */
export class TellServiceTeamsOfFamilyCrisis1765300000000 implements MigrationInterface {
  name = 'TellServiceTeamsOfFamilyCrisis1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table priority_notice alter column recipient_subject drop not null`);
    await q.query(`alter table priority_notice add column recipient_service text`);
    await q.query(`alter table priority_notice add column read_by text`);
    await q.query(
      `alter table priority_notice add constraint priority_notice_one_recipient
         check ((recipient_subject is null) <> (recipient_service is null))`,
    );
    await q.query(`alter table priority_notice drop constraint priority_notice_kind_check`);
    await q.query(
      `alter table priority_notice add constraint priority_notice_kind_check
         check (kind in ('override-expired', 'family-crisis'))`,
    );
    await q.query(
      `create index ix_priority_notice_service on priority_notice (recipient_service, created_at desc)
        where recipient_service is not null`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`delete from priority_notice where recipient_service is not null`);
    await q.query(`drop index ix_priority_notice_service`);
    await q.query(`alter table priority_notice drop constraint priority_notice_kind_check`);
    await q.query(
      `alter table priority_notice add constraint priority_notice_kind_check check (kind in ('override-expired'))`,
    );
    await q.query(`alter table priority_notice drop constraint priority_notice_one_recipient`);
    await q.query(`alter table priority_notice drop column read_by`);
    await q.query(`alter table priority_notice drop column recipient_service`);
    await q.query(`alter table priority_notice alter column recipient_subject set not null`);
  }
}
