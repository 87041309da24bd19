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

  async insert(c: Omit<CheckInRow, 'id' | 'createdAt'>, m: EntityManager): Promise<CheckInRow> {
    const rows: CheckInRow[] = await m.query(
      `insert into family_check_in (child_id, answer, reported_on, recorded_by, recorded_by_role) values ($1, $2, $3, $4, $5)
       returning id, child_id as "childId", answer, to_char(reported_on, 'YYYY-MM-DD') as "reportedOn", recorded_by as "recordedBy",
                 recorded_by_role as "recordedByRole", created_at as "createdAt"`,
      [c.childId, c.answer, c.reportedOn, c.recordedBy, c.recordedByRole],
    );
    return rows[0];
  }

  /**
   * A crisis reported for the child: one notice to the clinical team of each service they wait for
   * (GET /api/prioritisation/notices), in the check-in's transaction.
   */
  async noticeCrisis(
    childId: string,
    services: string[],
    detail: Record<string, unknown>,
    m: EntityManager,
  ): Promise<void> {
    if (!services.length) return;
    await m.query(
      `insert into priority_notice (recipient_service, child_id, kind, detail)
       select s, $1, 'family-crisis', $3::jsonb || jsonb_build_object('service', s) from unnest($2::text[]) s`,
      [childId, services, JSON.stringify(detail)],
    );
  }
}
