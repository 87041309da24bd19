import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stores each score's input snapshot as typed columns (age, deprivation, flags, check-in on the child;
 * priority, days on the clock and target on each referral) plus compact per-factor points, instead of
 * a JSON breakdown: a million rows move through COPY several times faster, and the explanation is
 * re-derived exactly from the snapshot and the tool version (scoring is deterministic). The score
 * tables are derived data, emptied here and refilled by the next rescore.
 */
export class ReshapePriorityScores1764200000001 implements MigrationInterface {
  name = 'ReshapePriorityScores1764200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`drop table referral_priority`);
    await q.query(`drop table child_priority`);
    await q.query(`
      create table child_priority (
        child_id uuid primary key,
        pseudonym text not null,
        tool_version_id uuid not null,
        run_id uuid not null,
        as_at date not null,
        scored_at timestamptz not null default now(),
        score double precision not null,
        tool_band text not null,
        band text not null,
        band_rank smallint not null,
        overridden boolean not null,
        review boolean not null,
        flagged boolean not null,
        neg_score double precision not null,
        max_weeks int not null,
        neg_weeks int not null,
        service_count smallint not null,
        services text[] not null,
        providers text[] not null,
        locality text,
        flags text[] not null,
        flag_details text[] not null,
        age_years int,
        age_months int,
        deprivation_decile smallint,
        check_in text,
        check_in_days int,
        child_points double precision not null,
        referral_points double precision not null,
        counted_referral_id uuid,
        factor_points text not null,
        triggers text not null,
        problems text not null,
        top_reasons text not null
      )`);
    await q.query(`create index ix_child_priority_rank on child_priority (band_rank, neg_score, neg_weeks, child_id)`);
    await q.query(`
      create table referral_priority (
        referral_id uuid not null,
        child_id uuid not null,
        service_code text not null,
        provider_code text not null,
        priority text not null,
        days_waited int,
        target_weeks int not null,
        weeks int,
        points double precision not null,
        rank_score double precision not null,
        band_rank smallint not null,
        neg_score double precision not null,
        neg_weeks int not null,
        factor_points text not null
      )`);
    await q.query(`create index ix_referral_priority_rank on referral_priority (service_code, band_rank, neg_score, neg_weeks, referral_id)`);
    await q.query(`create index ix_referral_priority_child on referral_priority (child_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table referral_priority`);
    await q.query(`drop table child_priority`);
    await q.query(`
      create table child_priority (
        child_id uuid primary key, pseudonym text not null, tool_version_id uuid not null, run_id uuid not null, as_at date not null,
        scored_at timestamptz not null, score double precision not null, tool_band text not null, band text not null,
        band_rank smallint not null, overridden boolean not null default false, review boolean not null default false,
        flagged boolean not null default false, neg_score double precision not null, max_weeks int not null, neg_weeks int not null,
        service_count smallint not null, services text[] not null, providers text[] not null, locality text, flags text[] not null,
        waits jsonb not null, top_reasons text[] not null, breakdown jsonb not null
      )`);
    await q.query(`create index ix_child_priority_rank on child_priority (band_rank, neg_score, neg_weeks, child_id)`);
    await q.query(`
      create table referral_priority (
        referral_id uuid primary key, child_id uuid not null, service_code text not null, provider_code text not null,
        points double precision not null, rank_score double precision not null, band_rank smallint not null,
        neg_score double precision not null, weeks int, neg_weeks int not null
      )`);
    await q.query(`create index ix_referral_priority_rank on referral_priority (service_code, band_rank, neg_score, neg_weeks, referral_id)`);
    await q.query(`create index ix_referral_priority_child on referral_priority (child_id)`);
  }
}
