import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import { RANK_KEYS_PER_SERVICE } from '../rescore/rank-key.js';

export interface RankedFilter {
  /** When set, the list is that service's: one row per referral, ranked by referral points + child points. */
  service?: string;
  /** That service's `service.number`, which leads its rows' rank keys (CatalogueService). */
  serviceNumber?: number;
  /** Clinicians without a service filter: children waiting for any of these services. */
  anyOfServices?: string[];
  provider?: string;
  /** Commissioners: only children waiting with these providers (their ICB's). */
  anyOfProviders?: string[];
  locality?: string;
  band?: string;
  multiNeed?: boolean;
  flag?: string;
  /**
   * Waited this many completed weeks or more (the weeks a row shows): on a service's list, that
   * referral's wait; on the children's list, the longest wait (at `provider`, or at one of
   * `anyOfProviders`, when given). So 52 gives the 52+ week waits the RTT report counts (365 days
   * or more), and waits of exactly 364 days: the score tables hold completed weeks, not days.
   */
  minWeeks?: number;
  /** The last row of the page before: its rank key (rank-key.ts) and id. */
  after?: [string, string];
  limit: number;
  /** Clinicians: add NHS number, name and date of birth to each row. */
  identity?: boolean;
}

/** One row of a ranked page, mostly already as JSON text (see RankedRepository.page). */
export interface RankedRow {
  childId: string;
  toolVersionId: string;
  /** Stored top reasons ("id=points;id"), turned into words with the tool version's labels. */
  topReasons: string;
  /**
   * The row's item as compact JSON without its closing brace and without topReasons:
   * '{"childId":…,"pseudonym":…,["nhsNumber"…,]"band":…,…,"waits":[…]'. Keys in RankedItem order.
   */
  json: string;
  /** Rank key (a bigint, as text) and id: the keyset cursor. */
  sort: [string, string];
}

/**
 * Prepared statement names by query text: one text per combination of filters and page size, so
 * few in practice. Past the cap (odd page sizes and filter mixes) pages run unprepared, so a client
 * cannot make every connection hold ever more statements.
 */
const statementNames = new Map<string, string>();
const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
const MAX_PREPARED_STATEMENTS = 64;

/**
 * Risk-ranked lists: band, then score (highest first), then wait (longest first), keyset-paginated on
 * the stored rank key (those three packed in one bigint, with the service first on a service's list:
 * rescore/rank-key.ts) and the id, so the first and the thousandth page cost the same index walk.
 */
@Injectable()
export class RankedRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Runs the page query as a named prepared statement, so each pooled connection parses and analyses
   * it once per combination of filters instead of on every request (planning alone was 0.3-0.6 ms of
   * a 1-2 ms query). PostgreSQL still plans with the request's values unless its generic plan is
   * estimated no dearer (plan_cache_mode auto), and re-analyses the statement after DDL such as the
   * rescore's table swap, or new statistics.
   */
  private async prepared<T extends QueryResultRow>(text: string, values: unknown[]): Promise<T[]> {
    let name = statementNames.get(text);
    if (name === undefined && statementNames.size < MAX_PREPARED_STATEMENTS) {
      name = `ranked_page_${statementNames.size + 1}`;
      statementNames.set(text, name);
    }
    const runner = this.db.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      const result = await client.query<T>(name ? { name, text, values } : { text, values });
      return result.rows;
    } finally {
      await runner.release();
    }
  }

  /**
   * The localities of the children WaitWell holds, sorted: one probe of ix_child_locality per
   * locality (a loose index scan), not a scan of every child.
   */
  async localities(): Promise<string[]> {
    const rows: Array<{ locality: string }> = await this.db.query(
      `with recursive l (locality) as (
         (select locality from child where locality is not null order by locality limit 1)
         union all
         select (select c.locality from child c where c.locality > l.locality
                 order by c.locality limit 1)
           from l where l.locality is not null
       )
       select locality from l where locality is not null`,
    );
    return rows.map((r) => r.locality);
  }

  async page(f: RankedFilter): Promise<RankedRow[]> {
    const { text, values } = rankedPageQuery(f);
    const rows: Array<{
      childId: string;
      toolVersionId: string;
      topReasons: string;
      json: string;
      rank_key: string;
      sort_id: string;
    }> = await this.prepared(text, values);
    return rows.map((r) => ({
      childId: r.childId,
      toolVersionId: r.toolVersionId,
      topReasons: r.topReasons,
      json: r.json.slice(0, -1),
      sort: [r.rank_key, r.sort_id],
    }));
  }
}

