import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DayCounts } from './report/percentiles.js';
import type { GroupCounts, SnapshotDataFacts } from './report/report.types.js';

export interface CensusQuery {
  census: string;
  monthStart: string;
  /** ISO instant or PostgreSQL timestamptz text. */
  dataCutoff: string;
  services?: string[];
  providers?: string[];
}

/**
 * Read queries for RTT reporting. The census is one aggregation over the clock cache: the clock
 * periods as known at the data cut-off (known_from <= cut-off < known_to), classified on the
 * census date exactly as clockAt() does (rtt-clock.ts), into histograms of waits in days.
 */
@Injectable()
export class RttCensusRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The database's clock as an exact timestamptz text (used as a data cut-off). */
  async now(): Promise<string> {
    const rows: Array<{ now: string }> = await this.db.query(
      `select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as now`,
    );
    return rows[0].now;
  }

  /** An ISO instant as the database reads it, in the same exact form as now() (µs, UTC). */
  async normaliseInstant(instant: string): Promise<string> {
    const rows: Array<{ t: string }> = await this.db.query(
      `select to_char($1::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as t`,
      [instant],
    );
    return rows[0].t;
  }

  async census(q: CensusQuery): Promise<GroupCounts[]> {
    const us: Array<{ us: string }> = await this.db.query(
      `select ((extract(epoch from $1::timestamptz) * 1000000)::bigint)::text as us`,
      [q.dataCutoff],
    );
    const params: unknown[] = [q.census, q.monthStart, us[0].us];
    const where: string[] = [];
    if (q.services) {
      params.push(q.services);
      where.push(`service_code = any($${params.length}::text[])`);
    }
    if (q.providers) {
      params.push(q.providers);
      where.push(`provider_code = any($${params.length}::text[])`);
    }
    // One pass, one row per distinct combination (a few thousand): inc = days waiting at the census
    // (-1 = unknown start, null = not waiting); comp = completed in the month (A admitted / N not);
    // comp_days = wait to the stop (-1 = unknown start); then new start / nullified / removed flags.
    const rows: Array<{
      s: string;
      p: string;
      inc: number | null;
      comp: 'A' | 'N' | null;
      cd: number | null;
      st: boolean;
      nu: boolean;
      rm: boolean;
      n: number;
    }> = await this.db.query(
      `select service_code as s, provider_code as p,
                case when ended_on is null or ended_on > $1::date then
                  case when clock_start is null or clock_start > $1::date then -1 else $1::date - clock_start end end as inc,
                case when end_kind = 'stopped' and ended_on <= $1::date then (case when admitted then 'A' else 'N' end) end as comp,
                case when end_kind = 'stopped' and ended_on <= $1::date then coalesce(ended_on - clock_start, -1) end as cd,
                (clock_start >= $2::date and clock_start <= $1::date
                   and (end_kind is distinct from 'nullified' or ended_on > $1::date)) is true as st,
                (end_kind = 'nullified' and ended_on <= $1::date) is true as nu,
                (end_kind = 'removed' and ended_on <= $1::date) is true as rm,
                count(*)::int as n
           from rtt_clock_period
          where known_from_us <= $3::bigint and known_to_us > $3::bigint
            and opened_on <= $1::date and (ended_on is null or ended_on >= $2::date)
            ${where.length ? `and ${where.join(' and ')}` : ''}
          group by 1, 2, 3, 4, 5, 6, 7, 8`,
      params,
    );
    const groups = new Map<
      string,
      {
        g: GroupCounts;
        inc: Map<number, number>;
        adm: Map<number, number>;
        non: Map<number, number>;
      }
    >();
    const bump = (m: Map<number, number>, days: number, n: number) =>
      m.set(days, (m.get(days) ?? 0) + n);
    for (const r of rows) {
      const key = `${r.s}\u0000${r.p}`;
      let x = groups.get(key);
      if (!x) {
        groups.set(
          key,
          (x = { g: emptyGroup(r.s, r.p), inc: new Map(), adm: new Map(), non: new Map() }),
        );
      }
      if (r.inc !== null) {
        if (r.inc < 0) x.g.incompleteUnknownStart += r.n;
        else bump(x.inc, r.inc, r.n);
      }
      if (r.comp === 'A') {
        if (r.cd === null || r.cd < 0) x.g.completedAdmittedUnknownStart += r.n;
        else bump(x.adm, r.cd, r.n);
      } else if (r.comp === 'N') {
        if (r.cd === null || r.cd < 0) x.g.completedNonAdmittedUnknownStart += r.n;
        else bump(x.non, r.cd, r.n);
      }
      if (r.st) x.g.newClockStarts += r.n;
      if (r.nu) x.g.nullifiedInMonth += r.n;
      if (r.rm) x.g.removedInMonth += r.n;
    }
    const sorted = (m: Map<number, number>): DayCounts =>
      [...m.entries()].sort((a, b) => a[0] - b[0]);
    return [...groups.values()].map((x) => ({
      ...x.g,
      incomplete: sorted(x.inc),
      completedAdmitted: sorted(x.adm),
      completedNonAdmitted: sorted(x.non),
    }));
  }

  /** Which data a cut-off takes in: events recorded by then, the latest of them, and import runs. */
  async dataFacts(dataCutoff: string): Promise<SnapshotDataFacts> {
    const rows: Array<{ n: string; last: string | null; runs: string }> = await this.db.query(
      `select count(*) as n, to_char(max(recorded_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as last,
              count(distinct import_run_id) as runs
         from clock_event where recorded_at <= $1::timestamptz`,
      [dataCutoff],
    );
    return {
      eventsIncluded: Number(rows[0].n),
      lastEventRecordedAt: rows[0].last,
      importRuns: Number(rows[0].runs),
    };
  }

  /**
   * Benchmark baseline: the same incomplete week bands straight from the referral table's current
   * clock columns (no history, no as-at): how fast PostgreSQL alone can band the list.
   */
  async rawIncompleteBands(
    census: string,
  ): Promise<Array<{ service: string; provider: string; band: number; n: number }>> {
    return this.db.query(
      `select service_code as service, provider_code as provider,
              case when w <= 7 then 1 when w >= 729 then 105 else ceil(w / 7.0)::int end as band, count(*)::int as n
         from (select service_code, provider_code, $1::date - clock_start_date as w
                 from referral
                where clock_start_date <= $1::date and (clock_stop_date is null or clock_stop_date > $1::date)
                  and status <> 'removed-from-source') x
        group by 1, 2, 3`,
      [census],
    );
  }
}

export function emptyGroup(service: string, provider: string): GroupCounts {
  return {
    service,
    provider,
    incomplete: [],
    incompleteUnknownStart: 0,
    completedAdmitted: [],
    completedNonAdmitted: [],
    completedAdmittedUnknownStart: 0,
    completedNonAdmittedUnknownStart: 0,
    newClockStarts: 0,
    nullifiedInMonth: 0,
    removedInMonth: 0,
  };
}
