import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { exactTimeSql } from '../common/pagination/keyset.js';

export type RunStatus = 'running' | 'succeeded' | 'failed';
export type RunTrigger = 'schedule' | 'api' | 'cli' | 'startup';

export interface RunCounts {
  rowsRead: number;
  rowsNew: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsRemoved: number;
  rowsRejected: number;
  childrenNew: number;
  childrenChanged: number;
}

export interface RunRow extends RunCounts {
  id: string;
  sourceId: string;
  sourceKind: string;
  mode: string;
  trigger: RunTrigger;
  triggeredBy: string;
  status: RunStatus;
  phase: string;
  location: string | null;
  contentSha256: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface RejectRow {
  id: string;
  rowNumber: number;
  sourceReferralId: string | null;
  problems: Array<{ field: string; message: string }>;
  raw: Record<string, unknown> | null;
  clearedByRunId: string | null;
  clearedAt: Date | null;
}

export interface NewReject {
  rowNumber: number;
  sourceReferralId: string | null;
  problems: Array<{ field: string; message: string }>;
  raw: Record<string, unknown>;
}

const RUN_COLUMNS = `id, source_id as "sourceId", source_kind as "sourceKind", mode, trigger, triggered_by as "triggeredBy", status, phase,
  location, content_sha256 as "contentSha256", started_at as "startedAt", finished_at as "finishedAt",
  rows_read as "rowsRead", rows_new as "rowsNew", rows_updated as "rowsUpdated", rows_unchanged as "rowsUnchanged",
  rows_removed as "rowsRemoved", rows_rejected as "rowsRejected", children_new as "childrenNew",
  children_changed as "childrenChanged", error_code as "errorCode", error_message as "errorMessage"`;

/** TypeORM answers UPDATE/DELETE ... RETURNING with [rows, affected]; other statements with rows. */
function returned<T>(result: unknown): T[] {
  return Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
    ? (result[0] as T[])
    : (result as T[]);
}

/** Import runs and their rejected rows (the run record lives outside the apply transaction). */
@Injectable()
export class ImportRunRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(r: {
    sourceId: string;
    sourceKind: string;
    mode: string;
    trigger: RunTrigger;
    triggeredBy: string;
  }): Promise<RunRow> {
    const rows: RunRow[] = await this.db.query(
      `insert into import_run (source_id, source_kind, mode, trigger, triggered_by, status)
       values ($1, $2, $3, $4, $5, 'running') returning ${RUN_COLUMNS}`,
      [r.sourceId, r.sourceKind, r.mode, r.trigger, r.triggeredBy],
    );
    return rows[0];
  }

  /** Runs still "running" for a source whose lock we now hold were cut short (crash or restart). */
  async failInterrupted(sourceId: string, code: string, message: string): Promise<number> {
    const rows = returned<unknown>(
      await this.db.query(
        `update import_run set status = 'failed', finished_at = now(), error_code = $2, error_message = $3
        where source_id = $1 and status = 'running' returning id`,
        [sourceId, code, message],
      ),
    );
    return rows.length;
  }

  async progress(
    id: string,
    p: { phase: string; rowsRead: number; rowsRejected: number; location?: string },
  ): Promise<void> {
    await this.db.query(
      `update import_run set phase = $2, rows_read = $3, rows_rejected = $4, location = coalesce($5, location) where id = $1 and status = 'running'`,
      [id, p.phase, p.rowsRead, p.rowsRejected, p.location ?? null],
    );
  }

  async fail(
    id: string,
    p: {
      rowsRead: number;
      rowsRejected: number;
      code: string;
      message: string;
      contentSha256?: string;
    },
  ): Promise<void> {
    await this.db.query(
      `update import_run set status = 'failed', phase = 'failed', finished_at = now(), rows_read = $2, rows_rejected = $3,
              error_code = $4, error_message = $5, content_sha256 = coalesce($6, content_sha256)
        where id = $1`,
      [id, p.rowsRead, p.rowsRejected, p.code, p.message, p.contentSha256 ?? null],
    );
  }

  async insertRejects(runId: string, sourceId: string, rejects: NewReject[]): Promise<void> {
    if (rejects.length === 0) return;
    await this.db.query(
      `insert into import_reject (run_id, source_id, row_number, source_referral_id, problems, raw)
       select $1, $2, * from unnest($3::int[], $4::text[], $5::jsonb[], $6::jsonb[])`,
      [
        runId,
        sourceId,
        rejects.map((r) => r.rowNumber),
        rejects.map((r) => r.sourceReferralId),
        rejects.map((r) => JSON.stringify(r.problems)),
        rejects.map((r) => JSON.stringify(r.raw)),
      ],
    );
  }

  async findById(id: string): Promise<RunRow | null> {
    const rows: RunRow[] = await this.db.query(
      `select ${RUN_COLUMNS} from import_run where id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Newest first; keyset on (started_at, id). */
  async list(f: {
    sourceId?: string;
    status?: string;
    before?: { startedAt: string; id: string };
    limit: number;
  }): Promise<Array<RunRow & { keyAt: string }>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.sourceId) where.push(`source_id = ${p(f.sourceId)}`);
    if (f.status) where.push(`status = ${p(f.status)}`);
    if (f.before) {
      where.push(
        `(started_at, id) < (${p(f.before.startedAt)}::timestamptz, ${p(f.before.id)}::uuid)`,
      );
    }
    return this.db.query(
      `select ${RUN_COLUMNS}, ${exactTimeSql('started_at')} as "keyAt"
         from import_run ${where.length ? `where ${where.join(' and ')}` : ''}
        order by started_at desc, id desc limit ${p(f.limit)}`,
      params,
    );
  }

  async latestPerSource(): Promise<RunRow[]> {
    return this.db.query(
      `select distinct on (source_id) ${RUN_COLUMNS} from import_run order by source_id, started_at desc, id desc`,
    );
  }

  /** A run's rejects in row order; cleared ones (fixed by a later pull) only when asked for. */
  async rejects(
    runId: string,
    f: { afterRow?: number; limit: number; includeCleared: boolean },
  ): Promise<RejectRow[]> {
    return this.db.query(
      `select id, row_number as "rowNumber", source_referral_id as "sourceReferralId", problems, raw,
              cleared_by_run_id as "clearedByRunId", cleared_at as "clearedAt"
         from import_reject
        where run_id = $1 and row_number > $2 and ($3 or cleared_at is null)
        order by row_number, id limit $4`,
      [runId, f.afterRow ?? 0, f.includeCleared, f.limit],
    );
  }
}
