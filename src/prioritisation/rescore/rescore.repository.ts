import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { ChildFacts, ReferralFacts } from '../scoring/context.js';

// One rescore writes at a time (transaction-scoped advisory lock): "WPRI".
const RESCORE_LOCK = 0x57_50_52_49;

/** A child's scoring facts plus what the lists and previews need beside them. */
export interface ChildRow {
  facts: ChildFacts;
  pseudonym: string;
  overrideBand: string | null;
  previousScore: number | null;
  previousBand: string | null;
}

export interface ChildPriorityRow {
  child_id: string;
  pseudonym: string;
  score: number;
  tool_band: string;
  band: string;
  band_rank: number;
  overridden: boolean;
  review: boolean;
  flagged: boolean;
  max_weeks: number;
  service_count: number;
  services: string[];
  providers: string[];
  locality: string | null;
  flags: string[];
  waits: Array<{ service: string; provider: string; weeks: number | null; score: number }>;
  top_reasons: string[];
  breakdown: unknown;
}

export interface ReferralPriorityRow {
  referral_id: string;
  child_id: string;
  service_code: string;
  provider_code: string;
  points: number;
  rank_score: number;
  band_rank: number;
  weeks: number | null;
}

export interface HistoryRow {
  child_id: string;
  score: number | null;
  tool_band: string | null;
  band: string | null;
}

export interface RunHeader {
  runId: string;
  toolVersionId: string;
  asAt: string;
}

/**
 * The facts every rule can read, derived in SQL for one as-at date ($1): completed years and months
 * of age, days on the clock, active flags, the latest family check-in, the active override, and the
 * child's current score. Open referrals only (status 'waiting'). Packed as text to keep a million
 * rows cheap to move: referrals "id,service,provider,priority,days,target;..." and flags "code:detail|...".
 */
function factsQuery(filtered: boolean): string {
  const only = (col: string) => (filtered ? `and ${col} = any($2::uuid[])` : '');
  return `
    with refs as (
      select r.child_id,
             string_agg(r.id::text || ',' || r.service_code || ',' || r.provider_code || ',' || r.priority || ',' ||
                        coalesce(($1::date - r.clock_start_date)::text, '') || ',' || s.target_weeks::text, ';') as refs
        from referral r join service s on s.code = r.service_code
       where r.status = 'waiting' ${only('r.child_id')}
       group by r.child_id
    ), flags as (
      select child_id, string_agg(code || coalesce(':' || detail, ''), '|' order by code, detail) as flags
        from child_flag
       where recorded_on <= $1::date and (ended_on is null or ended_on > $1::date) ${only('child_id')}
       group by child_id
    ), check_ins as (
      select distinct on (child_id) child_id, answer, $1::date - reported_on as days_ago
        from family_check_in
       where reported_on <= $1::date ${only('child_id')}
       order by child_id, reported_on desc, created_at desc
    )
    select c.id, c.pseudonym, c.locality, c.deprivation_decile as decile,
           case when c.date_of_birth <= $1::date then date_part('year', age($1::date, c.date_of_birth))::int end as age_years,
           case when c.date_of_birth <= $1::date then (date_part('year', age($1::date, c.date_of_birth)) * 12
                                                      + date_part('month', age($1::date, c.date_of_birth)))::int end as age_months,
           refs.refs, flags.flags, ci.answer as check_in, ci.days_ago as check_in_days,
           o.band as override_band, cp.score as previous_score, cp.band as previous_band
      from refs
      join child c on c.id = refs.child_id
      left join flags on flags.child_id = c.id
      left join check_ins ci on ci.child_id = c.id
      left join priority_override o on o.child_id = c.id and o.ended_at is null and o.review_date > $1::date
      left join child_priority cp on cp.child_id = c.id`;
}

interface RawRow {
  id: string;
  pseudonym: string;
  locality: string | null;
  decile: number | null;
  age_years: number | null;
  age_months: number | null;
  refs: string;
  flags: string | null;
  check_in: string | null;
  check_in_days: number | null;
  override_band: string | null;
  previous_score: number | null;
  previous_band: string | null;
}

function toChildRow(r: RawRow): ChildRow {
  const referrals: ReferralFacts[] = [];
  for (const packed of r.refs.split(';')) {
    const [referralId, service, provider, priority, days, target] = packed.split(',');
    referrals.push({ referralId, service, provider, priority, daysWaited: days === '' ? null : Number(days), targetWeeks: Number(target) });
  }
  const flagDetails = r.flags ? r.flags.split('|') : [];
  const flags = [...new Set(flagDetails.map((f) => f.split(':')[0]))];
  return {
    facts: {
      childId: r.id,
      ageYears: r.age_years,
      ageMonths: r.age_months,
      locality: r.locality,
      deprivationDecile: r.decile,
      flags,
      flagDetails,
      checkIn: r.check_in ? { answer: r.check_in as 'no-change' | 'worse' | 'crisis', daysAgo: r.check_in_days ?? 0 } : null,
      referrals,
    },
    pseudonym: r.pseudonym,
    overrideBand: r.override_band,
    previousScore: r.previous_score,
    previousBand: r.previous_band,
  };
}

/** Streams children in batches through a server-side cursor on one consistent snapshot. */
export class ChildCursor {
  private done = false;

  constructor(private readonly runner: QueryRunner, private readonly batchSize: number) {}

  async next(): Promise<ChildRow[] | null> {
    if (this.done) return null;
    const rows: RawRow[] = await this.runner.query(`fetch ${this.batchSize} from priority_facts`);
    if (rows.length < this.batchSize) this.done = true;
    return rows.length ? rows.map(toChildRow) : this.done ? null : [];
  }

