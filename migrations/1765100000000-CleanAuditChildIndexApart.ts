import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The GIN index on audit_event.child_ids collects new entries in a pending list; the insert that
 * takes the list past gin_pending_list_limit merges it into the index, inside audit_append, under
 * the audit chain lock, so every audited request waits behind that merge (up to 12 ms under
 * bench:ranked load with a 256 kB list). Now the application cleans the list apart from the append:
 * audit_clean_child_index() runs gin_clean_pending_list() on its own pooled connection every so many
 * appended records (AuditRepository), outside any transaction holding the chain lock. An insert that
 * reaches the limit while that cleanup runs does not wait for it and does not merge (PostgreSQL's
 * ginInsertCleanup skips when another cleanup holds the index's metapage lock), and the higher limit
 * (4 MB, PostgreSQL's default) is only the fallback should the cleanup not run.
 *
 * gin_clean_pending_list() needs the index's owner (waitwell_audit_owner, who owns audit_event), so
 * the function is SECURITY DEFINER, owned by that role, takes no arguments and can do nothing but
 * clean this index's pending list; only waitwell_app may execute it. The app role still cannot
 * UPDATE or DELETE audit rows.
 */
export class CleanAuditChildIndexApart1765100000000 implements MigrationInterface {
  name = 'CleanAuditChildIndexApart1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create function audit_clean_child_index() returns bigint
      language sql
      security definer
      set search_path = pg_catalog, pg_temp
      as $$ select gin_clean_pending_list('public.ix_audit_event_children'::regclass) $$`);
    await q.query(`alter function audit_clean_child_index() owner to waitwell_audit_owner`);
    await q.query(`revoke all on function audit_clean_child_index() from public`);
    await q.query(`grant execute on function audit_clean_child_index() to waitwell_app`);
    await q.query(`alter index ix_audit_event_children set (gin_pending_list_limit = 4096)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter index ix_audit_event_children set (gin_pending_list_limit = 256)`);
    await q.query(`drop function audit_clean_child_index()`);
  }
}
