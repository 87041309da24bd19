import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import {
  type CopyStreamQuery,
  type CopyToStreamQuery,
  from as copyFrom,
  to as copyTo,
} from 'pg-copy-streams';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { exactTimeSql, type TimeIdKey } from '../../common/pagination/keyset.js';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, copyBinaryRows } from './copy-binary.js';
import { type ChildRow, parseFacts, type ServiceFacts } from './facts-row.js';
import {
  CHILD_PRIORITY_COLUMNS,
  HISTORY_COLUMNS,
  REFERRAL_PRIORITY_COLUMNS,
  type RunHeader,
} from './score-tables.js';

export type { ChildRow, RunHeader };

// One rescore writes at a time (transaction-scoped advisory lock): "WPRI".
const RESCORE_LOCK = 0x57_50_52_49;

/**
 * Children scored before a full rescore and not by it (they left every list): the live scores'
 * children missing from the idle pair about to replace them. A merge anti join of the two primary
 * keys, read in child order from the keys alone; about 0.1 s at 400,000 children on the test box.
 */
export const LEFT_LISTS_QUERY = `select o.child_id from child_priority o
   where not exists (select 1 from child_priority_idle n where n.child_id = o.child_id)`;

/**
 * The same when the scores were lost (PriorityWriter.scoresLost): the children whose last history
 * entry holds a score (they were on the lists) and who have none now. It reads the whole history's
 * primary key, which only a rescore restoring lost scores does.
 */
export const LEFT_LISTS_SINCE_HISTORY_QUERY = `select h.child_id
    from (select distinct on (child_id) child_id, score from child_priority_history
           order by child_id, id desc) h
   where h.score is not null
     and not exists (select 1 from child_priority_idle n where n.child_id = h.child_id)`;

/** An override a rescore ended because its child waits for no service any more. */
export interface EndedOverride {
  id: string;
  childId: string;
}

/** See PriorityWriter.endOverridesNoLongerWaiting. */
export const END_OVERRIDES_NO_LONGER_WAITING = `with ended as (
     update priority_override o
        set ended_at = now(), ended_reason = 'no-longer-waiting', ended_by = 'system'
      where o.ended_at is null
        and ($1::uuid[] is null or o.child_id = any($1::uuid[]))
        and (o.child_id = any($2::uuid[])
             or not exists (select 1 from referral r where r.child_id = o.child_id and r.status = 'waiting'))
      returning o.id, o.child_id, o.band, o.created_by, o.review_date)
   insert into priority_notice (recipient_subject, child_id, kind, detail)
   select created_by, child_id, 'override-ended',
          jsonb_build_object('overrideId', id, 'band', band, 'reviewDate', to_char(review_date, 'YYYY-MM-DD'),
                             'endedReason', 'no-longer-waiting')
     from ended
   returning detail->>'overrideId' as id, child_id as "childId"`;

export interface RunRow {
  id: string;
  kind: string;
  reason: string;
  toolVersionId: string;
  toolVersion: number;
  asAt: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  childrenScored: number;
  referralsScored: number;
  childrenFlagged: number;
  problems: Record<string, number>;
  detail: Record<string, unknown>;
}

const RUN_COLUMNS = `r.id, r.kind, r.reason, r.tool_version_id as "toolVersionId", v.version as "toolVersion", to_char(r.as_at, 'YYYY-MM-DD') as "asAt",
  r.status, r.started_at as "startedAt", r.finished_at as "finishedAt", r.children_scored as "childrenScored",
  r.referrals_scored as "referralsScored", r.children_flagged as "childrenFlagged", r.problems, r.detail`;

/** A run as listed, with its exact start time for the page's cursor. */
export type RunPageRow = RunRow & { keyAt: string };

/** The SQL of one page of runs (exported for the plan test in rescore.int-spec). */
export function runsPageQuery(
  after: TimeIdKey | undefined,
  limit: number,
): { text: string; values: unknown[] } {
  return {
    text: `select ${RUN_COLUMNS}, ${exactTimeSql('r.started_at')} as "keyAt"
             from priority_run r join prioritisation_tool_version v on v.id = r.tool_version_id
            ${after ? 'where (r.started_at, r.id) < ($2::timestamptz, $3::uuid)' : ''}
            order by r.started_at desc, r.id desc limit $1`,
    values: after ? [limit, after.at, after.id] : [limit],
  };
}

