import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export type EquityDimension = 'deprivationQuintile' | 'ageGroup' | 'locality';

/** One group's figures, or one band's count within a group (band set). */
export interface EquityCellRow {
  dimension: EquityDimension | 'all';
  key: string;
  /** Null on a group's own row; the band on a band's row. */
  band: string | null;
  children: number;
  overridden: number;
  /** The middle child's longest wait in completed weeks (a group's own row only). */
  medianWeeks: number | null;
  toolVersionId: string | null;
  asAt: string | null;
}

/**
 * The live scores, counted by deprivation quintile, age group and locality: how many children, in
 * which band, how long the middle child has waited, how many bands are a clinician's override. One
 * statement (grouping sets) over the score table; aggregates only, nobody identifiable.
 */
@Injectable()
export class EquityRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async cells(providers: string[] | null): Promise<EquityCellRow[]> {
    return this.db.query(
      `with scoped as (
         select cp.band, cp.overridden, cp.max_weeks, cp.tool_version_id, cp.as_at,
                case when cp.deprivation_decile is null then 'unknown'
                     else ((cp.deprivation_decile + 1) / 2)::text end as quintile,
                case when cp.age_years is null then 'unknown'
                     when cp.age_years < 5 then '0-4'
                     when cp.age_years < 11 then '5-10'
                     when cp.age_years < 16 then '11-15'
                     else '16+' end as age_group,
                coalesce(cp.locality, 'unknown') as locality
           from child_priority cp
          where $1::text[] is null or cp.providers && $1::text[])
       select case when grouping(quintile) = 0 then 'deprivationQuintile'
                   when grouping(age_group) = 0 then 'ageGroup'
                   when grouping(locality) = 0 then 'locality'
                   else 'all' end as dimension,
              coalesce(quintile, age_group, locality, 'all') as key,
              band,
              count(*)::int as children,
              (count(*) filter (where overridden))::int as overridden,
              case when grouping(band) = 1 then percentile_disc(0.5) within group (order by max_weeks) end as "medianWeeks",
              min(tool_version_id::text) as "toolVersionId",
              to_char(max(as_at), 'YYYY-MM-DD') as "asAt"
         from scoped
        group by grouping sets ((), (band), (quintile), (quintile, band), (age_group), (age_group, band),
                                (locality), (locality, band))`,
      [providers],
    );
  }
}
