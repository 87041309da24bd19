import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A full rescore fills the idle pair of score tables (migration DoubleBufferPriorityScores) on two
 * connections side by side, one per table, each in a transaction of its own that empties its table,
 * COPYs into it and builds its indexes; the rescore's own transaction then only swaps the pair in.
 * The application role still has no DDL rights; it is given three SECURITY DEFINER operations:
 * - `priority_idle_reset(which)`: empty one idle table and drop any index a failed run left on it;
 * - `priority_idle_build(which)`: build that table's indexes in one sorted pass each, and analyse it;
 * - `priority_scores_swap_built()`: swap the built idle pair with the live pair (refusing an idle
 *   pair without its indexes), then empty the old pair, which becomes the idle one.
 * `which` is 'child' (child_priority_idle) or 'referral' (referral_priority_idle).
 * Analysing a freshly filled pair is part of every full rescore, so columns no query filters, joins or
 * sorts on (the input snapshot, points, reasons) get no statistics: ANALYZE samples only what the
 * ranked lists' planner uses.
 */
const UNFILTERED: Record<'child_priority' | 'referral_priority', string[]> = {
  child_priority: [
    'pseudonym',
    'tool_version_id',
    'run_id',
    'as_at',
    'scored_at',
    'score',
    'tool_band',
    'overridden',
    'review',
    'flagged',
    'flag_details',
    'age_years',
    'age_months',
    'deprivation_decile',
    'check_in',
    'check_in_days',
    'child_points',
    'referral_points',
    'counted_referral_id',
    'factor_points',
    'triggers',
    'problems',
    'top_reasons',
  ],
  referral_priority: ['priority', 'days_waited', 'target_weeks', 'points', 'rank_score', 'factor_points'],
};

async function setStatistics(q: QueryRunner, target: number): Promise<void> {
  for (const [table, columns] of Object.entries(UNFILTERED)) {
    for (const t of [table, `${table}_idle`]) {
      const alter = columns.map((c) => `alter column ${c} set statistics ${target}`).join(', ');
      await q.query(`alter table ${t} ${alter}`);
    }
  }
}

export class FillPriorityScoresSideBySide1764600000000 implements MigrationInterface {
  name = 'FillPriorityScoresSideBySide1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await setStatistics(q, 0);
    await q.query(`
      create function priority_idle_reset(which text) returns void
        language plpgsql security definer
        set search_path = public, pg_temp
      as $$
      begin
        if which = 'child' then
          alter table child_priority_idle drop constraint if exists child_priority_next_pkey;
          drop index if exists ix_child_priority_rank_next;
          truncate child_priority_idle;
        elsif which = 'referral' then
          drop index if exists ix_referral_priority_rank_next, ix_referral_priority_child_next;
          truncate referral_priority_idle;
        else
          raise exception 'unknown score table %', which;
        end if;
      end $$`);
    await q.query(`
      create function priority_idle_build(which text) returns void
        language plpgsql security definer
        set search_path = public, pg_temp
        set maintenance_work_mem = '256MB'
      as $$
      begin
        if which = 'child' then
          alter table child_priority_idle add constraint child_priority_next_pkey primary key (child_id);
          create index ix_child_priority_rank_next on child_priority_idle (band_rank, neg_score, neg_weeks, child_id);
          analyze child_priority_idle;
        elsif which = 'referral' then
          create index ix_referral_priority_rank_next on referral_priority_idle (service_code, band_rank, neg_score, neg_weeks, referral_id);
          create index ix_referral_priority_child_next on referral_priority_idle (child_id);
          analyze referral_priority_idle;
        else
          raise exception 'unknown score table %', which;
        end if;
      end $$`);
    await q.query(`
      create function priority_scores_swap_built() returns void
        language plpgsql security definer
        set search_path = public, pg_temp
      as $$
      begin
        if to_regclass('child_priority_next_pkey') is null or to_regclass('ix_child_priority_rank_next') is null
           or to_regclass('ix_referral_priority_rank_next') is null or to_regclass('ix_referral_priority_child_next') is null then
          raise exception 'the idle score tables have not been built';
        end if;
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
    for (const f of [
      'priority_idle_reset(text)',
      'priority_idle_build(text)',
      'priority_scores_swap_built()',
    ]) {
      await q.query(`revoke all on function ${f} from public`);
      await q.query(`grant execute on function ${f} to waitwell_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function priority_scores_swap_built()`);
    await q.query(`drop function priority_idle_build(text)`);
    await q.query(`drop function priority_idle_reset(text)`);
    await setStatistics(q, -1);
  }
}
