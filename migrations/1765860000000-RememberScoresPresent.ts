import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A one-row UNLOGGED table that says the score tables have not been emptied since the last full
 * rescore. PostgreSQL empties every unlogged table after a crash, this one with the scores, so an
 * empty `priority_scores_present` means the scores were lost even when an incremental rescore (an
 * import's, a check-in's) has since scored a few children again. Each full rescore writes the row
 * back. It is written here too, so that a new database does not read as one that lost its scores.
 */
export class RememberScoresPresent1765860000000 implements MigrationInterface {
  name = 'RememberScoresPresent1765860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `create unlogged table priority_scores_present (
         present boolean primary key default true check (present)
       )`,
    );
    await q.query(`insert into priority_scores_present values (true)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table priority_scores_present`);
  }
}
