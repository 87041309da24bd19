import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Append-only, hash-chained audit of identifiable reads and of every change. */
export class CreateAuditEvent1764050000000 implements MigrationInterface {
  name = 'CreateAuditEvent1764050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table audit_event (
        id bigint generated always as identity primary key,
        occurred_at timestamptz not null,
        actor_subject text not null,
        actor_role text not null,
        action text not null,
        resource text not null,
        child_ids uuid[] not null default '{}',
        purpose text,
        request_id text,
        detail jsonb not null default '{}',
        prev_hash text,
        hash text not null
      )`);
    await q.query(`create index ix_audit_event_occurred on audit_event (occurred_at)`);
    await q.query(`create index ix_audit_event_children on audit_event using gin (child_ids)`);
    await q.query(`create trigger audit_event_append_only before update or delete on audit_event for each row execute function refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table audit_event`);
  }
}
