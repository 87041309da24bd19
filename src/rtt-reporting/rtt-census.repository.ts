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

// Measure codes produced by the census query.
type Kind = 'I' | 'U' | 'CA' | 'CN' | 'CAU' | 'CNU' | 'S' | 'X' | 'R';

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
    const rows: Array<{ now: string }> = await this.db.query(`select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as now`);
    return rows[0].now;
  }

  /** An ISO instant as the database reads it, in the same exact form as now() (µs, UTC). */
  async normaliseInstant(instant: string): Promise<string> {
    const rows: Array<{ t: string }> = await this.db.query(`select to_char($1::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as t`, [instant]);
    return rows[0].t;
  }

  async census(q: CensusQuery): Promise<GroupCounts[]> {
    const params: unknown[] = [q.census, q.monthStart, q.dataCutoff];
    const where: string[] = [];
    if (q.services) {
      params.push(q.services);
      where.push(`service_code = any($${params.length}::text[])`);
    }
    if (q.providers) {
      params.push(q.providers);
      where.push(`provider_code = any($${params.length}::text[])`);
    }
    const rows: Array<{ s: string; p: string; k: Kind; d: number | null; n: number }> = await this.db.query(
      `with cutoff as (select (extract(epoch from $3::timestamptz) * 1000000)::bigint as us),
       p as (
         select service_code, provider_code, clock_start, ended_on, end_kind, admitted
           from rtt_clock_period, cutoff
          where known_from_us <= cutoff.us and known_to_us > cutoff.us
            and opened_on <= $1::date and (ended_on is null or ended_on >= $2::date)
            ${where.length ? `and ${where.join(' and ')}` : ''}
       )
       select service_code as s, provider_code as p, m.k, m.d, count(*)::int as n
         from p cross join lateral (values
           -- waiting at the census: opened on or before it and not ended by it
           (case when ended_on is null or ended_on > $1::date then
              case when clock_start is null or clock_start > $1::date then 'U' else 'I' end end,
            $1::date - clock_start),
           -- completed in the month (clock stopped between month start and census)
           (case when end_kind = 'stopped' and ended_on <= $1::date then
              case when admitted then (case when clock_start is null then 'CAU' else 'CA' end)
                   else (case when clock_start is null then 'CNU' else 'CN' end) end end,
            ended_on - clock_start),
           -- new clock started in the month (not counting clocks nullified by the census)
           (case when clock_start >= $2::date and clock_start <= $1::date
                  and (end_kind is distinct from 'nullified' or ended_on > $1::date) then 'S' end, 0),
           (case when end_kind = 'nullified' and ended_on <= $1::date then 'X' end, 0),
           (case when end_kind = 'removed' and ended_on <= $1::date then 'R' end, 0)
         ) as m(k, d)
        where m.k is not null
        group by 1, 2, 3, 4`,
      params,
    );
    const groups = new Map<string, GroupCounts>();
    for (const r of rows) {
      const key = `${r.s}\u0000${r.p}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = emptyGroup(r.s, r.p)));
      const add = (h: DayCounts) => h.push([Number(r.d), r.n]);
      switch (r.k) {
        case 'I':
          add(g.incomplete);
          break;
        case 'U':
          g.incompleteUnknownStart += r.n;
          break;
        case 'CA':
          add(g.completedAdmitted);
          break;
        case 'CN':
          add(g.completedNonAdmitted);
          break;
        case 'CAU':
          g.completedAdmittedUnknownStart += r.n;
          break;
        case 'CNU':
          g.completedNonAdmittedUnknownStart += r.n;
          break;
        case 'S':
          g.newClockStarts += r.n;
          break;
        case 'X':
          g.nullifiedInMonth += r.n;
          break;
        case 'R':
          g.removedInMonth += r.n;
          break;
        default: {
          const unreachable: never = r.k;
          throw new Error(`unexpected census measure ${String(unreachable)}`);
        }
      }
    }
    for (const g of groups.values()) for (const h of [g.incomplete, g.completedAdmitted, g.completedNonAdmitted]) h.sort((a, b) => a[0] - b[0]);
    return [...groups.values()];
  }

  /** Which data a cut-off takes in: events recorded by then, the latest of them, and import runs. */
  async dataFacts(dataCutoff: string): Promise<SnapshotDataFacts> {
    const rows: Array<{ n: string; last: string | null; runs: string }> = await this.db.query(
      `select count(*) as n, to_char(max(recorded_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as last,
              count(distinct import_run_id) as runs
         from clock_event where recorded_at <= $1::timestamptz`,
      [dataCutoff],
    );
    return { eventsIncluded: Number(rows[0].n), lastEventRecordedAt: rows[0].last, importRuns: Number(rows[0].runs) };
  }

  /**
   * Benchmark baseline: the same incomplete week bands straight from the referral table's current
   * clock columns (no history, no as-at): how fast PostgreSQL alone can band the list.
   */
  async rawIncompleteBands(census: string): Promise<Array<{ service: string; provider: string; band: number; n: number }>> {
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
