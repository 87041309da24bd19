import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { DERIVED_EVENT_TYPES } from '../referrals/pathway-facts.js';
import { STAGING_COLUMNS } from './pipeline/staged-row.js';

/** Advisory lock namespace for "one pull of a source at a time" (first key of the two-key form). */
const SOURCE_LOCK_NS = 4_242_001;
/** Applies are serialised across sources so two lists naming the same new child cannot race. */
const APPLY_LOCK_NS = 4_242_002;

/** The clock event `ce` has not been taken back by a `retracted` event recorded after it (R17). */
const STANDING = `not exists (select 1 from clock_event r
                    where r.referral_id = ce.referral_id and r.event_type = 'retracted'
                      and r.event_date = ce.event_date and r.detail->>'retracts' = ce.event_type
                      and r.id > ce.id)`;

export interface ApplyParams {
  runId: string;
  sourceId: string;
  serviceCode: string;
  providerCode: string;
  snapshot: boolean;
  today: string;
  /** Snapshot only: referral ids that were on the list before this pull and are not in it. */
  missingReferralIds: string[];
}

/** A source's referrals on its list and what each was last imported from, position by position. */
export interface StoredFingerprints {
  ids: string[];
  /** The stored row fingerprint (mapping/fingerprint.ts), -1 when there is none. */
  fingerprints: number[];
}

export interface ReferralCounts {
  rowsNew: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsRemoved: number;
  childrenNew: number;
  /** Children whose referrals were added, changed, removed or moved, or whose flags changed. */
  childIds: string[];
}

/**
 * One pull's own database connection: holds the source's advisory lock for the whole run, owns the
 * temporary staging table the rows are COPYed into, and applies it in one transaction.
 */
export class StagingSession {
  private copyStream: ReturnType<typeof copyFrom> | undefined;
  private buffer = '';
  private copyError: Error | undefined;

  constructor(
    private readonly runner: QueryRunner,
    private readonly client: PoolClient,
    private readonly sourceId: string,
  ) {}

  async createStagingTable(): Promise<void> {
    await this.runner.query(`drop table if exists ingest_stage`);
    await this.runner.query(`
      create temp table ingest_stage (
        row_no int not null, nhs char(10) not null, pseudonym text not null, given_name text, family_name text,
        dob date not null, address_lines jsonb not null, postcode text, lsoa_code text, locality text, decile smallint,
        email text, phone text, channel text not null, accessibility jsonb not null, flags jsonb not null,
        name_key text not null, postcode_key text not null, ref_id text not null, received date not null,
        priority text not null, status text not null, clock_start date, clock_stop date, stop_reason text,
        ev_types text[] not null, ev_dates date[] not null, ev_rtt text[] not null, row_fingerprint bigint not null
      )`);
    this.copyStream = this.client.query(
      copyFrom(`copy ingest_stage (${STAGING_COLUMNS.join(', ')}) from stdin`),
    );
    // Without a listener an error from PostgreSQL would be thrown as an uncaught exception.
    this.copyStream.on('error', (e) => (this.copyError = e));
  }

  /**
   * Buffers a COPY text line and sends ~256 KB messages. Answers true when PostgreSQL is behind:
   * the caller then awaits drain() before writing more (no promise per row).
   */
  write(line: string): boolean {
    this.buffer += line;
    if (this.buffer.length < 256 * 1024) return false;
    if (this.copyError) throw this.copyError;
    const chunk = this.buffer;
    this.buffer = '';
    return !this.copyStream!.write(chunk);
  }

  /** Waits until the COPY stream takes more; rejects if it fails meanwhile, so a failed COPY cannot hang the pull. */
  async drain(): Promise<void> {
    await once(this.copyStream!, 'drain');
  }

  async finishCopy(): Promise<void> {
    const stream = this.copyStream!;
    if (this.copyError) throw this.copyError;
    if (this.buffer) stream.write(this.buffer);
    this.buffer = '';
    stream.end();
    await finished(stream);
    // Statistics on the join keys only: the JSON and array columns make a full ANALYZE slow.
    await this.runner.query(`analyze ingest_stage (nhs, ref_id, row_no)`);
  }

