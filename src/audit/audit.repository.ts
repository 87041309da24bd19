import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { canonicalAuditRecord, type AuditHashInput } from './audit-hash.js';
import { GroupCommit } from './group-commit.js';

// One writer at a time extends the chain (transaction-scoped advisory lock).
const AUDIT_CHAIN_LOCK = 0x57_41_55_44; // "WAUD"

/**
 * Records appended between two cleanings of the child-id index's pending list: a clinician's page
 * names ~50 children, ~1.6 kB of pending entries, so ~160 kB a cleaning (the list's limit, 4 MB, is
 * only the fallback).
 */
const CLEAN_CHILD_INDEX_EVERY = 100;

export interface AuditSearch {
  from?: string;
  to?: string;
  actorSubject?: string;
  actorRole?: string;
  action?: string;
  resource?: string;
  childId?: string;
  requestId?: string;
  /** Keyset: only rows with a smaller id (newest first). */
  beforeId?: string;
  limit: number;
}

export interface AuditRow {
  id: string;
  occurredAt: string;
  actorSubject: string;
  actorRole: string;
  action: string;
  resource: string;
  childIds: string[];
  purpose: string | null;
  requestId: string | null;
  sourceIp: string | null;
  detail: Record<string, unknown>;
  prevHash: string | null;
  hash: string;
}

export interface BreakGlassAlertRow {
  auditEventId: string;
  occurredAt: string;
  actorSubject: string;
  actorRole: string;
  resource: string;
  childIds: string[];
  reason: string | null;
  requestId: string | null;
  normallyVisible: boolean | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  outcome: string | null;
}

export type AcknowledgeResult =
  | { status: 'not-found' }
  | { status: 'already-acknowledged' }
  | { status: 'acknowledged'; id: string };

const SELECT_ROW = `
  select a.id::text as id, to_char(a.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "occurredAt",
         a.actor_subject as "actorSubject", a.actor_role as "actorRole", a.action, a.resource,
         a.child_ids::text[] as "childIds", a.purpose, a.request_id as "requestId", a.source_ip as "sourceIp",
         a.detail, a.prev_hash as "prevHash", a.hash
    from audit_event a`;

