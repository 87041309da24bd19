import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A clinician's unread notices (`GET /api/prioritisation/notices?unread=true`) walked the recipient's
 * index over every notice ever read before reaching the unread ones: a team's crisis notices grow
 * for as long as the service runs, and most get read. Two partial indexes hold only the unread
 * notices, one per kind of recipient (a clinician, a service's team), in the page's order; reading a
 * notice takes it out of them.
 */
export class IndexUnreadNotices1765900000000 implements MigrationInterface {
  name = 'IndexUnreadNotices1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `create index ix_priority_notice_recipient_unread
         on priority_notice (recipient_subject, created_at desc, id desc)
         where read_at is null and recipient_subject is not null`,
    );
    await q.query(
      `create index ix_priority_notice_service_unread
         on priority_notice (recipient_service, created_at desc, id desc)
         where read_at is null and recipient_service is not null`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index ix_priority_notice_service_unread`);
    await q.query(`drop index ix_priority_notice_recipient_unread`);
  }
}
