import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { exactTimeSql, type TimeIdKey } from '../../common/pagination/keyset.js';
import { rowsOf } from '../update-returning.js';

export interface OverrideRow {
  id: string;
  childId: string;
  band: string;
  reason: string;
  reviewDate: string;
  createdBy: string;
  createdAt: string;
}

export interface ExpiredOverride {
  id: string;
  childId: string;
  band: string;
  createdBy: string;
  reviewDate: string;
}

export interface NoticeRow {
  id: string;
  childId: string;
  pseudonym: string;
  kind: string;
  /** Set when the notice went to a service's team rather than to one clinician. */
  service: string | null;
  /** Who marked it read (for a team's notice, the first of the team to do so). */
  readBy: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
  readAt: Date | null;
  /** created_at to the microsecond, for the page's cursor. */
  keyAt: string;
}

export interface NoticesFilter {
  recipient: string;
  services: string[];
  unreadOnly: boolean;
  after?: TimeIdKey;
  limit: number;
}

/**
 * The SQL of one page of notices (exported for the plan test in overrides.int-spec). A notice goes
 * to one clinician or to one service's team, so the page is read as one keyset walk per recipient,
 * each down its own index (ix_priority_notice_recipient, ix_priority_notice_service; for unread
 * notices only, their partial `_unread` indexes) and stopping at the page's end, then merged. (An `or` of the recipients, as before, read every notice they
 * ever had and sorted them, for every page.)
 */
export function noticesPageQuery(f: NoticesFilter): { text: string; values: unknown[] } {
  const values: unknown[] = [f.recipient, f.services, f.limit];
  let only = f.unreadOnly ? ' and read_at is null' : '';
  if (f.after) {
    values.push(f.after.at, f.after.id);
    only += ' and (created_at, id) < ($4::timestamptz, $5::uuid)';
  }
  const walk = (recipient: string) =>
    `select id, child_id, kind, recipient_service, detail, created_at, read_at, read_by
       from priority_notice where ${recipient}${only} order by created_at desc, id desc limit $3`;
  return {
    text: `select n.id, n.child_id as "childId", c.pseudonym, n.kind, n.recipient_service as service, n.detail,
                  n.created_at as "createdAt", n.read_at as "readAt", n.read_by as "readBy",
                  ${exactTimeSql('n.created_at')} as "keyAt"
             from ((${walk('recipient_subject = $1')})
                   union all
                   (select t.* from (select distinct unnest($2::text[]) as service) s
                      cross join lateral (${walk('recipient_service = s.service')}) t)) n
             join child c on c.id = n.child_id
            order by n.created_at desc, n.id desc limit $3`,
    values,
  };
}

/** The child's latest override, open or ended, as far as withdrawing it needs. */
export interface LatestOverride {
  id: string;
  createdBy: string;
  endedAt: Date | null;
  endedReason: 'expired' | 'replaced' | 'withdrawn' | 'no-longer-waiting' | null;
  endedBy: string | null;
}

const OVERRIDE_COLUMNS = `id, child_id as "childId", band, reason, to_char(review_date, 'YYYY-MM-DD') as "reviewDate",
  created_by as "createdBy", created_at as "createdAt"`;

/** Clinician overrides of a child's band and the notices sent when they expire. */
@Injectable()
export class OverridesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /**
   * The child's override not yet ended: ended by a clinician, on its review date by the nightly
   * job (expireDue), or by the rescore that finds the child waiting for no service any more. On the
   * review date itself it may still be here until that job runs.
   */
  async findNotEnded(childId: string): Promise<OverrideRow | null> {
    const rows: OverrideRow[] = await this.db.query(
      `select ${OVERRIDE_COLUMNS} from priority_override where child_id = $1 and ended_at is null`,
      [childId],
    );
    return rows[0] ?? null;
  }

  /** The child's most recent override (the open one if any: a replaced one ended as it began). */
  async findLatest(childId: string): Promise<LatestOverride | null> {
    const rows: LatestOverride[] = await this.db.query(
      `select id, created_by as "createdBy", ended_at as "endedAt", ended_reason as "endedReason", ended_by as "endedBy"
         from priority_override where child_id = $1
        order by ended_at is null desc, created_at desc, id limit 1`,
      [childId],
    );
    return rows[0] ?? null;
  }

  /** Ends the child's active override (if any) with a reason; returns whether one was ended. */
  async end(
    childId: string,
    reason: 'replaced' | 'withdrawn',
    by: string,
    m: EntityManager,
  ): Promise<boolean> {
    const rows = await rowsOf<{ id: string }>(
      m,
      `update priority_override set ended_at = now(), ended_reason = $2, ended_by = $3 where child_id = $1 and ended_at is null returning id`,
      [childId, reason, by],
    );
    return rows.length > 0;
  }

  async insert(
    o: { childId: string; band: string; reason: string; reviewDate: string; createdBy: string },
    m: EntityManager,
  ): Promise<OverrideRow> {
    const rows: OverrideRow[] = await m.query(
      `insert into priority_override (child_id, band, reason, review_date, created_by) values ($1, $2, $3, $4, $5) returning ${OVERRIDE_COLUMNS}`,
      [o.childId, o.band, o.reason, o.reviewDate, o.createdBy],
    );
    return rows[0];
  }

  /** Ends every override whose review date has come and tells its clinician, in one transaction. */
  async expireDue(today: string, m: EntityManager): Promise<ExpiredOverride[]> {
    const rows: ExpiredOverride[] = await m.query(
      `with ended as (
         update priority_override set ended_at = now(), ended_reason = 'expired', ended_by = 'system'
          where ended_at is null and review_date <= $1::date
          returning id, child_id, band, created_by, review_date)
       insert into priority_notice (recipient_subject, child_id, kind, detail)
       select created_by, child_id, 'override-expired', jsonb_build_object('overrideId', id, 'band', band, 'reviewDate', to_char(review_date, 'YYYY-MM-DD'))
         from ended
       returning child_id as "childId", recipient_subject as "createdBy", detail->>'overrideId' as id, detail->>'band' as band,
                 detail->>'reviewDate' as "reviewDate"`,
      [today],
    );
    return rows;
  }

  /**
   * One page of the clinician's own notices and those of their services' teams, newest first, ties
   * by id (noticesPageQuery).
   */
  async notices(f: NoticesFilter): Promise<NoticeRow[]> {
    const { text, values } = noticesPageQuery(f);
    return this.db.query(text, values);
  }

  async markRead(
    id: string,
    recipient: string,
    services: string[],
    m: EntityManager,
  ): Promise<{ childId: string } | null> {
    const rows = await rowsOf<{ childId: string }>(
      m,
      `update priority_notice set read_at = coalesce(read_at, now()), read_by = coalesce(read_by, $2)
        where id = $1 and (recipient_subject = $2 or recipient_service = any($3::text[]))
        returning child_id as "childId"`,
      [id, recipient, services],
    );
    return rows[0] ?? null;
  }
}