@Injectable()
export class AuditRepository implements OnModuleDestroy {
  private readonly logger = new Logger(AuditRepository.name);
  private readonly groupCommit: GroupCommit<AuditHashInput, string>;
  private appendedSinceClean = 0;
  private cleaning: Promise<void> | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.groupCommit = new GroupCommit((batch) => appendRows(this.db.manager, batch));
  }

  /**
   * Appends entries to the chain; returns their ids. Inside the caller's transaction when one is
   * given (the rows commit or roll back with the change). Otherwise the entries join the next group
   * commit: every append waiting at that moment goes to the database in one statement and one
   * transaction, and each caller's promise settles only once that transaction has committed.
   */
  async append(entries: AuditHashInput[], manager?: EntityManager): Promise<string[]> {
    if (entries.length === 0) return [];
    this.appendedSinceClean += entries.length;
    if (this.appendedSinceClean >= CLEAN_CHILD_INDEX_EVERY && !this.cleaning) {
      this.appendedSinceClean = 0;
      this.cleaning = this.cleanChildIndex().finally(() => (this.cleaning = null));
    }
    if (manager?.queryRunner?.isTransactionActive) return appendRows(manager, entries);
    return this.groupCommit.append(entries);
  }

  /**
   * Merges the child-id index's pending list into the index on a pooled connection of its own, in
   * the background, so that no append has to do it while it holds the chain lock (migration
   * CleanAuditChildIndexApart1765100000000). One at a time; nobody waits for it, and a failure only
   * leaves the merge to a later cleaning (or, past the list's limit, to an insert).
   */
  private async cleanChildIndex(): Promise<void> {
    try {
      await this.db.query(`select audit_clean_child_index()`);
    } catch (error) {
      this.logger.warn(
        { errorType: (error as Error).name },
        'cleaning the audit child-id index pending list failed; a later append will retry',
      );
    }
  }

  /** A cleaning in flight finishes before the pool closes. */
  async onModuleDestroy(): Promise<void> {
    await this.cleaning;
  }

  /** Newest first, filtered; one more row than the limit tells the caller there is a next page. */
  async search(s: AuditSearch): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (s.from) add('a.occurred_at >= ?::timestamptz', s.from);
    if (s.to) add('a.occurred_at < ?::timestamptz', s.to);
    if (s.actorSubject) add('a.actor_subject = ?', s.actorSubject);
    if (s.actorRole) add('a.actor_role = ?', s.actorRole);
    if (s.action) add('a.action = ?', s.action);
    if (s.resource) add('a.resource = ?', s.resource);
    if (s.childId) add('a.child_ids @> array[?::uuid]', s.childId);
    if (s.requestId) add('a.request_id = ?', s.requestId);
    if (s.beforeId) add('a.id < ?::bigint', s.beforeId);
    params.push(s.limit + 1);
    return this.db.query(
      `${SELECT_ROW} ${where.length ? `where ${where.join(' and ')}` : ''} order by a.id desc limit $${params.length}`,
      params,
    );
  }

  /** Stable pseudonyms of the given children (children no longer held are simply absent). */
  async pseudonyms(childIds: string[]): Promise<Map<string, string>> {
    if (childIds.length === 0) return new Map();
    const rows: Array<{ id: string; pseudonym: string }> = await this.db.query(
      `select id::text as id, pseudonym from child where id = any($1::uuid[])`,
      [childIds],
    );
    return new Map(rows.map((r) => [r.id, r.pseudonym]));
  }

  /**
   * Break-glass events and their acknowledgements, newest first. Both live in the audit itself, so
   * alerts are as append-only and tamper-evident as the rest of the trail.
   */
  async breakGlassAlerts(
    status: 'open' | 'acknowledged' | 'all',
    limit: number,
    beforeId?: string,
  ): Promise<BreakGlassAlertRow[]> {
    const params: unknown[] = [limit + 1];
    const where = [`b.action = 'break-glass'`];
    if (status === 'open') where.push('k.id is null');
    if (status === 'acknowledged') where.push('k.id is not null');
    if (beforeId) {
      params.push(beforeId);
      where.push(`b.id < $${params.length}::bigint`);
    }
    return this.db.query(
      `select b.id::text as "auditEventId", to_char(b.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "occurredAt",
              b.actor_subject as "actorSubject", b.actor_role as "actorRole", b.resource, b.child_ids::text[] as "childIds",
              b.purpose as reason, b.request_id as "requestId",
              (b.detail ->> 'normallyVisible')::boolean as "normallyVisible", k.actor_subject as "acknowledgedBy",
              to_char(k.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "acknowledgedAt", k.detail ->> 'outcome' as outcome
         from audit_event b
         left join lateral (
           select x.id, x.actor_subject, x.occurred_at, x.detail from audit_event x
            where x.action = 'acknowledge' and x.resource = 'break-glass-alert' and x.detail ->> 'auditEventId' = b.id::text
            order by x.id limit 1) k on true
        where ${where.join(' and ')}
        order by b.id desc limit $1`,
      params,
    );
  }

  /**
   * Appends the acknowledgement of a break-glass alert, under the chain lock so two auditors cannot
   * both acknowledge it.
   */
  async acknowledgeBreakGlass(
    auditEventId: string,
    entry: AuditHashInput,
  ): Promise<AcknowledgeResult> {
    return this.db.manager.transaction(async (m): Promise<AcknowledgeResult> => {
      await m.query(`select pg_advisory_xact_lock($1)`, [AUDIT_CHAIN_LOCK]);
      const found: Array<{ acknowledged: boolean }> = await m.query(
        `select exists (select 1 from audit_event x where x.action = 'acknowledge' and x.resource = 'break-glass-alert'
                          and x.detail ->> 'auditEventId' = b.id::text) as acknowledged
           from audit_event b where b.id = $1::bigint and b.action = 'break-glass'`,
        [auditEventId],
      );
      if (found.length === 0) return { status: 'not-found' };
      if (found[0].acknowledged) return { status: 'already-acknowledged' };
      const [id] = await appendRows(m, [entry]);
      return { status: 'acknowledged', id };
    });
  }
}

/**
 * One statement: audit_append (migration AppendAuditInOneStatement1764650000000) takes the chain
 * lock, reads the last hash and inserts the rows in order, hashing each as auditHash() does over the
 * canonical record computed here.
 */
async function appendRows(m: EntityManager, entries: AuditHashInput[]): Promise<string[]> {
  const rows: Array<{ ids: string[] }> = await m.query(
    `select audit_append($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[],
                         $8::text[], $9::jsonb[], $10::text[], $11::text[])::text[] as ids`,
    [
      entries.map((e) => e.occurredAt),
      entries.map((e) => e.actorSubject),
      entries.map((e) => e.actorRole),
      entries.map((e) => e.action),
      entries.map((e) => e.resource),
      entries.map((e) => JSON.stringify(e.childIds)),
      entries.map((e) => e.purpose),
      entries.map((e) => e.requestId),
      entries.map((e) => JSON.stringify(e.detail)),
      entries.map((e) => e.sourceIp ?? null),
      entries.map((e) => Buffer.from(canonicalAuditRecord(e), 'utf8').toString('hex')),
    ],
  );
  return rows[0].ids;
}
