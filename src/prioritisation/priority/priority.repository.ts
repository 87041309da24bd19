import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface StoredChildPriority {
  childId: string;
  pseudonym: string;
  toolVersionId: string;
  runId: string;
  asAt: string;
  scoredAt: string;
  score: number;
  toolBand: string;
  band: string;
  overridden: boolean;
  review: boolean;
  flagged: boolean;
  services: string[];
  /** Providers of the child's open referrals. */
  providers: string[];
  locality: string | null;
  flags: string[];
  flagDetails: string[];
  ageYears: number | null;
  ageMonths: number | null;
  deprivationDecile: number | null;
  checkIn: string | null;
  checkInDays: number | null;
  factorPoints: string;
  topReasons: string;
}

export interface StoredReferralPriority {
  referralId: string;
  service: string;
  provider: string;
  priority: string;
  daysWaited: number | null;
  targetWeeks: number;
  points: number;
  rankScore: number;
}

export interface ChildIdentity {
  id: string;
  nhsNumber: string;
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: string;
}

export interface HistoryEntry {
  scoredAt: string;
  asAt: string;
  toolVersionId: string;
  score: number | null;
  toolBand: string | null;
  band: string | null;
}

/** Reads of stored scores, their input snapshots and history. */
@Injectable()
export class PriorityRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findChild(childId: string): Promise<StoredChildPriority | null> {
    const rows: StoredChildPriority[] = await this.db.query(
      `select child_id as "childId", pseudonym, tool_version_id as "toolVersionId", run_id as "runId",
              to_char(as_at, 'YYYY-MM-DD') as "asAt", scored_at as "scoredAt", score, tool_band as "toolBand", band, overridden, review,
              flagged, services, providers, locality, flags, flag_details as "flagDetails", age_years as "ageYears", age_months as "ageMonths",
              deprivation_decile as "deprivationDecile", check_in as "checkIn", check_in_days as "checkInDays",
              factor_points as "factorPoints", top_reasons as "topReasons"
         from child_priority where child_id = $1`,
      [childId],
    );
    return rows[0] ?? null;
  }

  async findReferrals(childId: string): Promise<StoredReferralPriority[]> {
    return this.db.query(
      `select referral_id as "referralId", service_code as service, provider_code as provider, priority, days_waited as "daysWaited",
              target_weeks as "targetWeeks", points, rank_score as "rankScore"
         from referral_priority where child_id = $1 order by referral_id`,
      [childId],
    );
  }

  async history(childId: string, limit: number): Promise<HistoryEntry[]> {
    return this.db.query(
      `select scored_at as "scoredAt", to_char(as_at, 'YYYY-MM-DD') as "asAt", tool_version_id as "toolVersionId", score,
              tool_band as "toolBand", band
         from child_priority_history where child_id = $1 order by id desc limit $2`,
      [childId, limit],
    );
  }

  async identities(childIds: string[]): Promise<ChildIdentity[]> {
    if (childIds.length === 0) return [];
    return this.db.query(
      `select id, nhs_number as "nhsNumber", given_name as "givenName", family_name as "familyName",
              to_char(date_of_birth, 'YYYY-MM-DD') as "dateOfBirth"
         from child where id = any($1::uuid[])`,
      [childIds],
    );
  }

  /** Services the child has open referrals with (whether or not they are scored yet). */
  async openServices(childId: string): Promise<string[] | null> {
    const rows: Array<{ services: string[] | null }> = await this.db.query(
      `select (select array_agg(distinct service_code) from referral where child_id = c.id and status = 'waiting') as services
         from child c where c.id = $1`,
      [childId],
    );
    return rows.length ? (rows[0].services ?? []) : null;
  }

  /** Services the child was ever referred to, open or closed (empty for an unknown child). */
  async referredServices(childId: string): Promise<string[]> {
    const rows: Array<{ service: string }> = await this.db.query(
      `select distinct service_code as service from referral where child_id = $1`,
      [childId],
    );
    return rows.map((r) => r.service);
  }
}
