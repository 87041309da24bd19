import type { CompiledFactor, CompiledTool, CompiledTrigger } from './compile-tool.js';
import { type ChildFacts, childVars, type Env, referralVars, resolveVar } from './context.js';
import { MissingInputError, truthy } from './expression.js';

export type Inputs = Record<string, unknown>;

/** One of a child's top reasons: a trigger (points null) or a factor and the points it gave. */
export interface Reason {
  id: string;
  points: number | null;
}

/** One factor that gave points (factor → inputs → points). */
export interface FactorResult {
  id: string;
  points: number;
  inputs: Inputs;
}

export interface TriggerResult {
  id: string;
  referralId?: string;
  inputs: Inputs;
}

/** Why a factor could not be applied: the child is still scored, and flagged. */
export interface ScoreProblem {
  rule: string;
  referralId?: string;
  kind: 'missing-input' | 'error';
  /** Variable name or a rule-level message; never a patient value. */
  detail: string;
}

export interface ReferralScore {
  referralId: string;
  service: string;
  provider: string;
  weeksWaited: number | null;
  /** Sum of this referral's factor points. */
  points: number;
  /** Position score in its own service's list: referral points + child-level points. */
  rankScore: number;
  factors: FactorResult[];
}

export interface ChildScore {
  childId: string;
  score: number;
  bandRank: number;
  band: string;
  /** Child-level factor points, added once. */
  childPoints: number;
  /** The referral points counted in the score (the highest, or the sum). */
  referralPoints: number;
  /** With "highest": the referral whose score was counted. */
  countedReferralId: string | null;
  childFactors: FactorResult[];
  referrals: ReferralScore[];
  triggers: TriggerResult[];
  problems: ScoreProblem[];
  /** Longest completed weeks waited among open referrals (for ordering). */
  maxWeeksWaited: number;
  /** The services and providers of the open referrals: distinct, sorted (as the rules saw them). */
  services: string[];
  providers: string[];
  /** The three biggest reasons: triggers first, then the largest factor contributions. */
  topReasons: Reason[];
}

/** Points are kept to one decimal place so an explanation can be added up by hand. */
export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * Scores one child with a compiled tool (shared/domain/prioritisation.md "The default tool"):
 * each open referral scores its referral-level factors; the child adds its child-level factors once;
 * the child score is the highest (or summed) referral score plus child points; triggers force at
 * least their band. A rule that fails for this child is skipped and reported in `problems`; it
 * never stops the score. Pure: the same facts and tool always give the same result.
 */
export function scoreChild(
  tool: CompiledTool,
  facts: ChildFacts,
  options: { inputs?: boolean } = {},
): ChildScore {
  // Bulk rescoring stores the input snapshot instead of per-factor inputs (see explain.ts).
  const withInputs = options.inputs ?? true;
  const problems: ScoreProblem[] = [];
  const child = childVars(facts);
  const env: Env = { child, referral: null };
  const childFactors: FactorResult[] = [];
  let childPoints = 0;
  for (const f of tool.childFactors) {
    const r = applyFactor(f, env, problems, undefined, withInputs);
    if (r) {
      childFactors.push(r);
      childPoints += r.points;
    }
  }
  childPoints = round1(childPoints);
  const triggers: TriggerResult[] = [];
  let forcedRank = Number.POSITIVE_INFINITY;
  for (const t of tool.childTriggers) {
    if (fires(t, env, problems, undefined)) {
      triggers.push({ id: t.id, inputs: withInputs ? inputsOf(t.inputs, env) : {} });
      forcedRank = Math.min(forcedRank, t.bandRank);
    }
  }
  const referrals: ReferralScore[] = [];
  let best: ReferralScore | null = null;
  let sum = 0;
  let maxWeeks = 0;
  for (const rf of facts.referrals) {
    const rv = referralVars(rf);
    env.referral = rv;
    const factors: FactorResult[] = [];
    let points = 0;
    for (const f of tool.referralFactors) {
      if (f.services && !f.services.has(rf.service)) continue;
      const r = applyFactor(f, env, problems, rf.referralId, withInputs);
      if (r) {
        factors.push(r);
        points += r.points;
      }
    }
    for (const t of tool.referralTriggers) {
      if (t.services && !t.services.has(rf.service)) continue;
      if (fires(t, env, problems, rf.referralId)) {
        triggers.push({
          id: t.id,
          referralId: rf.referralId,
          inputs: withInputs ? inputsOf(t.inputs, env) : {},
        });
        forcedRank = Math.min(forcedRank, t.bandRank);
      }
    }
    points = round1(points);
    const rs: ReferralScore = {
      referralId: rf.referralId,
      service: rf.service,
      provider: rf.provider,
      weeksWaited: rv.weeksWaited,
      points,
      rankScore: round1(points + childPoints),
      factors,
    };
    referrals.push(rs);
    sum += points;
    if (rv.weeksWaited !== null && rv.weeksWaited > maxWeeks) maxWeeks = rv.weeksWaited;
    // Ties go to the longer wait, then the referral id, so the counted referral is deterministic.
    if (!best || points > best.points || (points === best.points && compareWait(rs, best) < 0)) {
      best = rs;
    }
  }
  env.referral = null;
  const referralPoints = tool.combine === 'sum' ? round1(sum) : (best?.points ?? 0);
  const score = round1(referralPoints + childPoints);
  let bandRank = bandFor(tool, score);
  if (forcedRank < bandRank) bandRank = forcedRank;
  const result: ChildScore = {
    childId: facts.childId,
    score,
    bandRank,
    band: tool.bands[bandRank].code,
    childPoints,
    referralPoints,
    countedReferralId: tool.combine === 'highest' ? (best?.referralId ?? null) : null,
    childFactors,
    referrals,
    triggers,
    problems,
    maxWeeksWaited: maxWeeks,
    services: child.services,
    providers: child.providers,
    topReasons: [],
  };
  result.topReasons = topReasons(tool, result);
  return result;
}

