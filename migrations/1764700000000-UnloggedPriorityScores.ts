import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The four score tables (child_priority, referral_priority and their idle pair) are derived data: a
 * full rescore rewrites them from the waiting list, the tool version and the logged tables (flags,
 * check-ins, overrides), and the score history (child_priority_history) stays logged. As UNLOGGED
 * tables their rows and indexes are not written to the write-ahead log, which was a quarter of a full
 * rescore's PostgreSQL work (~400 MB of WAL per run at 1,000,000 referrals).
 * The price, handled in the application: after a PostgreSQL crash (not a clean restart) the server
 * empties them, and they are not copied to physical replicas or base backups. The rescore scheduler
 * checks every minute, and at start-up, for open referrals without scores and then rescores in full.
 */
const TABLES = ['child_priority', 'referral_priority', 'child_priority_idle', 'referral_priority_idle'];

export class UnloggedPriorityScores1764700000000 implements MigrationInterface {
  name = 'UnloggedPriorityScores1764700000000';

  async up(q: QueryRunner): Promise<void> {
    for (const t of TABLES) await q.query(`alter table ${t} set unlogged`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of TABLES) await q.query(`alter table ${t} set logged`);
  }
}