  async close(): Promise<void> {
    try {
      if (this.runner.isTransactionActive) await this.runner.commitTransaction();
    } finally {
      await this.runner.release();
    }
  }
}

@Injectable()
export class RescoreRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Opens a snapshot of every child with an open referral (or only `childIds`). */
  async openCursor(asAt: string, childIds: string[] | null, batchSize: number): Promise<ChildCursor> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query(`set local work_mem = '256MB'`);
      await runner.query(`declare priority_facts no scroll cursor for ${factsQuery(childIds !== null)}`, childIds ? [asAt, childIds] : [asAt]);
    } catch (error) {
      await runner.release();
      throw error;
    }
    return new ChildCursor(runner, batchSize);
  }

  /** Children (of `childIds`) with at least one open referral: used to drop those who left every list. */
  async runInWriteTransaction<T>(fn: (writer: PriorityWriter) => Promise<T>): Promise<T> {
    return this.db.transaction(async (m) => {
      await m.query(`select pg_advisory_xact_lock($1)`, [RESCORE_LOCK]);
      return fn(new PriorityWriter(m));
    });
  }

  async startRun(kind: 'full' | 'incremental', reason: string, toolVersionId: string, asAt: string): Promise<string> {
    const rows: Array<{ id: string }> = await this.db.query(
      `insert into priority_run (kind, reason, tool_version_id, as_at) values ($1, $2, $3, $4) returning id`,
      [kind, reason, toolVersionId, asAt],
    );
    return rows[0].id;
  }

  async failRun(runId: string, errorType: string): Promise<void> {
    await this.db.query(`update priority_run set status = 'failed', finished_at = clock_timestamp(), detail = detail || $2 where id = $1`, [runId, JSON.stringify({ errorType })]);
  }
}

/** Writes one rescore's results inside its transaction (the advisory lock is held). */
export class PriorityWriter {
  constructor(readonly manager: EntityManager) {}

  async clearAll(): Promise<void> {
    await this.manager.query(`delete from referral_priority`);
    await this.manager.query(`delete from child_priority`);
  }

  async clearChildren(childIds: string[]): Promise<void> {
    await this.manager.query(`delete from referral_priority where child_id = any($1::uuid[])`, [childIds]);
    await this.manager.query(`delete from child_priority where child_id = any($1::uuid[])`, [childIds]);
  }

  /** Current scores of children about to leave every list (for their history row). */
  async currentScores(childIds: string[]): Promise<Array<{ child_id: string; score: number; band: string }>> {
    return this.manager.query(`select child_id, score, band from child_priority where child_id = any($1::uuid[])`, [childIds]);
  }

  async insertBatch(run: RunHeader, children: ChildPriorityRow[], referrals: ReferralPriorityRow[], history: HistoryRow[]): Promise<void> {
    if (children.length) {
      await this.manager.query(
        `insert into child_priority (child_id, pseudonym, tool_version_id, run_id, as_at, scored_at, score, tool_band, band, band_rank,
                                     overridden, review, flagged, neg_score, max_weeks, neg_weeks, service_count, services, providers,
                                     locality, flags, waits, top_reasons, breakdown)
         select x.child_id, x.pseudonym, $2, $3, $4, now(), x.score, x.tool_band, x.band, x.band_rank, x.overridden, x.review,
                x.flagged, -x.score, x.max_weeks, -x.max_weeks, x.service_count, x.services, x.providers, x.locality, x.flags,
                x.waits, x.top_reasons, x.breakdown
           from json_to_recordset($1::json) as x(child_id uuid, pseudonym text, score float8, tool_band text, band text, band_rank int2,
                overridden bool, review bool, flagged bool, max_weeks int, service_count int2, services text[], providers text[],
                locality text, flags text[], waits jsonb, top_reasons text[], breakdown jsonb)`,
        [JSON.stringify(children), run.toolVersionId, run.runId, run.asAt],
      );
    }
    if (referrals.length) {
      await this.manager.query(
        `insert into referral_priority (referral_id, child_id, service_code, provider_code, points, rank_score, band_rank, neg_score, weeks, neg_weeks)
         select x.referral_id, x.child_id, x.service_code, x.provider_code, x.points, x.rank_score, x.band_rank, -x.rank_score,
                x.weeks, -coalesce(x.weeks, -1)
           from json_to_recordset($1::json) as x(referral_id uuid, child_id uuid, service_code text, provider_code text,
                points float8, rank_score float8, band_rank int2, weeks int)`,
        [JSON.stringify(referrals)],
      );
    }
    await this.insertHistory(run, history);
  }

  async insertHistory(run: RunHeader, history: HistoryRow[]): Promise<void> {
    if (!history.length) return;
    await this.manager.query(
      `insert into child_priority_history (child_id, run_id, tool_version_id, as_at, scored_at, score, tool_band, band)
       select x.child_id, $2, $3, $4, now(), x.score, x.tool_band, x.band
         from json_to_recordset($1::json) as x(child_id uuid, score float8, tool_band text, band text)`,
      [JSON.stringify(history), run.runId, run.toolVersionId, run.asAt],
    );
  }

  async finishRun(runId: string, report: { children: number; referrals: number; flagged: number; problems: Record<string, number>; detail: Record<string, unknown> }): Promise<void> {
    await this.manager.query(
      `update priority_run set status = 'completed', finished_at = clock_timestamp(), children_scored = $2, referrals_scored = $3,
              children_flagged = $4, problems = $5, detail = $6 where id = $1`,
      [runId, report.children, report.referrals, report.flagged, JSON.stringify(report.problems), JSON.stringify(report.detail)],
    );
  }
}
