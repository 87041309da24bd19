import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/** The database role the application runs as (created by migration ProtectAuditEvent1764300000000). */
export const APP_DATABASE_ROLE = 'waitwell_app';

/**
 * Makes every connection of the application's pool run as `waitwell_app` once migrations are done:
 * whichever user DATABASE_URL names (the embedded server's superuser, or an owner), the application
 * then holds only waitwell_app's privileges, which cannot UPDATE, DELETE or TRUNCATE audit rows.
 */
@Injectable()
export class AppDatabaseRoleRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async canUseAppRole(): Promise<boolean> {
    const rows: Array<{ ok: boolean }> = await this.db.query(
      `select exists (select 1 from pg_roles where rolname = $1) and pg_has_role(current_user, $1, 'MEMBER') as ok`,
      [APP_DATABASE_ROLE],
    );
    return rows[0]?.ok === true;
  }

  /** Every client gets `SET ROLE waitwell_app` queued ahead of its first query after it is checked out. */
  switchPoolToAppRole(onError: (error: Error) => void): void {
    const pool = (this.db.driver as unknown as { master: Pool }).master;
    const switched = new WeakSet<PoolClient>();
    pool.on('acquire', (client: PoolClient) => {
      if (switched.has(client)) return;
      switched.add(client);
      client.query(`set role ${APP_DATABASE_ROLE}`).catch(onError);
    });
  }

  async currentRole(): Promise<string> {
    const rows: Array<{ role: string }> = await this.db.query(`select current_user as role`);
    return rows[0].role;
  }
}