/**
 * The facts every rule can read, derived in SQL for one as-at date: days on the clock, active flags,
 * the latest family check-in, the active override, and the child's current score; the date of birth
 * as it is (the ages are worked out by parseFacts: facts-row.ts). Open referrals only (status
 * 'waiting'). Packed as text to keep a million rows cheap to move: referrals
 * "id,service,provider,priority,days;..." and flags "code:detail|..." (parsed by facts-row.ts, which
 * adds each service's target and number from SERVICE_FACTS_QUERY, read in the same snapshot). COPY
 * takes no parameters: the as-at date and the child ids come as escaped literals. Every column read
 * here is carried by an index read in child order: the referral columns by the index of referrals
 * by child (migration CoverReferralFactsInChildIndex), the child's and its previous score's by the
 * primary keys of `child` and `child_priority` (CoverRescoreFactsInPrimaryKeys). PostgreSQL then
 * neither scans nor sorts those three tables (only the small flag, check-in and override tables): a
 * column added here must be added to its index (a test checks).
 */
/**
 * A flag's detail is free text from the provider: a "|" in it (it separates the child's flags in the
 * facts) is written "\p", and a backslash "\\", so that "part-time|ehcp" cannot read as a second
 * flag (facts-row.ts undoes it).
 */
const FLAG_DETAIL_ESCAPED = `replace(replace(detail, '\\', '\\\\'), '|', '\\p')`;

/**
 * The score a child had before this run, when the scores were lost (see RescoreRepository.scoresLost):
 * the live score if a rescore since has written one, else the child's last history entry (an index
 * probe of the history's primary key, newest first). So a rescore that restores lost scores writes
 * history only for the children whose score or band did change, as any other run does, not a new
 * entry for every child.
 */
const PREVIOUS_SCORE_FROM_HISTORY = `left join lateral (
           select p.score, p.band from child_priority p where p.child_id = c.id
           union all
           (select h.score, h.band from child_priority_history h where h.child_id = c.id order by h.id desc limit 1)
           limit 1) cp on true`;

export function factsQuery(
  asAt: string,
  childIds: string | null,
  range: IdRange,
  previousFromHistory = false,
): string {
  const d = `${asAt}::date`;
  const only = (col: string) =>
    [
      childIds ? ` and ${col} = any(${childIds}::uuid[])` : '',
      range.from ? ` and ${col} >= '${range.from}'` : '',
      range.to ? ` and ${col} < '${range.to}'` : '',
    ].join('');
  return `
    with refs as (
      select r.child_id,
             string_agg(r.id::text || ',' || r.service_code || ',' || r.provider_code || ',' || r.priority || ',' ||
                        coalesce((${d} - r.clock_start_date)::text, ''), ';') as refs
        from referral r
       where r.status = 'waiting'${only('r.child_id')}
       group by r.child_id
    ), flags as (
      select child_id, string_agg(code || coalesce(':' || ${FLAG_DETAIL_ESCAPED}, ''), '|' order by code, detail) as flags
        from child_flag
       where recorded_on <= ${d} and (ended_on is null or ended_on > ${d})${only('child_id')}
       group by child_id
    ), check_ins as (
      select distinct on (child_id) child_id, answer, ${d} - reported_on as days_ago
        from family_check_in
       where reported_on <= ${d}${only('child_id')}
       order by child_id, reported_on desc, created_at desc
    )
    select c.id, c.pseudonym, c.locality, c.deprivation_decile, c.date_of_birth, refs.refs, flags.flags, ci.answer, ci.days_ago, o.band, cp.score, cp.band
      from refs
      join child c on c.id = refs.child_id${only('c.id')}
      left join flags on flags.child_id = c.id
      left join check_ins ci on ci.child_id = c.id
      left join priority_override o on o.child_id = c.id and o.ended_at is null and o.review_date > ${d}
      ${previousFromHistory ? PREVIOUS_SCORE_FROM_HISTORY : `left join child_priority cp on cp.child_id = c.id${only('cp.child_id')}`}`;
}

/** What parseFacts adds to each referral from its service (ServiceFacts). */
const SERVICE_FACTS_QUERY = `select code, target_weeks as "targetWeeks", number from service`;

const NEWLINE = 0x0a;

/**
 * Streams the facts of every child (one consistent snapshot: a single COPY statement) as batches of
 * whole COPY text lines, read only as fast as they are asked for (the socket's back-pressure holds
 * PostgreSQL back). A batch is bytes, not rows: the scoring worker is handed the buffer and parses it
 * itself (facts-row.ts), so this thread neither parses rows nor copies them across.
 */
