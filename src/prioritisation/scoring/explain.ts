import {
  bandFor,
  type ChildScore,
  type FactorResult,
  type Inputs,
  round1,
  type ScoreProblem,
  type TriggerResult,
} from './score-child.js';
import type { ToolDocument } from './tool-document.js';
import { FREE_TEXT_VARS, VAR_DESCRIPTIONS, withholdFlagDetail } from './context.js';

/** What is stored with each child's score: enough to explain it later without recomputing. */
export interface StoredBreakdown {
  combine: 'highest' | 'sum';
  childPoints: number;
  referralPoints: number;
  countedReferralId: string | null;
  child: FactorResult[];
  referrals: Array<{
    id: string;
    service: string;
    provider: string;
    weeks: number | null;
    points: number;
    rank: number;
    factors: FactorResult[];
  }>;
  triggers: TriggerResult[];
  problems: ScoreProblem[];
}

export function toStoredBreakdown(s: ChildScore, combine: 'highest' | 'sum'): StoredBreakdown {
  return {
    combine,
    childPoints: s.childPoints,
    referralPoints: s.referralPoints,
    countedReferralId: s.countedReferralId,
    child: s.childFactors,
    referrals: s.referrals.map((r) => ({
      id: r.referralId,
      service: r.service,
      provider: r.provider,
      weeks: r.weeksWaited,
      points: r.points,
      rank: r.rankScore,
      factors: r.factors,
    })),
    triggers: s.triggers,
    problems: s.problems,
  };
}

export interface ExplainedFactor {
  id: string;
  label: string;
  points: number;
  inputs: Inputs;
  text: string;
}

export interface Explanation {
  summary: string;
  score: number;
  childPoints: number;
  referralPoints: number;
  referrals: Array<{
    referralId: string;
    service: string;
    provider: string;
    /** Completed weeks on the RTT clock at the as-at date; null when no clock runs (see waitNote). */
    weeksWaited: number | null;
    /** Why weeksWaited is null, in words; null when it is a number. */
    waitNote: string | null;
    points: number;
    rankScore: number;
    counted: boolean;
    /**
     * The referral's clinical detail (each factor's inputs and words) is for that service's team:
     * the reader sees the factors' labels and points, so the score still adds up
     * (ExplainContext.detailFor).
     */
    detailWithheld: boolean;
    factors: ExplainedFactor[];
  }>;
  childFactors: ExplainedFactor[];
  triggers: Array<{ id: string; label: string; referralId: string | null; text: string }>;
  notApplied: Array<{ id: string; label: string }>;
  problems: Array<{ rule: string; referralId: string | null; text: string }>;
}

/** What the words of an explanation may name besides the tool: services by name, an override. */
export interface ExplainContext {
  /** A service's name in the catalogue (undefined: the code is shown as it is). */
  serviceName?: (code: string) => string | undefined;
  /** The clinician override that sets the band shown instead of the tool's band. */
  override?: { band: string; reviewDate: string; setBy: string } | null;
  /**
   * The reader may not see free text from the providers' systems (FREE_TEXT_VARS): a flag's detail
   * is shown as "[withheld]", in the inputs and in the words, and the points stay as they are.
   */
  withholdFreeText?: boolean;
  /**
   * Whether the reader may see a service's clinical detail (a clinician: the services they work
   * in, as the child's record shows "also waiting for X since Y" for the others). Unset: every
   * service's. Where not, a referral's factors keep their labels and points and lose their inputs
   * and words, and so do its triggers.
   */
  detailFor?: (service: string) => boolean;
}

/**
 * Turns a stored breakdown into words a clinician can check by hand: the counted referral
 * points plus the child-level points make the score (prioritisation.md principle 2). `bandCode` is
 * the tool's band; an active override is said after it, with the band it sets and until when.
 */
