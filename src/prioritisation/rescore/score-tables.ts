// The score tables' COPY column orders and the run stamp on every row: shared by the repository and
// the scoring code (which may run in a worker thread, so this file imports nothing).

export interface RunHeader {
  runId: string;
  toolVersionId: string;
  asAt: string;
  /** ISO instant stamped on every row of the run. */
  scoredAt: string;
}

/** Column order of the COPY rows built by score-rows.ts. */
export const CHILD_PRIORITY_COLUMNS = [
  'child_id',
  'pseudonym',
  'tool_version_id',
  'run_id',
  'as_at',
  'scored_at',
  'score',
  'tool_band',
  'band',
  'band_rank',
  'overridden',
  'review',
  'flagged',
  'neg_score',
  'max_weeks',
  'neg_weeks',
  'service_count',
  'services',
  'providers',
  'locality',
  'flags',
  'flag_details',
  'age_years',
  'age_months',
  'deprivation_decile',
  'check_in',
  'check_in_days',
  'child_points',
  'referral_points',
  'counted_referral_id',
  'factor_points',
  'triggers',
  'problems',
  'top_reasons',
  'waits',
  'rank_key',
] as const;
export const REFERRAL_PRIORITY_COLUMNS = [
  'referral_id',
  'child_id',
  'service_code',
  'service_number',
  'provider_code',
  'priority',
  'days_waited',
  'target_weeks',
  'weeks',
  'points',
  'rank_score',
  'band_rank',
  'neg_score',
  'neg_weeks',
  'factor_points',
  'rank_key',
] as const;
export const HISTORY_COLUMNS = [
  'child_id',
  'run_id',
  'tool_version_id',
  'as_at',
  'scored_at',
  'score',
  'tool_band',
  'band',
] as const;