export class FactsReader implements Facts {
  private readonly chunks: AsyncIterator<Buffer>;
  private parts: Buffer[] = [];
  private size = 0;
  private ended = false;

  constructor(
    private readonly runner: QueryRunner,
    private readonly stream: CopyToStreamQuery,
    private readonly batchBytes: number,
    private readonly asAt: string,
    readonly services: ServiceFacts,
  ) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    // Reading rejects with the COPY's error; this keeps an error that comes after the reader stopped
    // (closing the connection of an unfinished COPY fails it) from going unhandled.
    stream.on('error', () => undefined);
  }

  /** The next batch (at least `batchBytes` of whole lines, unless it is the last), or null at the end. */
  async nextBatch(): Promise<Uint8Array<ArrayBuffer> | null> {
    for (;;) {
      if (this.ended || this.size >= this.batchBytes) {
        const batch = this.takeLines();
        if (batch || this.ended) return batch;
      }
      const chunk = await this.chunks.next();
      if (chunk.done) this.ended = true;
      else if (chunk.value.length) {
        this.parts.push(chunk.value);
        this.size += chunk.value.length;
      }
    }
  }

  /** The next batch parsed here (previews and tests; rescores hand the bytes to their scorer). */
  async next(): Promise<ChildRow[] | null> {
    const batch = await this.nextBatch();
    return batch && parseFacts(batch, this.asAt, this.services);
  }

  /** Everything up to the last newline read so far, in one buffer of its own; the rest is kept. */
  private takeLines(): Uint8Array<ArrayBuffer> | null {
    let k = this.parts.length - 1;
    let cut = -1;
    for (; k >= 0 && cut < 0; k--) cut = this.parts[k].lastIndexOf(NEWLINE);
    k++;
    if (cut < 0) {
      if (this.ended && this.size) throw new Error('the facts ended inside a row');
      return null;
    }
    const rest = this.parts[k].subarray(cut + 1);
    const out = new Uint8Array(this.partsBytes(k) + cut + 1);
    let at = 0;
    for (let i = 0; i < k; i++) {
      out.set(this.parts[i], at);
      at += this.parts[i].length;
    }
    out.set(this.parts[k].subarray(0, cut + 1), at);
    this.parts = [rest, ...this.parts.slice(k + 1)].filter((p) => p.length);
    this.size -= out.length;
    return out;
  }

  /** Bytes in parts[0..n). */
  private partsBytes(n: number): number {
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += this.parts[i].length;
    return bytes;
  }

  /**
   * Commits and returns the connection once the COPY has ended; if it has not (the run failed), the
   * connection is closed instead: PostgreSQL would go on sending rows nobody reads.
   */
  async close(): Promise<void> {
    const runner = this.runner as QueryRunner & {
      releasePostgresConnection(error?: Error): Promise<void>;
    };
    if (!this.ended) {
      this.stream.destroy();
      await runner.releasePostgresConnection(new Error('the rescore stopped reading its facts'));
      return;
    }
    try {
      if (runner.isTransactionActive) await runner.commitTransaction();
    } finally {
      await runner.release();
    }
  }
}

/** A batch source: one FactsReader, or several read in turn (MergedFacts). */
export interface Facts {
  /** Each referral's service facts, read in the facts' snapshot: the scorer parses with them. */
  readonly services: ServiceFacts;
  nextBatch(): Promise<Uint8Array<ArrayBuffer> | null>;
  next(): Promise<ChildRow[] | null>;
  close(): Promise<void>;
}

/** Half-open range of child ids [from, to); null is open-ended. */
export interface IdRange {
  from: string | null;
  to: string | null;
}

/** `parts` equal ranges of uuids by their first 32 bits (child ids are random). */
export function splitIds(parts: number): IdRange[] {
  const bound = (i: number) =>
    `${Math.floor((i * 0x1_0000_0000) / parts)
      .toString(16)
      .padStart(8, '0')}-0000-0000-0000-000000000000`;
  return Array.from({ length: parts }, (_, i) => ({
    from: i === 0 ? null : bound(i),
    to: i === parts - 1 ? null : bound(i + 1),
  }));
}

/**
 * Several readers' batches, one from each in turn (the others' rows meanwhile wait in their sockets),
 * skipping those that have ended. The order of children across batches does not matter to a rescore:
 * the score tables are indexed afterwards.
 */
