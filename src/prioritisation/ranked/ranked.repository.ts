import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface RankedFilter {
  /** When set, the list is that service's: one row per referral, ranked by referral points + child points. */
  service?: string;
  /** Clinicians without a service filter: children waiting for any of these services. */
  anyOfServices?: string[];
  provider?: string;
  /** Commissioners: only children waiting with these providers (their ICB's). */
  anyOfProviders?: string[];
  locality?: string;
  band?: string;
  multiNeed?: boolean;
  flag?: string;
  /** Waited longer than this many completed weeks (the longest wait; or this service's wait). */
  minWeeks?: number;
  after?: [number, number, number, string];
  limit: number;
  /** Clinicians: add NHS number, name and date of birth to each row. */
  identity?: boolean;
}

export interface RankedRow {
  key: string;
  childId: string;
  pseudonym: string;
  toolVersionId: string;
  score: number;
  serviceScore: number | null;
  band: string;
  toolBand: string;
  overridden: boolean;
  review: boolean;
  flagged: boolean;
  weeks: number;
  topReasons: string;
  /** Every open referral of the child, by service then provider. */
  waits: Array<{ service: string; provider: string; weeksWaited: number | null; score: number }>;
  nhsNumber?: string;
  givenName?: string | null;
  familyName?: string | null;
  dateOfBirth?: string;
  sort: [number, number, number, string];
}

/**
 * Risk-ranked lists: band, then score (highest first), then wait (longest first), keyset-paginated on
 * the stored negated sort keys so the first and the thousandth page cost the same index walk.
 */
@Injectable()
export class RankedRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async page(f: RankedFilter): Promise<RankedRow[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (f.anyOfServices) where.push(`cp.services && ${p(f.anyOfServices)}::text[]`);
    if (f.locality) where.push(`cp.locality = ${p(f.locality)}`);
    if (f.band) where.push(`cp.band = ${p(f.band)}`);
    if (f.multiNeed) where.push(`cp.service_count >= 2`);
    if (f.flag) where.push(`${p(f.flag)} = any(cp.flags)`);
    const common = `cp.child_id as "childId", cp.pseudonym, cp.tool_version_id as "toolVersionId", cp.score, cp.band,
                    cp.tool_band as "toolBand", cp.overridden, cp.review, cp.flagged, cp.top_reasons as "topReasons"`;
    let sql: string;
    if (f.service) {
      where.unshift(`rp.service_code = ${p(f.service)}`);
      if (f.provider) where.push(`rp.provider_code = ${p(f.provider)}`);
      if (f.anyOfProviders) where.push(`rp.provider_code = any(${p(f.anyOfProviders)}::text[])`);
      if (f.minWeeks !== undefined) where.push(`rp.weeks > ${p(f.minWeeks)}`);
      if (f.after) {
        where.push(
          `(rp.band_rank, rp.neg_score, rp.neg_weeks, rp.referral_id) > (${p(f.after[0])}::int2, ${p(f.after[1])}::float8, ${p(f.after[2])}::int, ${p(f.after[3])}::uuid)`,
        );
      }
      sql = `select rp.referral_id as key, ${common}, rp.rank_score as "serviceScore", coalesce(rp.weeks, 0) as weeks,
                    rp.band_rank, rp.neg_score, rp.neg_weeks, rp.referral_id as sort_id
               from referral_priority rp join child_priority cp on cp.child_id = rp.child_id
              where ${where.join(' and ')}
              order by rp.band_rank, rp.neg_score, rp.neg_weeks, rp.referral_id
              limit ${p(f.limit)}`;
    } else {
      if (f.provider) where.push(`${p(f.provider)} = any(cp.providers)`);
      if (f.anyOfProviders) where.push(`cp.providers && ${p(f.anyOfProviders)}::text[]`);
      if (f.minWeeks !== undefined) where.push(`cp.max_weeks > ${p(f.minWeeks)}`);
      if (f.after) {
        where.push(
          `(cp.band_rank, cp.neg_score, cp.neg_weeks, cp.child_id) > (${p(f.after[0])}::int2, ${p(f.after[1])}::float8, ${p(f.after[2])}::int, ${p(f.after[3])}::uuid)`,
        );
      }
      sql = `select cp.child_id as key, ${common}, null as "serviceScore", cp.max_weeks as weeks,
                    cp.band_rank, cp.neg_score, cp.neg_weeks, cp.child_id as sort_id
               from child_priority cp
              ${where.length ? `where ${where.join(' and ')}` : ''}
              order by cp.band_rank, cp.neg_score, cp.neg_weeks, cp.child_id
              limit ${p(f.limit)}`;
    }
    // One round trip per page: the keyset page first (index walk, LIMIT), then, for its rows only,
    // the child's waits (one JSON array) and, for clinicians, identity.
    const identity = f.identity
      ? `, c.nhs_number as "nhsNumber", c.given_name as "givenName", c.family_name as "familyName",
           to_char(c.date_of_birth, 'YYYY-MM-DD') as "dateOfBirth"`
      : '';
    const rows: Array<
      RankedRow & { band_rank: number; neg_score: number; neg_weeks: number; sort_id: string }
    > = await this.db.query(
      `select p.*,
              coalesce((select json_agg(json_build_object('service', w.service_code, 'provider', w.provider_code,
                                                          'weeksWaited', w.weeks, 'score', w.rank_score)
                                        order by w.service_code, w.provider_code, w.referral_id)
                          from referral_priority w where w.child_id = p."childId"), '[]') as waits${identity}
         from (${sql}) p
         ${f.identity ? 'left join child c on c.id = p."childId"' : ''}
        order by p.band_rank, p.neg_score, p.neg_weeks, p.sort_id`,
      params,
    );
    return rows.map((r) => ({ ...r, sort: [r.band_rank, r.neg_score, r.neg_weeks, r.sort_id] }));
  }
}
