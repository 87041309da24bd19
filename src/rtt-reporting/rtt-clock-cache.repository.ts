import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export interface PathwayEventRow {
  referralId: string;
  seq: number;
  type: string;
  date: string;
  admitted: boolean;
  /** A `retracted` event's retracted type (R17); undefined for every other event. */
  retracts?: string;
  /** recorded_at in µs since the epoch, zero-padded to sort as text. */
  recordedKey: string;
}

export interface PathwayRow {
  id: string;
  serviceCode: string;
  providerCode: string;
}

export interface ClockPeriodRow {
  referralId: string;
  serviceCode: string;
  providerCode: string;
  knownFromUs: string;
  knownToUs: string | null;
  seq: number;
  openedOn: string;
  clockStart: string | null;
  startRule: string;
  endedOn: string | null;
  endKind: string | null;
  stopRule: string | null;
  admitted: boolean;
}

// One refresher at a time (transaction-scoped advisory lock).
const CLOCK_CACHE_LOCK = 0x52_54_54_43; // "RTTC"

/** The clock cache tables: the dirty queue, clock events in, clock periods out. */
@Injectable()
export class RttClockCacheRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async dirtyCount(): Promise<number> {
    const rows: Array<{ n: string }> = await this.db.query(
      `select count(*) as n from rtt_clock_dirty`,
    );
    return Number(rows[0].n);
  }

  async settingsHash(): Promise<string | null> {
    const rows: Array<{ value: string }> = await this.db.query(
      `select value from rtt_clock_meta where key = 'settings-hash'`,
    );
    return rows[0]?.value ?? null;
  }

  /** Records new clock settings and queues every pathway for recomputation, atomically. */
  async resetForSettings(hash: string): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(
        `insert into rtt_clock_dirty (referral_id) select distinct referral_id from clock_event on conflict do nothing`,
      );
      await m.query(
        `insert into rtt_clock_meta (key, value) values ('settings-hash', $1)
         on conflict (key) do update set value = excluded.value, updated_at = now()`,
        [hash],
      );
    });
  }

  /**
   * Runs `work` on up to `limit` queued pathways in one transaction; the queue rows are removed in
   * the same transaction, so a failure leaves them queued. Returns how many were claimed.
   */
  async withDirtyBatch(
    limit: number,
    work: (m: EntityManager, referralIds: string[]) => Promise<void>,
  ): Promise<number> {
    return this.db.transaction(async (m) => {
      await m.query(`select pg_advisory_xact_lock($1)`, [CLOCK_CACHE_LOCK]);
      const rows: Array<{ referral_id: string }> = await m.query(
        `with claimed as (
           delete from rtt_clock_dirty where referral_id in (select referral_id from rtt_clock_dirty limit $1 for update skip locked)
           returning referral_id)
         select referral_id from claimed`,
        [limit],
      );
      if (rows.length === 0) return 0;
      await work(
        m,
        rows.map((r) => r.referral_id),
      );
      return rows.length;
    });
  }

  async pathways(m: EntityManager, ids: string[]): Promise<PathwayRow[]> {
    return m.query(
      `select id, service_code as "serviceCode", provider_code as "providerCode" from referral where id = any($1::uuid[])`,
      [ids],
    );
  }

  /** Every clock event of these pathways, in fold order, with recorded_at as exact microseconds. */
  async events(m: EntityManager, ids: string[]): Promise<PathwayEventRow[]> {
    const rows: Array<{
      r: string;
      s: string;
      t: string;
      d: string;
      a: boolean;
      x: string | null;
      k: string;
    }> = await m.query(
      `select referral_id as r, id::text as s, event_type as t, to_char(event_date, 'YYYY-MM-DD') as d,
              coalesce((detail->>'admitted')::boolean, false) as a, detail->>'retracts' as x,
              lpad(((extract(epoch from recorded_at) * 1000000)::bigint)::text, 20, '0') as k
         from clock_event where referral_id = any($1::uuid[])
        order by referral_id, event_date, id`,
      [ids],
    );
    return rows.map((x) => ({
      referralId: x.r,
      seq: Number(x.s),
      type: x.t,
      date: x.d,
      admitted: x.a,
      ...(x.x === null ? {} : { retracts: x.x }),
      recordedKey: x.k,
    }));
  }

  async replacePeriods(m: EntityManager, ids: string[], rows: ClockPeriodRow[]): Promise<void> {
    await m.query(`delete from rtt_clock_period where referral_id = any($1::uuid[])`, [ids]);
    const chunk = 20_000;
    for (let i = 0; i < rows.length; i += chunk) {
      const part = rows.slice(i, i + chunk);
      await m.query(
        `insert into rtt_clock_period (referral_id, service_code, provider_code, known_from_us, known_to_us, seq, opened_on,
                                       clock_start, start_rule, ended_on, end_kind, stop_rule, admitted)
         select r, s, p, kf, coalesce(kt, 9223372036854775807), q, o, c, sr, e, ek, st, a
           from unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::smallint[], $7::date[], $8::date[],
                       $9::text[], $10::date[], $11::text[], $12::text[], $13::boolean[])
                as t(r, s, p, kf, kt, q, o, c, sr, e, ek, st, a)`,
        [
          part.map((x) => x.referralId),
          part.map((x) => x.serviceCode),
          part.map((x) => x.providerCode),
          part.map((x) => x.knownFromUs),
          part.map((x) => x.knownToUs),
          part.map((x) => x.seq),
          part.map((x) => x.openedOn),
          part.map((x) => x.clockStart),
          part.map((x) => x.startRule),
          part.map((x) => x.endedOn),
          part.map((x) => x.endKind),
          part.map((x) => x.stopRule),
          part.map((x) => x.admitted),
        ],
      );
    }
  }
}