class MergedFacts implements Facts {
  private turn = 0;

  constructor(
    private readonly readers: FactsReader[],
    private readonly asAt: string,
    readonly services: ServiceFacts,
  ) {}

  async nextBatch(): Promise<Uint8Array<ArrayBuffer> | null> {
    while (this.readers.length) {
      this.turn %= this.readers.length;
      const batch = await this.readers[this.turn].nextBatch();
      if (batch) {
        this.turn++;
        return batch;
      }
      // Ended: its transaction commits and its connection goes back to the pool now.
      await this.readers.splice(this.turn, 1)[0].close();
    }
    return null;
  }

  async next(): Promise<ChildRow[] | null> {
    const batch = await this.nextBatch();
    return batch && parseFacts(batch, this.asAt, this.services);
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.readers.map((r) => r.close()));
    this.readers.length = 0;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

@Injectable()
export class RescoreRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Starts reading the facts of every child with an open referral (or only of `childIds`), in batches
   * of about `batchBytes` (see FactsReader). A full read is split into `parts` ranges of child ids,
   * each a COPY on a connection of its own, all in one snapshot (exported by the first, imported by
   * the others): each query sorts and joins only its share, so the first facts come sooner and the
   * box's cores share that work. Incremental rescores and previews read in one part.
   */
  async openFacts(
    asAt: string,
    childIds: string[] | null,
    batchBytes: number,
    parts = 1,
    previousFromHistory = false,
  ): Promise<Facts> {
    const ranges = splitIds(childIds ? 1 : parts);
    const readers: FactsReader[] = [];
    let services: ServiceFacts | undefined;
    try {
      let snapshot: string | null = null;
      for (const range of ranges) {
        const runner = this.db.createQueryRunner();
        try {
          const client = (await runner.connect()) as PoolClient;
          // One snapshot for the services and every range's facts (exported by the first reader).
          await runner.startTransaction('REPEATABLE READ');
          if (snapshot) {
            await runner.query(`set transaction snapshot ${client.escapeLiteral(snapshot)}`);
          } else if (ranges.length > 1) {
            const rows = (await runner.query(`select pg_export_snapshot() as id`)) as Array<{
              id: string;
            }>;
            snapshot = rows[0].id;
          }
          if (!services) {
            const rows = (await runner.query(SERVICE_FACTS_QUERY)) as Array<{
              code: string;
              targetWeeks: number;
              number: number;
            }>;
            services = new Map(
              rows.map((r) => [r.code, { targetWeeks: r.targetWeeks, number: r.number }]),
            );
          }
          await runner.query(`set local work_mem = '256MB'`);
          // Dates as YYYY-MM-DD whatever the server's default (parseFacts reads the date of birth).
          await runner.query(`set local datestyle = 'ISO'`);
          const sql = factsQuery(
            client.escapeLiteral(asAt),
            childIds && client.escapeLiteral(`{${childIds.join(',')}}`),
            range,
            previousFromHistory,
          );
          const stream = client.query(copyTo(`copy (${sql}) to stdout`));
          readers.push(new FactsReader(runner, stream, batchBytes, asAt, services));
        } catch (error) {
          await runner.release();
          throw error;
        }
      }
    } catch (error) {
      await Promise.allSettled(readers.map((r) => r.close()));
      throw error;
    }
    return readers.length === 1 ? readers[0] : new MergedFacts(readers, asAt, services!);
  }

  /** Runs `fn` in one transaction holding the rescore lock: readers see old scores until it commits. */
  async runInWriteTransaction<T>(fn: (writer: PriorityWriter) => Promise<T>): Promise<T> {
    return this.db.transaction(async (m) => {
      await m.query(`select pg_advisory_xact_lock($1)`, [RESCORE_LOCK]);
      const client = (await m.queryRunner!.connect()) as PoolClient;
      const writer = new PriorityWriter(m, client, this.db);
      try {
        return await fn(writer);
      } finally {
        await writer.abandon();
      }
    });
  }

  async startRun(
    kind: 'full' | 'incremental',
    reason: string,
    toolVersionId: string,
    asAt: string,
  ): Promise<string> {
    const rows: Array<{ id: string }> = await this.db.query(
      `insert into priority_run (kind, reason, tool_version_id, as_at) values ($1, $2, $3, $4) returning id`,
      [kind, reason, toolVersionId, asAt],
    );
    return rows[0].id;
  }