/**
 * A test on one of the child's arrays (services, providers, flags), written so that the planner takes
 * it as matching about half the children instead of 0.5-1%. It cannot see the value in a generic plan
 * (or behind a sub-select) and falls back to its default for array operators, so on a list of
 * 20,000 children it expected a handful of matches after the cursor and chose to fetch and sort every
 * row after it (PostgreSQL CPU 10-27 ms a page) instead of walking the rank index and stopping at the
 * page's end (0.55-0.6 ms). For coalesce() it has no default but a half. `coalesce(x, false)` keeps
 * exactly the rows `x` keeps; ranked.int-spec.ts checks the plans.
 */
function broad(test: string): string {
  return `coalesce(${test}, false)`;
}

/**
 * A service list joins each referral to its child's score. Written as `= any(array[…])`, not `=`, so
 * that PostgreSQL does not put a Memoize node (a cache of child scores by child id) over the lookup:
 * it does so for a plain equality because a referral table holds about two rows per child, but a
 * page's 51 referrals almost never share a child, so the cache only costs (every lookup a miss).
 * PostgreSQL memoizes only plain operator joins (`paraminfo_get_equal_hashops`, joinpath.c), and it
 * still looks each child up in `child_priority_pkey`. Backend CPU of a clinician's deep SLT page on
 * the benchmark's data, ten alternating rounds of 600 pages: median 1.32 ms against 1.60 ms with the
 * Memoize node (and 1.35 ms with `enable_memoize` off for the session); the same rows for 200
 * cursors. ranked.int-spec.ts checks the plans (no Memoize) and the pages' rows against the tables.
 */
const CHILD_SCORE_JOIN = 'cp.child_id = any(array[rp.child_id])';

/**
 * The child's longest wait in completed weeks. The score table holds 0 (never null) when no wait
 * can be timed, every clock being nullified after a missed first appointment: shown as null, as
 * its waits show each nullified clock, rather than as 0 ("just referred"). Read from the stored
 * waits only for the few rows with 0, after the index walk chose the page (ranked.int-spec.ts).
 */
const CHILD_WEEKS = `case when cp.max_weeks = 0
                      then (select max((w->>'weeksWaited')::int) from json_array_elements(cp.waits) w)
                      else cp.max_weeks end`;

/**
 * The page statement for a filter: text and values. Kept apart from running it so that tests can ask
 * PostgreSQL how it plans each shape of list (ranked.int-spec.ts).
 */