export function explain(
  doc: ToolDocument,
  b: StoredBreakdown,
  score: number,
  bandCode: string,
  context: ExplainContext = {},
): Explanation {
  const serviceName = (code: string) => context.serviceName?.(code) ?? code;
  const visible = context.withholdFreeText ? withholdFreeText : (inputs: Inputs) => inputs;
  const fill = (template: string, inputs: Inputs) => fillTemplate(template, inputs, serviceName);
  const factorDocs = new Map(doc.factors.map((f) => [f.id, f]));
  const triggerDocs = new Map(doc.triggers.map((t) => [t.id, t]));
  /** `heldBy`: the team whose detail this is, when the reader may not see it (context.detailFor). */
  const describe = (f: FactorResult, heldBy?: string): ExplainedFactor => {
    const d = factorDocs.get(f.id);
    const label = d?.label ?? f.id;
    if (heldBy) {
      return {
        id: f.id,
        label,
        points: f.points,
        inputs: {},
        text: `${label}: ${signed(f.points)} points (${heldBy})`,
      };
    }
    const inputs = visible(f.inputs);
    const because = d?.explain
      ? fill(d.explain, inputs)
      : Object.entries(inputs)
          .map(([k, v]) => `${k} = ${show(v)}`)
          .join(', ');
    const capped = d?.cap !== undefined && f.points === d.cap ? ` (the cap)` : '';
    return {
      id: f.id,
      label,
      points: f.points,
      inputs,
      text: `${label}: ${because ? `${because} → ` : ''}${signed(f.points)} points${capped}`,
    };
  };
  const applied = new Set([
    ...b.child.map((f) => f.id),
    ...b.referrals.flatMap((r) => r.factors.map((f) => f.id)),
  ]);
  const counted = b.referrals.find((r) => r.id === b.countedReferralId);
  const band = doc.bands.find((x) => x.code === bandCode);
  const referralPart =
    b.combine === 'sum'
      ? `${b.referralPoints} from all ${b.referrals.length} open referrals added together`
      : counted
        ? `${b.referralPoints} from the highest-scoring referral (${serviceName(counted.service)})`
        : `${b.referralPoints} from referrals`;
  // Per referral, the team whose detail it is when the reader may not see it (context.detailFor).
  const heldByReferral = new Map(
    b.referrals
      .filter((r) => context.detailFor && !context.detailFor(r.service))
      .map((r) => [r.id, `the detail is for the ${serviceName(r.service)} team`]),
  );
  const triggers = b.triggers.map((t) => {
    const d = triggerDocs.get(t.id);
    const label = d?.label ?? t.id;
    const heldBy = t.referralId ? heldByReferral.get(t.referralId) : undefined;
    let words = '';
    if (heldBy) words = ` (${heldBy})`;
    else if (d?.explain) words = `: ${fill(d.explain, visible(t.inputs))}`;
    return {
      id: t.id,
      label,
      referralId: t.referralId ?? null,
      text: `${label}${words} (forces band ${d?.band ?? doc.triggerBand} or higher and a clinical review)`,
    };
  });
  const override = context.override;
  const shown = override && doc.bands.find((x) => x.code === override.band);
  // A trigger "forces" the band only when the score alone would have put the child lower; otherwise
  // it still asks for a clinical review, and the summary says that instead.
  const n = triggers.length;
  const byScore = doc.bands[bandFor(doc, score)]?.code;
  const triggerPart = !n
    ? ''
    : byScore !== bandCode
      ? `, forced by ${n} trigger${n > 1 ? 's' : ''} (the score alone gives ${byScore})`
      : `; ${n} trigger${n > 1 ? 's' : ''} also ask${n > 1 ? '' : 's'} for a clinical review`;
  return {
    summary:
      `Score ${score} = ${referralPart} + ${b.childPoints} child-level points. ` +
      `${override ? "The tool's band" : 'Band'} ${bandCode}${band ? ` (${band.label})` : ''}${triggerPart}.` +
      (override
        ? ` Shown as band ${override.band}${shown ? ` (${shown.label})` : ''} by a clinician's override (${override.setBy}) until ${override.reviewDate}, when the child returns to the tool's band.`
        : ''),
    score,
    childPoints: b.childPoints,
    referralPoints: b.referralPoints,
    referrals: b.referrals.map((r) => ({
      referralId: r.id,
      service: r.service,
      provider: r.provider,
      weeksWaited: r.weeks,
      waitNote: r.weeks === null ? `${NO_CLOCK[0].toUpperCase()}${NO_CLOCK.slice(1)}.` : null,
      points: r.points,
      rankScore: r.rank,
      counted: b.combine === 'sum' || r.id === b.countedReferralId,
      detailWithheld: heldByReferral.has(r.id),
      factors: r.factors.map((f) => describe(f, heldByReferral.get(r.id))),
    })),
    childFactors: b.child.map((f) => describe(f)),
    triggers,
    notApplied: doc.factors
      .filter((f) => !applied.has(f.id))
      .map((f) => ({ id: f.id, label: f.label })),
    problems: b.problems.map((p) => {
      const label = factorDocs.get(p.rule)?.label ?? triggerDocs.get(p.rule)?.label ?? p.rule;
      const text =
        p.kind === 'missing-input'
          ? `"${label}" was not applied: ${missingInWords(p.detail)} (the tool's input ${p.detail}).`
          : `"${label}" was not applied: the rule failed (${p.detail})`;
      return { rule: p.rule, referralId: p.referralId ?? null, text };
    }),
  };
}