  /** Runs `fn` in one transaction on this connection, after taking the cross-source apply lock. */
  async inTransaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    await this.runner.startTransaction();
    try {
      await this.runner.query(`select pg_advisory_xact_lock($1, 0)`, [APPLY_LOCK_NS]);
      // Room in memory for the apply's sorts and hash joins over a whole list (250,000 rows).
      await this.runner.query(`set local work_mem = '128MB'`);
      const result = await fn(this.runner.manager);
      await this.runner.commitTransaction();
      return result;
    } catch (error) {
      if (this.runner.isTransactionActive) await this.runner.rollbackTransaction();
      throw error;
    }
  }

  /** Upserts referrals and appends clock events for new facts; in a snapshot, marks missing referrals removed. */
  async applyReferrals(m: EntityManager, p: ApplyParams): Promise<ReferralCounts> {
    // Children: one row per NHS number (the last row of the file wins within one source).
    await m.query(`
      create temp table ingest_child on commit drop as
      select coalesce(c.id, gen_random_uuid()) as child_id, (c.id is null) as is_new, s.*
        from (select distinct on (nhs) nhs, pseudonym, given_name, family_name, dob, address_lines, postcode, lsoa_code,
                     locality, decile, email, phone, channel, accessibility, flags, name_key, postcode_key
                from ingest_stage order by nhs, row_no desc) s
        left join child c on c.nhs_number = s.nhs`);
    const newChildren: unknown[] = await m.query(`
      insert into child (id, nhs_number, pseudonym, given_name, family_name, date_of_birth, address_lines, postcode, lsoa_code,
                         locality, deprivation_decile, contact_email, contact_phone, preferred_channel, accessibility)
      select child_id, nhs, pseudonym, given_name, family_name, dob, address_lines, postcode, lsoa_code, locality, decile,
             email, phone, channel, accessibility
        from ingest_child where is_new
      returning id`);
    await m.query(`analyze ingest_child (nhs, child_id)`);

    await m.query(
      `
      create temp table ingest_ref on commit drop as
      select s.row_no, ic.child_id, coalesce(r.id, gen_random_uuid()) as referral_id, r.priority as old_priority,
             r.status as old_status, r.child_id as old_child_id,
             case when r.id is null then 'new'
                  when r.source_row_fingerprint = s.row_fingerprint and r.status <> 'removed-from-source' and r.child_id = ic.child_id then 'unchanged'
                  else 'updated' end as outcome
        from ingest_stage s
        join ingest_child ic on ic.nhs = s.nhs
        left join referral r on r.source_id = $1 and r.source_referral_id = s.ref_id`,
      [p.sourceId],
    );
    await m.query(
      `
      insert into referral (id, child_id, service_code, provider_code, source_id, source_referral_id, received_date, priority,
                            status, clock_start_date, clock_stop_date, clock_stop_reason, source_row_fingerprint)
      select k.referral_id, k.child_id, $1, $2, $3, s.ref_id, s.received, s.priority, s.status, s.clock_start, s.clock_stop,
             s.stop_reason, s.row_fingerprint
        from ingest_ref k join ingest_stage s using (row_no) where k.outcome = 'new'`,
      [p.serviceCode, p.providerCode, p.sourceId],
    );
    await m.query(`
      update referral r
         set child_id = k.child_id, received_date = s.received, priority = s.priority, status = s.status,
             clock_start_date = s.clock_start, clock_stop_date = s.clock_stop, clock_stop_reason = s.stop_reason,
             source_row_fingerprint = s.row_fingerprint, removed_from_source_on = null, updated_at = now()
        from ingest_ref k join ingest_stage s using (row_no)
       where k.outcome = 'updated' and r.id = k.referral_id`);
    // What an updated row no longer says (a corrected referral date, first appointment, treatment or
    // discharge) is taken back: a `retracted` event for each earlier derived event of the pathway,
    // still standing, that the row does not derive now (RTT clock rule R17). The history keeps both.
    await m.query(
      `
      insert into clock_event (referral_id, event_type, event_date, rtt_status, source, import_run_id, detail)
      select distinct ce.referral_id, 'retracted', ce.event_date, null::text, $1::text, $2::uuid,
             jsonb_build_object('retracts', ce.event_type)
        from ingest_ref k join ingest_stage s using (row_no)
        join clock_event ce on ce.referral_id = k.referral_id
       where k.outcome = 'updated'
         and ce.event_type = any($3::text[])
         and not exists (select 1 from unnest(s.ev_types, s.ev_dates) e(t, d)
                          where e.t = ce.event_type and e.d = ce.event_date)
         and ${STANDING}`,
      [p.sourceId, p.runId, DERIVED_EVENT_TYPES],
    );
    // Append only what is new: an event already recorded for the pathway (same type and date, and not
    // taken back since) is never written twice.
    await m.query(
      `
      insert into clock_event (referral_id, event_type, event_date, rtt_status, source, import_run_id)
      select k.referral_id, e.t, e.d, e.rtt, $1, $2
        from ingest_ref k join ingest_stage s using (row_no)
       cross join lateral unnest(s.ev_types, s.ev_dates, s.ev_rtt) with ordinality as e(t, d, rtt, n)
       where k.outcome = 'new'
          or (k.outcome = 'updated' and not exists (
                select 1 from clock_event ce
                 where ce.referral_id = k.referral_id and ce.event_type = e.t and ce.event_date = e.d
                   and ${STANDING}))
       order by k.row_no, e.n`,
      [p.sourceId, p.runId],
    );
    await m.query(
      `
      insert into clock_event (referral_id, event_type, event_date, rtt_status, source, import_run_id, detail)
      select k.referral_id, 'priority-changed', $3::date, null, $1::text, $2::uuid, jsonb_build_object('from', k.old_priority, 'to', s.priority)
        from ingest_ref k join ingest_stage s using (row_no)
       where k.outcome = 'updated' and k.old_priority <> s.priority
      union all
      select k.referral_id, 'restored-to-source', $3::date, null, $1::text, $2::uuid, '{}'::jsonb
        from ingest_ref k where k.outcome = 'updated' and k.old_status = 'removed-from-source'`,
      [p.sourceId, p.runId, p.today],
    );
    let removed: Array<{ child_id: string }> = [];
    if (p.snapshot && p.missingReferralIds.length > 0) {
      // Missing from a full list: kept for validation, never deleted. (A rejected row is still on the
      // provider's list, just malformed, so the reader does not count its referral as missing.)
      removed = await m.query(
        `
        with gone as (
          update referral r set status = 'removed-from-source', removed_from_source_on = $3::date, updated_at = now()
           where r.source_id = $1 and r.source_referral_id = any($4::text[]) and r.status <> 'removed-from-source'
          returning r.id, r.child_id),
        ev as (
          insert into clock_event (referral_id, event_type, event_date, rtt_status, source, import_run_id)
          select id, 'removed-from-source', $3::date, null, $1::text, $2::uuid from gone)
        select child_id from gone`,
        [p.sourceId, p.runId, p.today, p.missingReferralIds],
      );
    }
    const flagged = await this.applyFlags(m, p);
    const counts: Array<{ outcome: string; n: number }> = await m.query(
      `select outcome, count(*)::int as n from ingest_ref group by outcome`,
    );
    // A referral that moves to another child (its NHS number corrected) changes the child it
    // leaves too: that child's scores must lose it, or the referral stays on its list twice.
    const changed: Array<{ child_id: string }> = await m.query(
      `select child_id from ingest_ref where outcome <> 'unchanged'
       union
       select old_child_id from ingest_ref where outcome = 'updated' and old_child_id <> child_id`,
    );
    const n = (o: string) => counts.find((c) => c.outcome === o)?.n ?? 0;
    return {
      rowsNew: n('new'),
      rowsUpdated: n('updated'),
      rowsUnchanged: n('unchanged'),
      rowsRemoved: removed.length,
      childrenNew: newChildren.length,
      childIds: [...new Set([...changed, ...removed, ...flagged].map((r) => r.child_id))],
    };
  }

  /** Flags this source lists (child in care, EHCP, safeguarding, not in school); ends the ones it no longer lists. */
  private async applyFlags(m: EntityManager, p: ApplyParams): Promise<Array<{ child_id: string }>> {
    const upserted: Array<{ child_id: string }> = await m.query(
      `
      insert into child_flag (child_id, code, detail, source, recorded_on)
      select ic.child_id, f.code, f.detail, $1, f."recordedOn"
        from ingest_child ic cross join lateral jsonb_to_recordset(ic.flags) as f(code text, detail text, "recordedOn" date)
       where ic.flags <> '[]'::jsonb -- most children have no flags: no function call for them
      on conflict (child_id, code, source) do update
         set detail = excluded.detail, recorded_on = excluded.recorded_on, ended_on = null
       where (child_flag.detail, child_flag.recorded_on, child_flag.ended_on) is distinct from (excluded.detail, excluded.recorded_on, null)
      returning child_id`,
      [p.sourceId],
    );
    const ended = returned<{ child_id: string }>(
      await m.query(
        `
      update child_flag cf set ended_on = $2::date
        from ingest_child ic
       where cf.child_id = ic.child_id and cf.source = $1 and cf.ended_on is null
         and not exists (select 1 from jsonb_array_elements(ic.flags) e where e->>'code' = cf.code)
      returning cf.child_id`,
        [p.sourceId, p.today],
      ),
    );
    // A referral whose NHS number was corrected moved to another child. The flags this source
    // recorded with it were recorded on the wrong child: they end on the child it left, unless the
    // source still lists that child (in this file, or, for a delta, with a referral still listed).
    // Only the children this pull moved referrals away from are looked at (ix_referral_child).
    const movedAway = returned<{ child_id: string }>(
      await m.query(
        `
      update child_flag cf set ended_on = $2::date
        from (select distinct old_child_id as child_id from ingest_ref
               where outcome = 'updated' and old_child_id <> child_id) moved
       where cf.child_id = moved.child_id and cf.source = $1 and cf.ended_on is null
         and not exists (select 1 from ingest_child ic where ic.child_id = moved.child_id)
         and not exists (select 1 from referral r
                          where r.child_id = moved.child_id and r.source_id = $1 and r.status <> 'removed-from-source')
      returning cf.child_id`,
        [p.sourceId, p.today],
      ),
    );
    return [...upserted, ...ended, ...movedAway];
  }

  /** Earlier rejects are cleared by a successful pull: all of them for a snapshot, the same referral ids for a delta. */
  async clearEarlierRejects(m: EntityManager, p: ApplyParams): Promise<number> {
    const rows = returned<unknown>(
      await m.query(
        `update import_reject j set cleared_by_run_id = $2, cleared_at = now(), raw = null
        where j.source_id = $1 and j.run_id <> $2 and j.cleared_at is null
          and ($3 or exists (select 1 from ingest_stage s where s.ref_id = j.source_referral_id)
                  or exists (select 1 from import_reject n where n.run_id = $2 and n.source_referral_id = j.source_referral_id))
        returning j.id`,
        [p.sourceId, p.runId, p.snapshot],
      ),
    );
    return rows.length;
  }

  async finishRun(
    m: EntityManager,
    runId: string,
    c: {
      rowsRead: number;
      rowsRejected: number;
      contentSha256: string | null;
      location: string | null;
    } & Omit<ReferralCounts, 'childIds'> & { childrenChanged: number },
  ): Promise<void> {
    await m.query(
      `update import_run set status = 'succeeded', phase = 'done', finished_at = now(), rows_read = $2, rows_new = $3,
              rows_updated = $4, rows_unchanged = $5, rows_removed = $6, rows_rejected = $7, children_new = $8,
              children_changed = $9, content_sha256 = $10, location = coalesce($11, location)
        where id = $1`,
      [
        runId,
        c.rowsRead,
        c.rowsNew,
        c.rowsUpdated,
        c.rowsUnchanged,
        c.rowsRemoved,
        c.rowsRejected,
        c.childrenNew,
        c.childrenChanged,
        c.contentSha256,
        c.location,
      ],
    );
  }

  /** Ends the COPY if it is still open, drops the staging table, releases the lock and the connection. */
  async close(): Promise<void> {
    try {
      if (this.copyStream && !this.copyStream.writableFinished) {
        this.copyStream.destroy(new Error('pull abandoned'));
        await finished(this.copyStream).catch(() => undefined);
      }
      if (this.runner.isTransactionActive) await this.runner.rollbackTransaction();
      await this.runner.query(`drop table if exists ingest_stage`);
      await this.runner.query(`select pg_advisory_unlock($1, hashtext($2))`, [
        SOURCE_LOCK_NS,
        this.sourceId,
      ]);
    } catch {
      // A broken connection drops its temp table and session locks with it.
    } finally {
      await this.runner.release();
    }
  }
}