  /** Newest first, ties by id; keyset on (started_at, id), read down ix_priority_run_started. */
  async listRuns(after: TimeIdKey | undefined, limit: number): Promise<RunPageRow[]> {
    const { text, values } = runsPageQuery(after, limit);
    return this.db.query(text, values);
  }

  async findRun(id: string): Promise<RunRow | null> {
    const rows: RunRow[] = await this.db.query(
      `select ${RUN_COLUMNS} from priority_run r join prioritisation_tool_version v on v.id = r.tool_version_id where r.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Whether the scores can be trusted at start-up (catch-up): a full rescore completed for this as-at
   * date, every run started after it completed too, and nothing a rescore reads was recorded after
   * the latest completed run began: no import succeeded, no tool version was activated, no family
   * check-in or clinician override was recorded, no override was withdrawn or expired, and no
   * service changed in the catalogue (a target every wait of the service is measured against,
   * mirrored at start-up). A run that failed, was stopped by a
   * shutdown or was cut off by a crash, or a change whose rescore never ran (each is committed
   * before its rescore starts, and a stopping service refuses that rescore without a run to say so),
   * may have left some children's scores older than their data. (An override a rescore ended,
   * `no-longer-waiting`, ended within that run.) The check-in and override tables are small.
   */
  async scoresCurrent(asAt: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `with last_full as (
         select started_at from priority_run
          where kind = 'full' and status = 'completed' and as_at = $1
          order by started_at desc limit 1),
       last_run as (select max(started_at) as started_at from priority_run where status = 'completed')
       select 1 from last_full f, last_run l
        where not exists (select 1 from priority_run r where r.started_at > f.started_at and r.status <> 'completed')
          and not exists (
            select 1 from import_run i where i.status = 'succeeded' and i.finished_at > l.started_at)
          and not exists (select 1 from family_check_in c where c.created_at > l.started_at)
          and not exists (select 1 from service s where s.updated_at > l.started_at)
          and not exists (
            select 1 from prioritisation_tool_activation a where a.activated_at > l.started_at)
          and not exists (
            select 1 from priority_override o
             where o.created_at > l.started_at
                or (o.ended_at > l.started_at and o.ended_reason in ('withdrawn', 'expired')))`,
      [asAt],
    );
    return rows.length > 0;
  }

  /**
   * Whether children wait and the scores were lost: none at all, or the score tables were emptied by
   * a crash since the last full rescore though an incremental one has scored a few children again
   * (`priority_scores_present`, also UNLOGGED, is empty: migration RememberScoresPresent). Three
   * index probes.
   */
  async scoresLost(): Promise<boolean> {
    const rows: Array<{ lost: boolean }> = await this.db.query(
      `select exists (select 1 from referral where status = 'waiting')
              and (not exists (select 1 from child_priority)
                   or not exists (select 1 from priority_scores_present)) as lost`,
    );
    return rows[0].lost;
  }

  /**
   * Records why a run failed: the error's type, and its code when it is one of ours (never its
   * message, which could carry data).
   */
  async failRun(runId: string, failure: { errorType: string; code?: string }): Promise<void> {
    await this.db.query(
      `update priority_run set status = 'failed', finished_at = clock_timestamp(), detail = detail || $2 where id = $1`,
      [runId, JSON.stringify(failure)],
    );
  }
}

/**
 * Writes one rescore's results inside its transaction (the advisory lock is held).
 *
 * A full rescore never deletes live rows: it fills the idle pair of score tables
 * (`child_priority_idle`, `referral_priority_idle`) and swaps the names with the live pair just before
 * it commits. Each idle table is filled on a connection of its own, in a transaction of its own, side
 * by side: emptied (with any index a failed run left), COPYed into (rows written already frozen: the
 * table was emptied in that transaction and nobody reads it), then indexed in one sorted pass per index
 * and analysed; those transactions commit before the swap. Readers keep seeing the old scores (the old
 * tables) until the rescore commits; the swap holds an exclusive lock on the live tables for a few
 * milliseconds. Only a rescore (holding the advisory lock) touches the idle pair, so a run that fails
 * after filling it leaves nothing visible, and the next full rescore empties it again. The application
 * role has no DDL rights: emptying, indexing and the swap are SECURITY DEFINER functions it may call
 * (migrations DoubleBufferPriorityScores and FillPriorityScoresSideBySide).
 * The history rows of a full rescore go to one COPY kept open on the run's own connection.
 * Incremental rescores delete and re-insert the given children's rows in the live tables.
 */
export class PriorityWriter {
  /** During a full rescore: the connections filling the idle child and referral tables. */
  private idle: { child: IdleTableFiller; referral: IdleTableFiller } | null = null;
  /** During a full rescore: the history COPY kept open on this run's own connection. */
  private history: OpenCopy | null = null;

  constructor(
    readonly manager: EntityManager,
    private readonly client: PoolClient,
    private readonly db: DataSource,
  ) {}

  /** Starts a full rewrite: later COPYs fill the emptied idle tables (which have no indexes). */
  async beginFullRewrite(): Promise<void> {
    const child = new IdleTableFiller(this.db, 'child');
    const referral = new IdleTableFiller(this.db, 'referral');
    this.idle = { child, referral };
    await Promise.all([child.begin(), referral.begin()]);
    this.history = new OpenCopy(
      this.client,
      `copy child_priority_history (${HISTORY_COLUMNS.join(', ')}) from stdin with (format binary)`,
      COPY_BINARY_HEADER,
    );
  }

  /**
   * Indexes and analyses the filled idle tables (each on its own connection, side by side), commits
   * them and swaps them with the live ones. Call after the facts reader is closed. Answers the
   * children who had a score and have none now (they left every list), so their history can end.
   */
  async finishFullRewrite(scoresLost = false): Promise<string[]> {
    if (!this.idle) throw new Error('no full rewrite in progress');
    const { child, referral } = this.idle;
    const history = this.history;
    this.history = null;
    // Once the child scores are built (their key is what the anti join reads), this connection
    // finds the children who left while the referral scores' indexes are still being built.
    const leftLists = Promise.all([child.build(), history?.end(COPY_BINARY_TRAILER)]).then(() =>
      this.childrenLeftLists(scoresLost),
    );
    const [gone] = await Promise.all([leftLists, referral.build()]);
    this.idle = null;
    // Lock the idle pair first: taking a lock makes this backend read the catalogue changes other
    // sessions committed since its transaction began (the fillers' new indexes). Without it a name
    // this connection once looked up while absent can stay cached as absent, and the swap would
    // wrongly refuse an idle pair that is built. Readers never touch the idle pair.
    await this.manager.query(
      `lock table referral_priority_idle, child_priority_idle in access exclusive mode`,
    );
    await this.manager.query(`select priority_scores_swap_built()`);
    return gone;
  }

  /**
   * See LEFT_LISTS_QUERY (LEFT_LISTS_SINCE_HISTORY_QUERY when the scores were lost). Reads the live
   * scores and the history, which only a rescore (holding the lock) writes.
   */
  private async childrenLeftLists(scoresLost: boolean): Promise<string[]> {
    // Serial: with workers PostgreSQL chose a parallel hash anti join of the two keys, 0.5-0.9 s at
    // 400,000 children against about 0.1 s for the merge. Set for the rest of this transaction,
    // which runs no other large query.
    await this.manager.query(`set local max_parallel_workers_per_gather = 0`);
    const rows: Array<{ child_id: string }> = await this.manager.query(
      scoresLost ? LEFT_LISTS_SINCE_HISTORY_QUERY : LEFT_LISTS_QUERY,
    );
    return rows.map((r) => r.child_id);
  }

  /**
   * Whether the score tables were emptied (by a crash) since the last full rescore: see
   * RescoreRepository.scoresLost. Read under the rescore lock, so no other run changes the answer.
   */
  async scoresLost(): Promise<boolean> {
    const rows: Array<{ lost: boolean }> = await this.manager.query(
      `select not exists (select 1 from priority_scores_present) as lost`,
    );
    return rows[0].lost;
  }

  /** After a full rescore: the scores are whole again (see scoresLost). */
  async markScoresPresent(): Promise<void> {
    await this.manager.query(
      `insert into priority_scores_present values (true) on conflict do nothing`,
    );
  }

  /** Rolls back and releases the idle-table connections of an unfinished full rewrite. */
  async abandon(): Promise<void> {
    const history = this.history;
    this.history = null;
    await history?.abort();
    if (!this.idle) return;
    const { child, referral } = this.idle;
    this.idle = null;
    await Promise.all([child.abandon(), referral.abandon()]);
  }

  async clearChildren(childIds: string[]): Promise<void> {
    await this.manager.query(`delete from referral_priority where child_id = any($1::uuid[])`, [
      childIds,
    ]);
    await this.manager.query(`delete from child_priority where child_id = any($1::uuid[])`, [
      childIds,
    ]);
  }

  /**
   * Which of the given children have a score now (to close the history of those who leave every
   * list); when the scores were lost, also those whose last history entry holds one.
   */
  async currentScores(
    childIds: string[],
    scoresLost = false,
  ): Promise<Array<{ child_id: string }>> {
    if (!scoresLost) {
      return this.manager.query(
        `select child_id from child_priority where child_id = any($1::uuid[])`,
        [childIds],
      );
    }
    return this.manager.query(
      `select c.child_id from unnest($1::uuid[]) c (child_id)
        where exists (select 1 from child_priority p where p.child_id = c.child_id)
           or (select h.score from child_priority_history h
                where h.child_id = c.child_id order by h.id desc limit 1) is not null`,
      [childIds],
    );
  }

  /**
   * Ends the open overrides of children who no longer wait for any service (reason
   * `no-longer-waiting`, by the system) and tells each clinician who set one, in one statement:
   * `gone` (those this run found leaving every list) and any other child with an open override and
   * no open referral now, among `childIds` (null: every child). An anti join of the open overrides
   * (their partial unique index: few rows) against the referrals by child (one index probe each).
   */
  async endOverridesNoLongerWaiting(
    childIds: string[] | null,
    gone: string[],
  ): Promise<EndedOverride[]> {
    return this.manager.query(END_OVERRIDES_NO_LONGER_WAITING, [childIds, gone]);
  }

  /** COPYs one batch of prepared rows (see score-rows.ts) into the score and history tables. */
  async copyBatch(children: Uint8Array, referrals: Uint8Array, history: Uint8Array): Promise<void> {
    const writes: Array<Promise<void>> = [];
    // COPYs on this run's own connection go one after another (a pg client runs one query at a
    // time; queueing a second while one is in flight is deprecated and goes in pg 9).
    const own: Array<() => Promise<void>> = [];
    if (children.length) {
      if (this.idle) writes.push(this.idle.child.copy(children));
      else {
        own.push(() =>
          copyRows(this.client, 'child_priority', CHILD_PRIORITY_COLUMNS, children, BINARY),
        );
      }
    }
    if (referrals.length) {
      if (this.idle) writes.push(this.idle.referral.copy(referrals));
      else {
        own.push(() =>
          copyRows(this.client, 'referral_priority', REFERRAL_PRIORITY_COLUMNS, referrals, BINARY),
        );
      }
    }
    if (history.length && this.history) writes.push(this.history.write(copyBinaryRows(history)));
    else if (history.length) own.push(() => this.copyHistory(history));
    writes.push(
      (async () => {
        for (const write of own) await write();
      })(),
    );
    await settleAll(writes);
  }

  /** COPYs history rows (a binary COPY document, see score-rows.ts). */
  copyHistory(rows: Uint8Array): Promise<void> {
    if (!rows.length) return Promise.resolve();
    return copyRows(this.client, 'child_priority_history', HISTORY_COLUMNS, rows, BINARY);
  }

  /** Records the tool version a run scores with, when it is not the one it started with. */
  async setRunTool(runId: string, toolVersionId: string): Promise<void> {
    await this.manager.query(`update priority_run set tool_version_id = $2 where id = $1`, [
      runId,
      toolVersionId,
    ]);
  }

  async finishRun(
    runId: string,
    report: {
      children: number;
      referrals: number;
      flagged: number;
      problems: Record<string, number>;
      detail: Record<string, unknown>;
    },
  ): Promise<void> {
    await this.manager.query(
      `update priority_run set status = 'completed', finished_at = clock_timestamp(), children_scored = $2, referrals_scored = $3,
              children_flagged = $4, problems = $5, detail = $6 where id = $1`,
      [
        runId,
        report.children,
        report.referrals,
        report.flagged,
        JSON.stringify(report.problems),
        JSON.stringify(report.detail),
      ],
    );
  }
}

/**
 * One COPY ... FROM STDIN kept open while a run appends to it: one statement for the whole run, and
 * the caller waits only while PostgreSQL is behind (back-pressure), not for each batch to finish.
 */
class OpenCopy {
  private readonly stream: CopyStreamQuery;
  /** The first failure of the COPY (rethrown by the next write or by end). */
  private failure: Error | null = null;
  private closed = false;

  constructor(client: PoolClient, sql: string, start?: Uint8Array) {
    this.stream = client.query(copyFrom(sql));
    this.stream.on('error', (error) => (this.failure ??= error));
    if (start) this.stream.write(start);
  }

  async write(data: Uint8Array | string): Promise<void> {
    this.throwIfFailed();
    if (this.closed) throw new Error('the COPY is closed');
    if (data.length === 0) return;
    // `once` rejects if the COPY fails while waiting.
    if (!this.stream.write(data)) await once(this.stream, 'drain');
  }

  /** Ends the COPY (after `last`) and waits for PostgreSQL to accept it. */
  async end(last?: Uint8Array): Promise<void> {
    this.throwIfFailed();
    this.closed = true;
    if (last) this.stream.end(last);
    else this.stream.end();
    await finished(this.stream);
  }

  /** Makes PostgreSQL abort the COPY (CopyFail); the transaction must then roll back. */
  async abort(): Promise<void> {
    if (this.closed || this.stream.destroyed) return;
    this.closed = true;
    this.stream.destroy(new Error('rescore abandoned'));
    await finished(this.stream).catch(() => undefined);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

/**
 * One idle score table filled on a connection of its own (see PriorityWriter): emptied and written by
 * one binary COPY kept open for the whole run (each batch's rows appended) in one transaction, then
 * indexed and analysed in a second.
 */
class IdleTableFiller {
  private runner: QueryRunner | null = null;
  private copying: OpenCopy | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly which: 'child' | 'referral',
  ) {}

  async begin(): Promise<void> {
    this.runner = this.db.createQueryRunner();
    const client = (await this.runner.connect()) as PoolClient;
    await this.runner.startTransaction();
    await this.runner.query(`select priority_idle_reset($1)`, [this.which]);
    const [table, columns] =
      this.which === 'child'
        ? (['child_priority_idle', CHILD_PRIORITY_COLUMNS] as const)
        : (['referral_priority_idle', REFERRAL_PRIORITY_COLUMNS] as const);
    this.copying = new OpenCopy(
      client,
      `copy ${table} (${columns.join(', ')}) from stdin with (format binary, freeze)`,
      COPY_BINARY_HEADER,
    );
  }

  /** Appends one batch (a whole binary COPY document from score-rows.ts) to the open COPY. */
  copy(data: Uint8Array): Promise<void> {
    if (!this.copying) return Promise.reject(new Error('the idle table is not open'));
    return this.copying.write(copyBinaryRows(data));
  }

  async build(): Promise<void> {
    const copying = this.copying;
    this.copying = null;
    if (!copying) throw new Error('the idle table is not open');
    await copying.end(COPY_BINARY_TRAILER);
    // The rows are committed before the table is analysed: analysed in the transaction that wrote
    // them, they would count as changed since that analyse once it commits, and autovacuum would
    // analyse both score tables again seconds after every full rescore (0.4 s of CPU at 1,000,000
    // referrals). Nobody reads an idle table, and the next full rescore empties one a failed run left.
    await this.runner!.commitTransaction();
    await this.runner!.startTransaction();
    await this.runner!.query(`select priority_idle_build($1)`, [this.which]);
    await this.runner!.commitTransaction();
    await this.release();
  }

  async abandon(): Promise<void> {
    const copying = this.copying;
    this.copying = null;
    try {
      await copying?.abort();
      if (this.runner?.isTransactionActive) await this.runner.rollbackTransaction();
    } finally {
      await this.release();
    }
  }

  private async release(): Promise<void> {
    const runner = this.runner;
    this.runner = null;
    if (runner && !runner.isReleased) await runner.release();
  }
}

const BINARY = ' with (format binary)';

/** COPYs rows (binary format, copy-binary.ts) into a table. */
async function copyRows(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  data: Uint8Array,
  options: string,
): Promise<void> {
  const stream = client.query(
    copyFrom(`copy ${table} (${columns.join(', ')}) from stdin${options}`),
  );
  const CHUNK = 1 << 20;
  for (let i = 0; i < data.length; i += CHUNK) {
    const chunk = Buffer.from(data.buffer, data.byteOffset + i, Math.min(CHUNK, data.length - i));
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  stream.end();
  await finished(stream);
}

/** Waits for every write, then rethrows the first failure (none is left unhandled). */
async function settleAll(writes: Array<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(writes);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
