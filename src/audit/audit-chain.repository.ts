import type { StoredAuditRow } from './audit-chain.js';

/** Anything that runs a parameterised query and returns rows (a pg Client or Pool). */
export interface Queryable {
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

interface RawRow extends Record<string, unknown> {
  id: string;
  occurred_at: Date;
  actor_subject: string;
  actor_role: string;
  action: string;
  resource: string;
  child_ids: string[];
  purpose: string | null;
  request_id: string | null;
  detail: Record<string, unknown>;
  source_ip: string | null;
  prev_hash: string | null;
  hash: string;
}

/** Reads the whole audit chain in id order, in bounded batches (keyset on id), for `audit:verify`. */
export class AuditChainRepository {
  constructor(private readonly db: Queryable) {}

  async *rows(batchSize = 5000): AsyncGenerator<StoredAuditRow> {
    let after = '0';
    for (;;) {
      const { rows } = await this.db.query<RawRow>(
        // Qualified a.id: a bare "order by id" would sort by the text alias (1, 10, 100, 2…).
        `select a.id::text as id, occurred_at, actor_subject, actor_role, action, resource, child_ids::text[] as child_ids,
                purpose, request_id, detail, source_ip, prev_hash, hash
           from audit_event a where a.id > $1::bigint order by a.id limit $2`,
        [after, batchSize],
      );
      for (const r of rows) {
        yield {
          id: r.id,
          occurredAt: r.occurred_at.toISOString(),
          actorSubject: r.actor_subject,
          actorRole: r.actor_role,
          action: r.action,
          resource: r.resource,
          childIds: r.child_ids,
          purpose: r.purpose,
          requestId: r.request_id,
          detail: r.detail,
          sourceIp: r.source_ip,
          prevHash: r.prev_hash,
          hash: r.hash,
        };
      }
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1].id;
    }
  }
}
