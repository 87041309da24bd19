import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The score history has one index instead of two: its primary key becomes (child_id, id), which
 * is how it is read (a child's trajectory, newest first) and is still unique. The separate key on
 * `id` alone served no query, and every history row paid for both: a full rescore that writes a row
 * for each of 391,000 children spent about 0.4 s of PostgreSQL's time on it.
 */
export class KeyScoreHistoryByChild1765000000001 implements MigrationInterface {
  name = 'KeyScoreHistoryByChild1765000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table child_priority_history drop constraint child_priority_history_pkey`);
    await q.query(`drop index ix_child_priority_history_child`);
    await q.query(
      `alter table child_priority_history add constraint child_priority_history_pkey primary key (child_id, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table child_priority_history drop constraint child_priority_history_pkey`);
    await q.query(`alter table child_priority_history add primary key (id)`);
    await q.query(
      `create index ix_child_priority_history_child on child_priority_history (child_id, id)`,
    );
  }
}