export function rankedPageQuery(filter: RankedFilter): { text: string; values: unknown[] } {
  let f = filter;
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  // The limit is written into the text, not bound: with "limit $n" PostgreSQL's generic plan
  // assumes a tenth of the table, so it would plan every execution of the prepared statement anew.
  const limit = Number(f.limit);
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError('limit must be a whole number');
  }
  // The cursor comes in as a sub-select, like the providers and services below: with its values
  // in view, the planner priced each deep page's own plan below the generic one and planned every
  // deep page anew (0.3-0.6 ms of PostgreSQL CPU a page, for the same index walk). PostgreSQL still
  // uses it as the index condition (a row comparison with an InitPlan's columns).
  const after = (k: [string, string]) => `(select ${p(k[0])}::int8, ${p(k[1])}::uuid)`;
  const where: string[] = [];
  // A commissioner's providers and a clinician's services are the same on every page they ask
  // for, and come in as a sub-select: planned without their values, every plan (custom or
  // generic) costs the same, so the prepared statement settles on its generic plan instead of
  // being planned per request. Tests on the child's arrays are written broad(…): see there.
  if (f.anyOfServices) where.push(broad(`cp.services && (select ${p(f.anyOfServices)}::text[])`));
  if (f.locality) where.push(`cp.locality = ${p(f.locality)}`);
  if (f.band) where.push(`cp.band = ${p(f.band)}`);
  if (f.multiNeed) where.push(`cp.service_count >= 2`);
  if (f.flag) where.push(broad(`${p(f.flag)} = any(cp.flags)`));
  // "+ 0": -0 becomes 0, as JSON.stringify writes it.
  const common = `cp.child_id as "childId", cp.pseudonym, cp.tool_version_id as "toolVersionId", cp.score + 0 as score, cp.band,
                  cp.tool_band as "toolBand", cp.overridden, cp.review, cp.flagged, cp.top_reasons as "topReasons", cp.waits`;
  let sql: string;
  if (f.service) {
    // A service's rows are the rank keys that start with its number (migration PackRankKeys). The
    // bounds are written into the text (one statement per service), so that the planner, generic
    // plan included, sees a quarter of the table in range rather than its default guess of 0.5% for
    // a range it cannot see (with which it fetched and sorted the rows instead of walking the index).
    if (f.serviceNumber === undefined) throw new RangeError('a service list needs its number');
    const first = BigInt(f.serviceNumber) * RANK_KEYS_PER_SERVICE;
    const last = first + RANK_KEYS_PER_SERVICE - 1n;
    if (f.after) {
      // A cursor from before this service's keys (another list's, which RankedService refuses)
      // would start at its first key: the range stays this service's whatever the cursor.
      if (BigInt(f.after[0]) < first) f = { ...f, after: [String(first - 1n), MAX_UUID] };
      where.unshift(`rp.rank_key <= ${last}`);
    } else where.unshift(`rp.rank_key between ${first} and ${last}`);
    if (f.provider) where.push(`rp.provider_code = ${p(f.provider)}`);
    if (f.anyOfProviders) {
      where.push(`rp.provider_code = any((select ${p(f.anyOfProviders)}::text[])::text[])`);
    }
    if (f.minWeeks !== undefined) where.push(`rp.weeks >= ${p(f.minWeeks)}`);
    if (f.after) {
      where.push(`(rp.rank_key, rp.referral_id) > ${after(f.after)}`);
    }
    // weeks is null for a referral whose clock was nullified (a missed first appointment, not yet
    // rebooked): it has no wait to show, and 0 would read as "just referred". The rank key is unchanged.
    sql = `select rp.referral_id as key, ${common}, rp.rank_score + 0 as "serviceScore", rp.weeks,
                  rp.rank_key, rp.referral_id as sort_id
             from referral_priority rp join child_priority cp on ${CHILD_SCORE_JOIN}
            where ${where.join(' and ')}
            order by rp.rank_key, rp.referral_id
            limit ${limit}`;
  } else {
    if (f.provider) where.push(broad(`${p(f.provider)} = any(cp.providers)`));
    if (f.anyOfProviders) {
      where.push(broad(`cp.providers && (select ${p(f.anyOfProviders)}::text[])`));
    }
    if (f.minWeeks !== undefined) {
      where.push(`cp.max_weeks >= ${p(f.minWeeks)}`);
      // With a provider too, the long wait must be at that provider (waiting at RXA and 52 weeks
      // or more somewhere else is not "52 weeks or more at RXA"): one of the child's stored waits.
      // Likewise a commissioner's long waits are at the providers their ICB commissions, not at
      // another ICB's.
      if (f.provider) {
        where.push(
          broad(`exists (select 1 from json_array_elements(cp.waits) w
                          where w->>'provider' = ${p(f.provider)}
                            and (w->>'weeksWaited')::int >= ${p(f.minWeeks)})`),
        );
      } else if (f.anyOfProviders) {
        where.push(
          broad(`exists (select 1 from json_array_elements(cp.waits) w
                          where w->>'provider' = any((select ${p(f.anyOfProviders)}::text[])::text[])
                            and (w->>'weeksWaited')::int >= ${p(f.minWeeks)})`),
        );
      }
    }
    if (f.after) {
      where.push(`(cp.rank_key, cp.child_id) > ${after(f.after)}`);
    }
    sql = `select cp.child_id as key, ${common}, null::float8 as "serviceScore", ${CHILD_WEEKS} as weeks,
                  cp.rank_key, cp.child_id as sort_id
             from child_priority cp
            ${where.length ? `where ${where.join(' and ')}` : ''}
            order by cp.rank_key, cp.child_id
            limit ${limit}`;
  }
  // One round trip per page: the keyset page (index walk, LIMIT) and, for clinicians, identity for
  // its rows only. PostgreSQL writes each item as compact JSON (row_to_json: no spaces, keys in
  // select order, numbers in shortest form as JSON.stringify writes them), so Node neither parses
  // ~20 columns per row nor serialises them again; the service adds topReasons and joins the items
  // into the page. The child's waits are stored with its score as compact JSON (written by the
  // rescore with the referral scores they show, migration StoreWaitsWithChildScores): building
  // them here from referral_priority was half of PostgreSQL's time for a page.
  const item = (identity: boolean) =>
    `select p."childId", p.pseudonym${
      identity
        ? // JSON writes a date as YYYY-MM-DD whatever the DateStyle (cheaper than to_char).
          `, c.nhs_number as "nhsNumber", c.given_name as "givenName", c.family_name as "familyName",
           c.date_of_birth as "dateOfBirth"`
        : ''
    }, p.band, p."toolBand", p.overridden, p.review, p.flagged, p.score, p."serviceScore", p.weeks as "weeksWaited", p.waits`;
  return {
    text: `select p."childId", p."toolVersionId", p."topReasons", p.rank_key, p.sort_id,
                ${
                  f.identity
                    ? `case when c.nhs_number is null then (select row_to_json(j) from (${item(false)}) j)
                            else (select row_to_json(j) from (${item(true)}) j) end::text`
                    : `(select row_to_json(j) from (${item(false)}) j)::text`
                } as json
           from (${sql}) p
           ${f.identity ? 'left join child c on c.id = p."childId"' : ''}
          order by p.rank_key, p.sort_id`,
    values: params,
  };
}
