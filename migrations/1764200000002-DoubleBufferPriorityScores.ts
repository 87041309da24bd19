import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full rescores write into a second, idle pair of score tables and swap them in, instead of deleting
 * and re-inserting a million live rows with per-row index maintenance:
 * - `child_priority_idle` and `referral_priority_idle` have the live tables' columns and no indexes;
 *   the application role fills them with TRUNCATE and COPY (it already has those rights);
 * - `priority_scores_swap()` (SECURITY DEFINER, owned by the migrating user, callable only by
 *   `waitwell_app`) builds the idle pair's indexes in one sorted pass each, analyses it and swaps the
 *   table names with the live pair, then empties the old pair (it becomes the idle one). The
 *   application role itself still has no DDL rights; this one operation is all it is given.
 * The caller runs the swap at the end of its rescore transaction: readers see the old scores until it
 * commits, and wait only for the swap's few milliseconds of exclusive lock.
 */
export class DoubleBufferPriorityScores1764200000002 implements MigrationInterface {
  name = 'DoubleBufferPriorityScores1764200000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      do $$
      begin
        begin
          create role waitwell_app nologin;
        exception when duplicate_object then null;
        end;
      end $$`);
    await q.query(`create table child_priority_idle (like child_priority including defaults)`);
    await q.query(`create table referral_priority_idle (like referral_priority including defaults)`);
    await q.query(
      `grant select, insert, update, delete, truncate on child_priority_idle, referral_priority_idle to waitwell_app`,
    );
    await q.query(`
      create function priority_scores_swap() returns void
        language plpgsql security definer
        set search_path = public, pg_temp
        set maintenance_work_mem = '256MB'
      as $$
      begin
        -- Stray indexes from an interrupted swap (the transaction normally removes them all).
        alter table child_priority_idle drop constraint if exists child_priority_next_pkey;
        drop index if exists ix_child_priority_rank_next, ix_referral_priority_rank_next, ix_referral_priority_child_next;
        alter table child_priority_idle add constraint child_priority_next_pkey primary key (child_id);
        create index ix_child_priority_rank_next on child_priority_idle (band_rank, neg_score, neg_weeks, child_id);
        create index ix_referral_priority_rank_next on referral_priority_idle (service_code, band_rank, neg_score, neg_weeks, referral_id);
        create index ix_referral_priority_child_next on referral_priority_idle (child_id);
        analyze child_priority_idle, referral_priority_idle;
        -- Lock in the order the ranked list's join reads them (referral, then child): a reader in the
        -- middle of a statement makes the swap wait, never deadlock.
        lock table referral_priority, child_priority, referral_priority_idle, child_priority_idle in access exclusive mode;
        alter table child_priority rename to child_priority_swap;
        alter table child_priority_idle rename to child_priority;
        alter table child_priority_swap rename to child_priority_idle;
        alter table referral_priority rename to referral_priority_swap;
        alter table referral_priority_idle rename to referral_priority;
        alter table referral_priority_swap rename to referral_priority_idle;
        -- The old live pair becomes the idle pair: no indexes, emptied.
        alter table child_priority_idle drop constraint if exists child_priority_pkey;
        drop index if exists ix_child_priority_rank, ix_referral_priority_rank, ix_referral_priority_child;
        truncate child_priority_idle, referral_priority_idle;
        alter index child_priority_next_pkey rename to child_priority_pkey;
        alter index ix_child_priority_rank_next rename to ix_child_priority_rank;
        alter index ix_referral_priority_rank_next rename to ix_referral_priority_rank;
        alter index ix_referral_priority_child_next rename to ix_referral_priority_child;
      end $$`);
    await q.query(`revoke all on function priority_scores_swap() from public`);
    await q.query(`grant execute on function priority_scores_swap() to waitwell_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function priority_scores_swap()`);
    await q.query(`drop table referral_priority_idle`);
    await q.query(`drop table child_priority_idle`);
  }
}
