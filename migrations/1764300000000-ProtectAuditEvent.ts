import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit rows the application cannot change (shared/domain/reference.md §7.2: "a separate role, with
 * INSERT-only grants"):
 * - `waitwell_audit_owner` (NOLOGIN) owns audit_event; nobody logs in as it.
 * - `waitwell_app` (NOLOGIN) is the role the application runs as (it SET ROLEs to it after
 *   migrations): full DML on every other table, now and in future migrations (default privileges),
 *   but only SELECT and INSERT on audit_event. UPDATE, DELETE and TRUNCATE are revoked from PUBLIC and
 *   from waitwell_app; the row trigger (refuse_change) and a new TRUNCATE trigger also stop the owner.
 * - audit_event gains source_ip (the client address), and indexes for the auditor's filters.
 * If the migrating user cannot create roles, create both roles beforehand and grant them to it.
 */
export class ProtectAuditEvent1764300000000 implements MigrationInterface {
  name = 'ProtectAuditEvent1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      do $$
      begin
        -- Roles are cluster-wide: another database on the server may have created them already.
        begin
          create role waitwell_app nologin;
        exception when duplicate_object then null;
        end;
        begin
          create role waitwell_audit_owner nologin;
        exception when duplicate_object then null;
        end;
        -- The migrating user must be able to SET ROLE waitwell_app (the app does) and to hand
        -- audit_event to its owner. Superusers need no grant; others get one if they may give it.
        if not (select rolsuper from pg_roles where rolname = current_user) then
          begin
            execute format('grant waitwell_app, waitwell_audit_owner to %I', current_user);
          exception when others then
            raise notice 'could not grant waitwell_app/waitwell_audit_owner to %: grant them before starting WaitWell', current_user;
          end;
        end if;
      end $$`);

    await q.query(`alter table audit_event add column source_ip text`);
    await q.query(`create index ix_audit_event_action on audit_event (action, id)`);
    await q.query(`create index ix_audit_event_actor on audit_event (actor_subject, id)`);
    await q.query(`create index ix_audit_event_request on audit_event (request_id)`);
    await q.query(
      `create index ix_audit_event_acknowledges on audit_event ((detail ->> 'auditEventId')) where action = 'acknowledge'`,
    );
    await q.query(
      `create trigger audit_event_no_truncate before truncate on audit_event for each statement execute function refuse_change()`,
    );

    // Everything else: the application's ordinary working privileges, now and for future tables.
    await q.query(`grant usage on schema public to waitwell_app`);
    await q.query(
      `grant select, insert, update, delete, truncate on all tables in schema public to waitwell_app`,
    );
    await q.query(`grant usage, select, update on all sequences in schema public to waitwell_app`);
    await q.query(
      `alter default privileges grant select, insert, update, delete, truncate on tables to waitwell_app`,
    );
    await q.query(
      `alter default privileges grant usage, select, update on sequences to waitwell_app`,
    );
    await q.query(`alter default privileges grant usage on schemas to waitwell_app`);
    // PostgreSQL 17+: MAINTAIN lets the app REFRESH MATERIALIZED VIEW / ANALYZE tables it does not own.
    await q.query(`
      do $$
      begin
        if current_setting('server_version_num')::int >= 170000 then
          execute 'grant maintain on all tables in schema public to waitwell_app';
          execute 'alter default privileges grant maintain on tables to waitwell_app';
        end if;
      end $$`);

    // The audit: owned by a role nobody logs in as; the app may only read and append.
    await q.query(`alter table audit_event owner to waitwell_audit_owner`);
    await q.query(`revoke all on audit_event from public`);
    await q.query(`revoke all on audit_event from waitwell_app`);
    await q.query(`grant select, insert on audit_event to waitwell_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`revoke all on audit_event from waitwell_app`);
    await q.query(`alter table audit_event owner to current_user`);
    await q.query(`
      do $$
      begin
        if current_setting('server_version_num')::int >= 170000 then
          execute 'alter default privileges revoke maintain on tables from waitwell_app';
          execute 'revoke maintain on all tables in schema public from waitwell_app';
        end if;
      end $$`);
    await q.query(`alter default privileges revoke usage on schemas from waitwell_app`);
    await q.query(
      `alter default privileges revoke usage, select, update on sequences from waitwell_app`,
    );
    await q.query(
      `alter default privileges revoke select, insert, update, delete, truncate on tables from waitwell_app`,
    );
    await q.query(`revoke all on all sequences in schema public from waitwell_app`);
    await q.query(`revoke all on all tables in schema public from waitwell_app`);
    await q.query(`revoke usage on schema public from waitwell_app`);
    await q.query(`drop trigger audit_event_no_truncate on audit_event`);
    await q.query(`drop index ix_audit_event_acknowledges`);
    await q.query(`drop index ix_audit_event_request`);
    await q.query(`drop index ix_audit_event_actor`);
    await q.query(`drop index ix_audit_event_action`);
    await q.query(`alter table audit_event drop column source_ip`);
    // The roles are cluster-wide (other databases may use them): they are left in place.
  }
}