/** TypeORM answers UPDATE/DELETE ... RETURNING with [rows, affected]; other statements with rows. */
function returned<T>(result: unknown): T[] {
  return Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
    ? (result[0] as T[])
    : (result as T[]);
}

@Injectable()
export class StagingRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The source's referrals still on its list, each with the fingerprint of the row it was last
   * imported from (-1 when it has none: it is re-derived by the next pull), in the same order.
   */
  async knownFingerprints(sourceId: string): Promise<StoredFingerprints> {
    // Two flat JSON arrays, each parsed in one go, rather than a row object per referral from the
    // driver. Both aggregates read the same rows in the same order.
    const rows: Array<{ ids: string; fingerprints: string }> = await this.db.query(
      `select coalesce(json_agg(source_referral_id), '[]')::text as ids,
              coalesce(json_agg(coalesce(source_row_fingerprint, -1)), '[]')::text as fingerprints
         from referral where source_id = $1 and status <> 'removed-from-source'`,
      [sourceId],
    );
    return {
      ids: JSON.parse(rows[0].ids) as string[],
      fingerprints: JSON.parse(rows[0].fingerprints) as number[],
    };
  }

  /** A session holding the source's lock, or null when another pull of the source holds it (any instance). */
  async open(sourceId: string): Promise<StagingSession | null> {
    const runner = this.db.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      const rows = (await runner.query(`select pg_try_advisory_lock($1, hashtext($2)) as locked`, [
        SOURCE_LOCK_NS,
        sourceId,
      ])) as Array<{ locked: boolean }>;
      const locked = rows[0].locked;
      if (!locked) {
        await runner.release();
        return null;
      }
    } catch (error) {
      await runner.release();
      throw error;
    }
    return new StagingSession(runner, client, sourceId);
  }
}
