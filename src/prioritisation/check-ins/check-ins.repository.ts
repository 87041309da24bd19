import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export interface CheckInRow {
  id: string;
  childId: string;
  answer: 'no-change' | 'worse' | 'crisis';
  reportedOn: string;
  recordedBy: string;
  recordedByRole: string;
  createdAt: string;
}

/** Family check-ins ("no change / worse / crisis" with a date): an input to the prioritisation tool. */
@Injectable()
export class CheckInsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async childExists(childId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`select 1 from child where id = $1`, [childId]);
    return rows.length > 0;
  }

  async insert(c: Omit<CheckInRow, 'id' | 'createdAt'>, m: EntityManager): Promise<CheckInRow> {
    const rows: CheckInRow[] = await m.query(
      `insert into family_check_in (child_id, answer, reported_on, recorded_by, recorded_by_role) values ($1, $2, $3, $4, $5)
       returning id, child_id as "childId", answer, to_char(reported_on, 'YYYY-MM-DD') as "reportedOn", recorded_by as "recordedBy",
                 recorded_by_role as "recordedByRole", created_at as "createdAt"`,
      [c.childId, c.answer, c.reportedOn, c.recordedBy, c.recordedByRole],
    );
    return rows[0];
  }
}
