import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Clinical prioritisation: tool versions (immutable once activated) and their activations, rescore
 * runs, the current score of each child and of each open referral (derived, rewritten by rescores),
 * the history of each child's score, clinician overrides, clinician notices and family check-ins.
 */
export class CreatePrioritisation1764200000000 implements MigrationInterface {
  name = 'CreatePrioritisation1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table prioritisation_tool_version (
        id uuid primary key default gen_random_uuid(),
        version int generated always as identity,
        name text not null,
        source text not null,
        document jsonb,
        status text not null default 'draft' check (status in ('draft', 'active', 'retired')),
        valid boolean not null default false,
        problems jsonb not null default '[]',
        author_subject text not null,
        rationale text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        first_activated_at timestamptz,
        constraint uq_tool_version_version unique (version)
      )`);
    await q.query(`create unique index uq_tool_version_one_active on prioritisation_tool_version ((true)) where status = 'active'`);
    // Versions are immutable once activated: only their status may change afterwards.
    await q.query(`
      create function refuse_activated_tool_edit() returns trigger language plpgsql as $$
      begin
        if old.first_activated_at is not null and (new.source is distinct from old.source or new.document is distinct from old.document
            or new.name is distinct from old.name or new.rationale is distinct from old.rationale or new.author_subject is distinct from old.author_subject) then
          raise exception 'tool version % was activated and cannot be edited', old.version using errcode = 'P0001';
        end if;
        if tg_op = 'DELETE' and old.first_activated_at is not null then
          raise exception 'tool version % was activated and cannot be deleted', old.version using errcode = 'P0001';
        end if;
        return case when tg_op = 'DELETE' then old else new end;
      end $$`);
    await q.query(`create trigger tool_version_immutable before update or delete on prioritisation_tool_version for each row execute function refuse_activated_tool_edit()`);
    await q.query(`
      create table prioritisation_tool_activation (
        id bigint generated always as identity primary key,
        tool_version_id uuid not null references prioritisation_tool_version (id),
        activated_at timestamptz not null default now(),
        activated_by text not null,
        rationale text not null
      )`);
    await q.query(`create trigger tool_activation_append_only before update or delete on prioritisation_tool_activation for each row execute function refuse_change()`);
    await q.query(`
      create table priority_run (
        id uuid primary key default gen_random_uuid(),
        kind text not null check (kind in ('full', 'incremental')),
        reason text not null,
        tool_version_id uuid not null references prioritisation_tool_version (id),
        as_at date not null,
        status text not null default 'running' check (status in ('running', 'completed', 'failed')),
        started_at timestamptz not null default now(),
        finished_at timestamptz,
        children_scored int not null default 0,
        referrals_scored int not null default 0,
        children_flagged int not null default 0,
        problems jsonb not null default '{}',
        detail jsonb not null default '{}'
      )`);
    await q.query(`create index ix_priority_run_started on priority_run (started_at desc)`);
    // Derived tables, rewritten by every rescore: no foreign keys (they would slow a full rescore of a
    // million rows and the rows are removed when a child leaves the lists). neg_* columns hold the
    // negated sort keys so one ascending index serves "band, then score desc, then wait desc".
    await q.query(`
      create table child_priority (
        child_id uuid primary key,
        pseudonym text not null,
        tool_version_id uuid not null,
        run_id uuid not null,
        as_at date not null,
        scored_at timestamptz not null,
        score double precision not null,
        tool_band text not null,
        band text not null,
        band_rank smallint not null,
        overridden boolean not null default false,
        review boolean not null default false,
        flagged boolean not null default false,
        neg_score double precision not null,
        max_weeks int not null,
        neg_weeks int not null,
        service_count smallint not null,
        services text[] not null,
        providers text[] not null,
        locality text,
        flags text[] not null,
        waits jsonb not null,
        top_reasons text[] not null,
        breakdown jsonb not null
      )`);
    await q.query(`create index ix_child_priority_rank on child_priority (band_rank, neg_score, neg_weeks, child_id)`);
    await q.query(`
      create table referral_priority (
        referral_id uuid primary key,
        child_id uuid not null,
        service_code text not null,
        provider_code text not null,
        points double precision not null,
        rank_score double precision not null,
        band_rank smallint not null,
        neg_score double precision not null,
        weeks int,
        neg_weeks int not null
      )`);
    await q.query(`create index ix_referral_priority_rank on referral_priority (service_code, band_rank, neg_score, neg_weeks, referral_id)`);
    await q.query(`create index ix_referral_priority_child on referral_priority (child_id)`);
    await q.query(`
      create table child_priority_history (
        id bigint generated always as identity primary key,
        child_id uuid not null,
        run_id uuid not null,
        tool_version_id uuid not null,
        as_at date not null,
        scored_at timestamptz not null,
        score double precision,
        tool_band text,
        band text
      )`);
    await q.query(`create index ix_child_priority_history_child on child_priority_history (child_id, id)`);
    await q.query(`
      create table priority_override (
        id uuid primary key default gen_random_uuid(),
        child_id uuid not null references child (id),
        band text not null,
        reason text not null,
        review_date date not null,
        created_by text not null,
        created_at timestamptz not null default now(),
        ended_at timestamptz,
        ended_reason text check (ended_reason in ('expired', 'replaced', 'withdrawn')),
        ended_by text
      )`);
    await q.query(`create unique index uq_priority_override_active on priority_override (child_id) where ended_at is null`);
    await q.query(`create index ix_priority_override_review on priority_override (review_date) where ended_at is null`);
    await q.query(`
      create table priority_notice (
        id uuid primary key default gen_random_uuid(),
        recipient_subject text not null,
        child_id uuid not null references child (id),
        kind text not null check (kind in ('override-expired')),
        detail jsonb not null default '{}',
        created_at timestamptz not null default now(),
        read_at timestamptz
      )`);
    await q.query(`create index ix_priority_notice_recipient on priority_notice (recipient_subject, created_at desc)`);
    await q.query(`
      create table family_check_in (
        id uuid primary key default gen_random_uuid(),
        child_id uuid not null references child (id),
        answer text not null check (answer in ('no-change', 'worse', 'crisis')),
        reported_on date not null,
        recorded_by text not null,
        recorded_by_role text not null,
        created_at timestamptz not null default now()
      )`);
    await q.query(`create index ix_family_check_in_child on family_check_in (child_id, reported_on desc, created_at desc)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table family_check_in`);
    await q.query(`drop table priority_notice`);
    await q.query(`drop table priority_override`);
    await q.query(`drop table child_priority_history`);
    await q.query(`drop table referral_priority`);
    await q.query(`drop table child_priority`);
    await q.query(`drop table priority_run`);
    await q.query(`drop table prioritisation_tool_activation`);
    await q.query(`drop table prioritisation_tool_version`);
    await q.query(`drop function refuse_activated_tool_edit`);
  }
}
