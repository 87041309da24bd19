import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { auditHash, type AuditHashInput } from './audit-hash.js';

// One writer at a time extends the chain (transaction-scoped advisory lock).
const AUDIT_CHAIN_LOCK = 0x57_41_55_44; // "WAUD"

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async append(entries: AuditHashInput[], manager?: EntityManager): Promise<void> {
    if (entries.length === 0) return;
    const write = async (m: EntityManager) => {
      await m.query(`select pg_advisory_xact_lock($1)`, [AUDIT_CHAIN_LOCK]);
      const last: Array<{ hash: string }> = await m.query(`select hash from audit_event order by id desc limit 1`);
      let prev: string | null = last[0]?.hash ?? null;
      for (const e of entries) {
        const hash = auditHash(prev, e);
        await m.query(
          `insert into audit_event (occurred_at, actor_subject, actor_role, action, resource, child_ids, purpose, request_id, detail, prev_hash, hash)
           values ($1, $2, $3, $4, $5, $6::uuid[], $7, $8, $9, $10, $11)`,
          [e.occurredAt, e.actorSubject, e.actorRole, e.action, e.resource, e.childIds, e.purpose, e.requestId, JSON.stringify(e.detail), prev, hash],
        );
        prev = hash;
      }
    };
    if (manager?.queryRunner?.isTransactionActive) await write(manager);
    else await (manager ?? this.db.manager).transaction(write);
  }
}