/**
 * Why a waiting referral has no weeks (shared/domain/reference.md §1.4, Rule 5e): its clock was
 * stopped and nullified by a missed first appointment, and only a rebooking starts a new one (at
 * zero, never linked back to the old start). The family's view of the child says the same.
 */
const NO_CLOCK =
  'no waiting-time clock at the as-at date: clock stopped (did not attend) when the first appointment was missed; a new clock starts at zero when the appointment is rebooked';
const NO_RUNNING_CLOCK = `this referral has ${NO_CLOCK}, and the rule counts again from then`;

/** Why a rule could not be worked out, in words a clinician can act on. */
function missingInWords(variable: string): string {
  switch (variable) {
    case 'referral.daysWaited':
    case 'referral.weeksWaited':
    case 'referral.waitRatio':
      return NO_RUNNING_CLOCK;
    case 'child.ageYears':
    case 'child.ageMonths':
      return "the child's date of birth is not on record; it counts once it is";
    case 'child.deprivationDecile':
      return "the deprivation decile (IMD, 1 = most deprived) of the child's home area is not on record; it counts once it is";
    default:
      return `${VAR_DESCRIPTIONS[variable] ?? 'a value it needs'} is not on record; it counts once it is`;
  }
}

/** Sum of what the explanation lists as counted: equals the score. */
export function explainedTotal(e: Explanation): number {
  const referral = e.referrals
    .filter((r) => r.counted)
    .reduce((s, r) => s + r.factors.reduce((t, f) => t + f.points, 0), 0);
  const child = e.childFactors.reduce((s, f) => s + f.points, 0);
  return round1(referral + child);
}

/** Inputs with each free-text variable's details withheld (ExplainContext.withholdFreeText). */
function withholdFreeText(inputs: Inputs): Inputs {
  if (!Object.keys(inputs).some((k) => FREE_TEXT_VARS.has(k))) return inputs;
  return Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [
      k,
      FREE_TEXT_VARS.has(k) && Array.isArray(v)
        ? (v as unknown[]).map((x) => (typeof x === 'string' ? withholdFlagDetail(x) : x))
        : v,
    ]),
  );
}

/** A factor's `explain` template with its inputs filled in; a service is named, not coded. */
function fillTemplate(
  template: string,
  inputs: Inputs,
  serviceName: (code: string) => string,
): string {
  return template.replace(/\{([a-zA-Z.]+)\}/g, (_, name: string) => {
    if (!Object.hasOwn(inputs, name)) return `{${name}}`;
    const value = inputs[name];
    return name === 'referral.service' && typeof value === 'string'
      ? serviceName(value)
      : show(value);
  });
}

function show(v: unknown): string {
  if (v === null || v === undefined) return 'unknown';
  if (typeof v === 'number') return String(round1(v) === v ? v : round1(v));
  if (Array.isArray(v)) return v.map(show).join(', ');
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return JSON.stringify(v);
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
