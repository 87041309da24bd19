import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Data model v1: catalogue, children with flags, referrals (pathways) and append-only clock events. */
export class CreateWaitingListModel1764000000000 implements MigrationInterface {
  name = 'CreateWaitingListModel1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create extension if not exists pgcrypto`);
    // NHS number Modulus 11 (shared/domain/reference.md §4), enforced by the database as well as the app.
    await q.query(`
      create function is_valid_nhs_number(n text) returns boolean language sql immutable parallel safe as $$
        select n ~ '^[0-9]{10}$' and n !~ '^(.)\\1{9}$' and (
          with s as (select sum(substr(n, i, 1)::int * (11 - i)) as total from generate_series(1, 9) as i),
               c as (select case 11 - (total % 11) when 11 then 0 else 11 - (total % 11) end as check_digit from s)
          select check_digit <> 10 and check_digit = substr(n, 10, 1)::int from c)
      $$`);
    await q.query(`
      create table service (
        code text primary key,
        name text not null,
        public_name text not null,
        target_weeks int not null check (target_weeks > 0),
        measurement_regime text not null check (measurement_regime in ('CONSULTANT_RTT', 'AHP_RTT', 'CYPMH', 'NONE')),
        treatment_function text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    await q.query(`
      create table provider (
        code text primary key,
        name text not null,
        commissioner_code text not null,
        commissioner_name text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    await q.query(`
      create table child (
        id uuid primary key default gen_random_uuid(),
        nhs_number char(10) not null constraint child_nhs_number_valid check (is_valid_nhs_number(nhs_number)),
        pseudonym text not null,
        given_name text,
        family_name text,
        date_of_birth date not null,
        address_lines jsonb not null default '[]',
        postcode text,
        lsoa_code text,
        locality text,
        deprivation_decile smallint check (deprivation_decile between 1 and 10),
        contact_email text,
        contact_phone text,
        preferred_channel text not null default 'letter' check (preferred_channel in ('email', 'sms', 'letter')),
        accessibility jsonb not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint uq_child_nhs_number unique (nhs_number),
        constraint uq_child_pseudonym unique (pseudonym)
      )`);
    await q.query(`create index ix_child_locality on child (locality)`);
    await q.query(`
      create table child_flag (
        id uuid primary key default gen_random_uuid(),
        child_id uuid not null references child (id) on delete cascade,
        code text not null check (code in ('child-in-care', 'ehcp', 'safeguarding-concern', 'not-in-school')),
        detail text,
        source text not null,
        recorded_on date not null,
        ended_on date,
        constraint uq_child_flag unique (child_id, code, source)
      )`);
    await q.query(`
      create table referral (
        id uuid primary key default gen_random_uuid(),
        child_id uuid not null references child (id),
        service_code text not null references service (code),
        provider_code text not null references provider (code),
        source_id text not null,
        source_referral_id text not null,
        received_date date not null,
        priority text not null check (priority in ('routine', 'soon', 'urgent')),
        status text not null check (status in ('waiting', 'active-monitoring', 'treatment-started', 'discharged', 'removed-from-source')),
        clock_start_date date,
        clock_stop_date date,
        clock_stop_reason text,
        removed_from_source_on date,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint uq_referral_source unique (source_id, source_referral_id),
        constraint ck_referral_clock check (clock_stop_date is null or clock_start_date is null or clock_stop_date >= clock_start_date)
      )`);
    await q.query(`create index ix_referral_child on referral (child_id)`);
    await q.query(`create index ix_referral_list on referral (service_code, provider_code, status, received_date, id)`);
    await q.query(`create index ix_referral_status_received on referral (status, received_date, id)`);
    await q.query(`
      create table clock_event (
        id bigint generated always as identity primary key,
        referral_id uuid not null references referral (id),
        event_type text not null,
        event_date date not null,
        rtt_status char(2),
        source text not null,
        import_run_id uuid,
        detail jsonb not null default '{}',
        recorded_at timestamptz not null default now()
      )`);
    await q.query(`create index ix_clock_event_referral on clock_event (referral_id, event_date, id)`);
    // Append-only: history is never rewritten; corrections are new events.
    await q.query(`
      create function refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'P0001';
      end $$`);
    await q.query(`create trigger clock_event_append_only before update or delete on clock_event for each row execute function refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table clock_event`);
    await q.query(`drop function refuse_change`);
    await q.query(`drop table referral`);
    await q.query(`drop table child_flag`);
    await q.query(`drop table child`);
    await q.query(`drop table provider`);
    await q.query(`drop table service`);
    await q.query(`drop function is_valid_nhs_number`);
  }
}
