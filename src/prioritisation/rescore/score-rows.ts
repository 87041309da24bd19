import type { CompiledTool } from '../scoring/compile-tool.js';
import { scoreChild } from '../scoring/score-child.js';
import { copyBool, copyNumber, copyText, copyTextArray } from './copy-text.js';
import type { ChildRow, RunHeader } from './rescore.repository.js';

export interface ScoredBatch {
  /** COPY text lines for child_priority, referral_priority and child_priority_history. */
  children: string;
  referrals: string;
  history: string;
  childCount: number;
  referralCount: number;
  flagged: number;
  /** "rule:kind" → number of children with that problem. */
  problems: Map<string, number>;
  childIds: string[];
}

/**
 * Scores a batch of children and prepares the rows to store: the score, bands and sort keys, the
 * input snapshot (so the explanation can be re-derived exactly) and the points of each factor.
 * An active clinician override sets the band shown and ranked (the tool band is kept beside it);
 * an override naming a band the tool does not have is ignored and reported as a problem.
 */
export function scoreRows(
  tool: CompiledTool,
  rows: ChildRow[],
  run: RunHeader,
  collectIds = false,
): ScoredBatch {
  const out: ScoredBatch = {
    children: '',
    referrals: '',
    history: '',
    childCount: 0,
    referralCount: 0,
    flagged: 0,
    problems: new Map(),
    childIds: [],
  };
  const bandIndex = new Map(tool.bands.map((b, i) => [b.code, i]));
  const runCols = `${run.toolVersionId}\t${run.runId}\t${run.asAt}\t${run.scoredAt}`;
  let children = '';
  let referrals = '';
  let history = '';
  for (const row of rows) {
    const f = row.facts;
    const s = scoreChild(tool, f, { inputs: false });
    let band = s.band;
    let bandRank = s.bandRank;
    const overrideRank = row.overrideBand === null ? undefined : bandIndex.get(row.overrideBand);
    if (row.overrideBand !== null) {
      if (overrideRank === undefined) {
        s.problems.push({
          rule: 'clinician-override',
          kind: 'error',
          detail: 'the override band is not a band of this tool',
        });
      } else {
        band = row.overrideBand;
        bandRank = overrideRank;
      }
    }
    if (s.problems.length) {
      out.flagged++;
      for (const key of new Set(s.problems.map((p) => `${p.rule}:${p.kind}`))) {
        out.problems.set(key, (out.problems.get(key) ?? 0) + 1);
      }
    }
    const services: string[] = [];
    const providers: string[] = [];
    for (const r of f.referrals) {
      if (!services.includes(r.service)) services.push(r.service);
      if (!providers.includes(r.provider)) providers.push(r.provider);
    }
    services.sort();
    providers.sort();
    let factorPoints = '';
    for (const x of s.childFactors) factorPoints += `${factorPoints ? ';' : ''}${x.id}=${x.points}`;
    let triggers = '';
    for (const t of s.triggers) {
      triggers += `${triggers ? ';' : ''}${t.id}${t.referralId ? `@${t.referralId}` : ''}`;
    }
    let reasons = '';
    for (const r of s.topReasons) {
      reasons += `${reasons ? ';' : ''}${r.id}${r.points === null ? '' : `=${r.points}`}`;
    }
    children +=
      `${f.childId}\t${copyText(row.pseudonym)}\t${runCols}\t${s.score}\t${copyText(s.band)}\t${copyText(band)}\t${bandRank}\t` +
      `${copyBool(overrideRank !== undefined)}\t${copyBool(s.triggers.length > 0)}\t${copyBool(s.problems.length > 0)}\t${-s.score}\t` +
      `${s.maxWeeksWaited}\t${-s.maxWeeksWaited}\t${services.length}\t${copyTextArray(services)}\t${copyTextArray(providers)}\t` +
      `${copyText(f.locality)}\t${copyTextArray(f.flags)}\t${copyTextArray(f.flagDetails)}\t${copyNumber(f.ageYears)}\t` +
      `${copyNumber(f.ageMonths)}\t${copyNumber(f.deprivationDecile)}\t${copyText(f.checkIn?.answer)}\t${copyNumber(f.checkIn?.daysAgo)}\t` +
      `${s.childPoints}\t${s.referralPoints}\t${s.countedReferralId ?? '\\N'}\t${factorPoints}\t${triggers}\t` +
      `${s.problems.length ? copyText(JSON.stringify(s.problems)) : ''}\t${reasons}\n`;
    for (let i = 0; i < s.referrals.length; i++) {
      const r = s.referrals[i];
      const rf = f.referrals[i];
      let points = '';
      for (const x of r.factors) points += `${points ? ';' : ''}${x.id}=${x.points}`;
      referrals +=
        `${r.referralId}\t${f.childId}\t${copyText(r.service)}\t${copyText(r.provider)}\t${copyText(rf.priority)}\t${copyNumber(rf.daysWaited)}\t` +
        `${rf.targetWeeks}\t${copyNumber(r.weeksWaited)}\t${r.points}\t${r.rankScore}\t${bandRank}\t${-r.rankScore}\t` +
        `${-(r.weeksWaited ?? -1)}\t${points}\n`;
    }
    out.referralCount += s.referrals.length;
    out.childCount++;
    if (collectIds) out.childIds.push(f.childId);
    if (row.previousScore !== s.score || row.previousBand !== band) {
      history += `${f.childId}\t${run.runId}\t${run.toolVersionId}\t${run.asAt}\t${run.scoredAt}\t${s.score}\t${copyText(s.band)}\t${copyText(band)}\n`;
    }
  }
  out.children = children;
  out.referrals = referrals;
  out.history = history;
  return out;
}