/** Index of the band a score falls in (0 = highest priority). */
export function bandFor(tool: Pick<CompiledTool, 'bands'>, score: number): number {
  const bands = tool.bands;
  for (let i = 0; i < bands.length - 1; i++) if (score >= (bands[i].minScore as number)) return i;
  return bands.length - 1;
}

function compareWait(a: ReferralScore, b: ReferralScore): number {
  const wa = a.weeksWaited ?? -1;
  const wb = b.weeksWaited ?? -1;
  if (wa !== wb) return wb - wa;
  return a.referralId < b.referralId ? -1 : a.referralId > b.referralId ? 1 : 0;
}

const NO_INPUTS: Inputs = Object.freeze({});

function applyFactor(
  f: CompiledFactor,
  env: Env,
  problems: ScoreProblem[],
  referralId: string | undefined,
  withInputs: boolean,
): FactorResult | null {
  try {
    if (f.when && !truthy(f.when.evaluate(env))) return null;
    const raw = f.points.evaluate(env);
    if (typeof raw !== 'number' || !Number.isFinite(raw)) {
      problems.push({
        rule: f.id,
        referralId,
        kind: 'error',
        detail: 'points did not come out as a number',
      });
      return null;
    }
    const points = round1(f.cap !== null && raw > f.cap ? f.cap : raw);
    if (points === 0) return null;
    return { id: f.id, points, inputs: withInputs ? inputsOf(f.inputs, env) : NO_INPUTS };
  } catch (error) {
    problems.push(problemFrom(f.id, referralId, error));
    return null;
  }
}

function fires(
  t: CompiledTrigger,
  env: Env,
  problems: ScoreProblem[],
  referralId: string | undefined,
): boolean {
  try {
    return truthy(t.when.evaluate(env));
  } catch (error) {
    problems.push(problemFrom(t.id, referralId, error));
    return false;
  }
}

function problemFrom(rule: string, referralId: string | undefined, error: unknown): ScoreProblem {
  if (error instanceof MissingInputError) {
    return { rule, referralId, kind: 'missing-input', detail: error.variable };
  }
  // Messages come from expression.ts and name operators or variables only, never values.
  return {
    rule,
    referralId,
    kind: 'error',
    detail: error instanceof Error ? error.message : 'the rule failed',
  };
}

const resolvers = new Map<string, (env: Env) => unknown>();
function inputsOf(names: string[], env: Env): Inputs {
  const out: Inputs = {};
  for (const n of names) {
    let r = resolvers.get(n);
    if (!r) {
      r = resolveVar(n);
      resolvers.set(n, r);
    }
    out[n] = r(env);
  }
  return out;
}

/** Each trigger's place in the tool (child triggers, then referral triggers, as written). */
const triggerOrders = new WeakMap<CompiledTool, Map<string, number>>();
function triggerOrder(tool: CompiledTool): Map<string, number> {
  let order = triggerOrders.get(tool);
  if (!order) {
    order = new Map([...tool.childTriggers, ...tool.referralTriggers].map((t, i) => [t.id, i]));
    triggerOrders.set(tool, order);
  }
  return order;
}

/**
 * Triggers first (in the tool's order, so the reasons never depend on the order the referrals were
 * read in), then the biggest contributors among child factors and the counted referral(s).
 */
function topReasons(tool: CompiledTool, s: ChildScore): Reason[] {
  const reasons: Reason[] = [];
  for (const t of s.triggers) {
    if (!reasons.some((r) => r.id === t.id)) reasons.push({ id: t.id, points: null });
  }
  if (reasons.length > 1) {
    const order = triggerOrder(tool);
    reasons.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  }
  if (reasons.length >= 3) return reasons.slice(0, 3);
  // Small lists: plain arrays allocate less than a Map on the bulk path.
  const ids: string[] = [];
  const pts: number[] = [];
  const add = (f: FactorResult) => {
    const i = ids.indexOf(f.id);
    if (i < 0) {
      ids.push(f.id);
      pts.push(f.points);
    } else pts[i] += f.points;
  };
  for (const f of s.childFactors) add(f);
  for (const r of s.referrals) {
    if (tool.combine === 'highest' && r.referralId !== s.countedReferralId) continue;
    for (const f of r.factors) add(f);
  }
  while (reasons.length < 3) {
    let best = -1;
    for (let i = 0; i < ids.length; i++) {
      if (
        pts[i] > 0 &&
        (best < 0 || pts[i] > pts[best] || (pts[i] === pts[best] && ids[i] < ids[best]))
      ) {
        best = i;
      }
    }
    if (best < 0) break;
    reasons.push({ id: ids[best], points: round1(pts[best]) });
    pts[best] = 0;
  }
  return reasons;
}

/** A reason in words: "Review: <trigger label>" or "<factor label> (+points)". */
export function reasonText(labels: ReadonlyMap<string, string>, r: Reason): string {
  const label = labels.get(r.id) ?? r.id;
  return r.points === null ? `Review: ${label}` : `${label} (+${r.points})`;
}
