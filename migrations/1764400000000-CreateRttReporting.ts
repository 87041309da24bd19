import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * RTT reporting: the clock cache (what the clock engine computed from clock_event, versioned by
 * recorded-at so any data cut-off can be reconstructed), the queue of pathways whose events changed,
 * and immutable monthly report snapshots.
 */
export class CreateRttReporting1764400000000 implements MigrationInterface {
  name = 'CreateRttReporting1764400000000';

  async up(q: QueryRunner): Promise<void> {
    // Pathways whose clock must be recomputed. Filled by triggers in the same transaction as the
    // change, so no committed event can be missed (an id watermark could skip late commits).
    await q.query(`create table rtt_clock_dirty (referral_id uuid primary key)`);
    // One row per clock period per knowledge version. known_*_us are recorded_at instants in
    // microseconds since the epoch (exact, unlike a JS Date); known_to_us = max bigint while current.
    await q.query(`
      create table rtt_clock_period (
        referral_id uuid not null,
        service_code text not null,
        provider_code text not null,
        known_from_us bigint not null,
        known_to_us bigint not null default 9223372036854775807,
        seq smallint not null,
        opened_on date not null,
        clock_start date,
        start_rule text not null,
        ended_on date,
        end_kind text check (end_kind in ('stopped', 'nullified', 'removed')),
        stop_rule text,
        admitted boolean not null default false,
        constraint pk_rtt_clock_period primary key (referral_id, known_from_us, seq),
        constraint ck_rtt_clock_period_known check (known_to_us > known_from_us)
      )`);
    await q.query(`create table rtt_clock_meta (key text primary key, value text not null, updated_at timestamptz not null default now())`);
    await q.query(`
      create function rtt_mark_events_dirty() returns trigger language plpgsql as $$
      begin
        insert into rtt_clock_dirty (referral_id) select distinct referral_id from new_rows on conflict do nothing;
        return null;
      end $$`);
    await q.query(`
      create trigger rtt_clock_event_dirty after insert on clock_event
      referencing new table as new_rows for each statement execute function rtt_mark_events_dirty()`);
    await q.query(`
      create function rtt_mark_referral_dirty() returns trigger language plpgsql as $$
      begin
        insert into rtt_clock_dirty (referral_id) values (new.id) on conflict do nothing;
        return null;
      end $$`);
    await q.query(`
      create trigger rtt_referral_dirty after update of service_code, provider_code on referral
      for each row when (old.service_code is distinct from new.service_code or old.provider_code is distinct from new.provider_code)
      execute function rtt_mark_referral_dirty()`);
    await q.query(`insert into rtt_clock_dirty (referral_id) select distinct referral_id from clock_event`);

    await q.query(`
      create table rtt_report_snapshot (
        id uuid primary key default gen_random_uuid(),
        month text not null check (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        version int not null check (version > 0),
        census_date date not null,
        data_cutoff timestamptz not null,
        created_at timestamptz not null default now(),
        created_by text not null,
        trigger text not null check (trigger in ('schedule', 'manual', 'cli')),
        rules_version text not null,
        settings_hash text not null,
        data jsonb not null,
        histograms jsonb not null,
        report jsonb not null,
        changes jsonb,
        previous_id uuid references rtt_report_snapshot (id),
        constraint uq_rtt_report_snapshot_version unique (month, version)
      )`);
    // Published snapshots are immutable: regenerating inserts a new version.
    await q.query(`create trigger rtt_report_snapshot_immutable before update or delete on rtt_report_snapshot for each row execute function refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table rtt_report_snapshot`);
    await q.query(`drop trigger rtt_referral_dirty on referral`);
    await q.query(`drop function rtt_mark_referral_dirty`);
    await q.query(`drop trigger rtt_clock_event_dirty on clock_event`);
    await q.query(`drop function rtt_mark_events_dirty`);
    await q.query(`drop table rtt_clock_meta`);
    await q.query(`drop table rtt_clock_period`);
    await q.query(`drop table rtt_clock_dirty`);
  }
}
