import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The GIN index on audit_event.child_ids (every clinician's page adds a row naming ~50 children)
 * collects new entries in a pending list and merges it into the index when it passes
 * gin_pending_list_limit (4 MB by default). The append that passes the limit does the merge while
 * it holds the audit chain lock, so every audited request waits behind it: audit_append took up to
 * 23-47 ms then under bench:ranked load. With a 256 kB list the merges are smaller and more frequent:
 * at most 6.5-17 ms, with the same mean (~1.1 ms a statement).
 */
export class ShortenAuditChildIndexPendingList1764800000000 implements MigrationInterface {
  name = 'ShortenAuditChildIndexPendingList1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter index ix_audit_event_children set (gin_pending_list_limit = 256)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter index ix_audit_event_children reset (gin_pending_list_limit)`);
  }
}
