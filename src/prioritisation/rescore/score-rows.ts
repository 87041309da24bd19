import type { CompiledTool } from '../scoring/compile-tool.js';
import { toStoredBreakdown } from '../scoring/explain.js';
import { scoreChild } from '../scoring/score-child.js';
import type { ChildPriorityRow, ChildRow, HistoryRow, ReferralPriorityRow } from './rescore.repository.js';

export interface ScoredBatch {
  children: ChildPriorityRow[];
  referrals: ReferralPriorityRow[];
  history: HistoryRow[];
  flagged: number;
  /** "rule:kind" → number of children with that problem. */
  problems: Map<string, number>;
}

/**
 * Scores a batch of children and shapes the rows to store. An active clinician override sets the
 * band shown and ranked (the tool band is kept beside it); an override naming a band the tool does
 * not have is ignored and reported as a problem.
 */
export function scoreRows(tool: CompiledTool, rows: ChildRow[]): ScoredBatch {
  const out: ScoredBatch = { children: [], referrals: [], history: [], flagged: 0, problems: new Map() };
  const bandIndex = new Map(tool.bands.map((b, i) => [b.code, i]));
  for (const row of rows) {
    const s = scoreChild(tool, row.facts);
    let band = s.band;
    let bandRank = s.bandRank;
    const overrideRank = row.overrideBand === null ? undefined : bandIndex.get(row.overrideBand);
    if (row.overrideBand !== null) {
      if (overrideRank === undefined) s.problems.push({ rule: 'clinician-override', kind: 'error', detail: 'the override band is not a band of this tool' });
      else {
        band = row.overrideBand;
        bandRank = overrideRank;
      }
    }
    if (s.problems.length) {
      out.flagged++;
      for (const key of new Set(s.problems.map((p) => `${p.rule}:${p.kind}`))) out.problems.set(key, (out.problems.get(key) ?? 0) + 1);
    }
    const facts = row.facts;
    out.children.push({
      child_id: facts.childId,
      pseudonym: row.pseudonym,
      score: s.score,
      tool_band: s.band,
      band,
      band_rank: bandRank,
      overridden: overrideRank !== undefined,
      review: s.triggers.length > 0,
      flagged: s.problems.length > 0,
      max_weeks: s.maxWeeksWaited,
      service_count: new Set(facts.referrals.map((r) => r.service)).size,
      services: [...new Set(facts.referrals.map((r) => r.service))].sort(),
      providers: [...new Set(facts.referrals.map((r) => r.provider))].sort(),
      locality: facts.locality,
      flags: facts.flags,
      waits: s.referrals.map((r) => ({ service: r.service, provider: r.provider, weeks: r.weeksWaited, score: r.rankScore })),
      top_reasons: s.topReasons,
      breakdown: toStoredBreakdown(s, tool.combine),
    });
    for (const r of s.referrals) {
      out.referrals.push({
        referral_id: r.referralId,
        child_id: facts.childId,
        service_code: r.service,
        provider_code: r.provider,
        points: r.points,
        rank_score: r.rankScore,
        band_rank: bandRank,
        weeks: r.weeksWaited,
      });
    }
    if (row.previousScore !== s.score || row.previousBand !== band) {
      out.history.push({ child_id: facts.childId, score: s.score, tool_band: s.band, band });
    }
  }
  return out;
}
