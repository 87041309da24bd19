import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingest and linkage: import runs with their rejected rows, what each source last said about each
 * child (with provenance), data-quality issues when sources disagree, and a per-referral hash of the
 * source row so an unchanged row is recognised without comparing every column.
 */
export class CreateIngest1764100000000 implements MigrationInterface {
  name = 'CreateIngest1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table import_run (
        id uuid primary key default gen_random_uuid(),
        source_id text not null,
        source_kind text not null,
        mode text not null check (mode in ('snapshot', 'delta')),
        trigger text not null check (trigger in ('schedule', 'api', 'cli', 'startup')),
        triggered_by text not null,
        status text not null check (status in ('running', 'succeeded', 'failed')),
        phase text not null default 'reading',
        location text,
        content_sha256 text,
        started_at timestamptz not null default now(),
        finished_at timestamptz,
        rows_read int not null default 0,
        rows_new int not null default 0,
        rows_updated int not null default 0,
        rows_unchanged int not null default 0,
        rows_removed int not null default 0,
        rows_rejected int not null default 0,
        children_new int not null default 0,
        children_changed int not null default 0,
        error_code text,
        error_message text
      )`);
    await q.query(`create index ix_import_run_source on import_run (source_id, started_at desc)`);
    await q.query(`create index ix_import_run_started on import_run (started_at desc, id)`);
    await q.query(`
      create table import_reject (
        id bigint generated always as identity primary key,
        run_id uuid not null references import_run (id),
        source_id text not null,
        row_number int not null,
        source_referral_id text,
        problems jsonb not null,
        raw jsonb,
        cleared_by_run_id uuid references import_run (id),
        cleared_at timestamptz
      )`);
    await q.query(`create index ix_import_reject_run on import_reject (run_id, row_number)`);
    await q.query(`create index ix_import_reject_open on import_reject (source_id, source_referral_id) where cleared_at is null`);
    await q.query(`
      create table child_source_identity (
        child_id uuid not null references child (id),
        source_id text not null,
        given_name text,
        family_name text,
        date_of_birth date not null,
        address_lines jsonb not null default '[]',
        postcode text,
        lsoa_code text,
        locality text,
        deprivation_decile smallint,
        contact_email text,
        contact_phone text,
        preferred_channel text not null default 'letter',
        accessibility jsonb not null default '{}',
        name_key text not null,
        postcode_key text not null,
        name_changed_at timestamptz not null,
        dob_changed_at timestamptz not null,
        address_changed_at timestamptz not null,
        contact_changed_at timestamptz not null,
        last_run_id uuid not null,
        constraint pk_child_source_identity primary key (child_id, source_id)
      )`);
    await q.query(`create index ix_child_source_identity_source on child_source_identity (source_id)`);
    await q.query(`
      create table data_quality_issue (
        id uuid primary key default gen_random_uuid(),
        child_id uuid not null references child (id),
        field text not null check (field in ('name', 'date-of-birth', 'postcode')),
        status text not null check (status in ('open', 'resolved')),
        kept_source_id text not null,
        source_ids text[] not null,
        opened_run_id uuid not null,
        last_run_id uuid not null,
        opened_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        resolved_at timestamptz
      )`);
    await q.query(`create unique index uq_data_quality_issue_open on data_quality_issue (child_id, field) where status = 'open'`);
    await q.query(`create index ix_data_quality_issue_list on data_quality_issue (status, opened_at, id)`);
    await q.query(`alter table referral add column source_row_hash text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table referral drop column source_row_hash`);
    await q.query(`drop table data_quality_issue`);
    await q.query(`drop table child_source_identity`);
    await q.query(`drop table import_reject`);
    await q.query(`drop table import_run`);
  }
}
