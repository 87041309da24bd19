import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface ReferralFilter {
  services?: string[];
  provider?: string;
  status?: string;
  after?: { receivedDate: string; id: string };
  limit: number;
  today: string;
}

export interface ReferralListRow {
  id: string;
  childId: string;
  childPseudonym: string;
  service: string;
  provider: string;
  receivedDate: string;
  priority: string;
  status: string;
  clockStartDate: string | null;
  clockStopDate: string | null;
  daysWaited: number | null;
}

@Injectable()
export class ReferralsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Longest-waiting first; keyset on (received_date, id) so deep pages stay fast. */
  async list(f: ReferralFilter): Promise<ReferralListRow[]> {
    const where: string[] = [];
    const params: unknown[] = [f.today];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.services) where.push(`r.service_code = any(${p(f.services)}::text[])`);
    if (f.provider) where.push(`r.provider_code = ${p(f.provider)}`);
    if (f.status) where.push(`r.status = ${p(f.status)}`);
    if (f.after) {
      where.push(
        `(r.received_date, r.id) > (${p(f.after.receivedDate)}::date, ${p(f.after.id)}::uuid)`,
      );
    }
    const sql = `
      select r.id, r.child_id as "childId", c.pseudonym as "childPseudonym", r.service_code as service,
             r.provider_code as provider, to_char(r.received_date, 'YYYY-MM-DD') as "receivedDate", r.priority, r.status,
             to_char(r.clock_start_date, 'YYYY-MM-DD') as "clockStartDate",
             to_char(r.clock_stop_date, 'YYYY-MM-DD') as "clockStopDate",
             coalesce(r.clock_stop_date, r.removed_from_source_on, $1::date) - r.clock_start_date as "daysWaited"
        from referral r join child c on c.id = r.child_id
       ${where.length ? `where ${where.join(' and ')}` : ''}
       order by r.received_date, r.id
       limit ${p(f.limit)}`;
    return this.db.query(sql, params);
  }
}
