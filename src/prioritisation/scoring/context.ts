import type { VarCatalogue } from './expression.js';

/**
 * What the rules can read about one child and one referral, already derived for the as-at date
 * (waits in days, age in completed years and months). The repository derives these facts in SQL
 * from the same as-at date, so a rescore is deterministic (prioritisation.md principle 7).
 */
export interface ReferralFacts {
  referralId: string;
  service: string;
  provider: string;
  priority: string;
  /** Days on the RTT clock at the as-at date; null when the clock was nullified (first-appointment DNA). */
  daysWaited: number | null;
  targetWeeks: number;
}

export interface CheckInFacts {
  answer: 'no-change' | 'worse' | 'crisis';
  daysAgo: number;
}

export interface ChildFacts {
  childId: string;
  ageYears: number | null;
  ageMonths: number | null;
  locality: string | null;
  deprivationDecile: number | null;
  /** Active flag codes (child-in-care, ehcp, safeguarding-concern, not-in-school). */
  flags: string[];
  /** Active flags with their detail, e.g. "not-in-school:excluded". */
  flagDetails: string[];
  checkIn: CheckInFacts | null;
  /** Open (waiting) referrals only. */
  referrals: ReferralFacts[];
}

export interface ChildVars {
  ageYears: number | null;
  ageMonths: number | null;
  serviceCount: number;
  openReferrals: number;
  services: string[];
  providers: string[];
  flags: string[];
  flagDetails: string[];
  deprivationDecile: number | null;
  locality: string | null;
  checkIn: string | null;
  checkInDaysAgo: number | null;
  checkInWeeksAgo: number | null;
}

export interface ReferralVars {
  service: string;
  provider: string;
  priority: string;
  daysWaited: number | null;
  weeksWaited: number | null;
  targetWeeks: number;
  waitRatio: number | null;
}

export interface Env {
  child: ChildVars;
  referral: ReferralVars | null;
}

export const CHILD_VARS: VarCatalogue = {
  'child.ageYears': 'number',
  'child.ageMonths': 'number',
  'child.serviceCount': 'number',
  'child.openReferrals': 'number',
  'child.services': 'string[]',
  'child.providers': 'string[]',
  'child.flags': 'string[]',
  'child.flagDetails': 'string[]',
  'child.deprivationDecile': 'number',
  'child.locality': 'string',
  'child.checkIn': 'string',
  'child.checkInDaysAgo': 'number',
  'child.checkInWeeksAgo': 'number',
};

export const REFERRAL_VARS: VarCatalogue = {
  ...CHILD_VARS,
  'referral.service': 'string',
  'referral.provider': 'string',
  'referral.priority': 'string',
  'referral.daysWaited': 'number',
  'referral.weeksWaited': 'number',
  'referral.targetWeeks': 'number',
  'referral.waitRatio': 'number',
};

/**
 * Variables holding free text from a provider's system (a flag's detail, after the code: it may name
 * a person or a place). Shown only to those who may see the child's identity (clinicians): in an
 * explanation for anyone else each detail is withheld and only the flag's code shown.
 */
export const FREE_TEXT_VARS: ReadonlySet<string> = new Set(['child.flagDetails']);

/** "code:detail" → "code:[withheld]" (a flag without detail is shown as it is). */
export function withholdFlagDetail(flagDetail: string): string {
  const colon = flagDetail.indexOf(':');
  return colon < 0 ? flagDetail : `${flagDetail.slice(0, colon)}:[withheld]`;
}

/** Plain-English meaning of each variable, for validation messages and docs. */
export const VAR_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'child.ageYears': 'age in completed years at the as-at date',
  'child.ageMonths': 'age in completed months at the as-at date',
  'child.serviceCount': 'number of different services the child has open referrals with',
  'child.openReferrals': 'number of open referrals',
  'child.services': 'codes of the services the child waits for',
  'child.providers': 'codes of the providers the child waits with',
  'child.flags': 'active flag codes: child-in-care, ehcp, safeguarding-concern, not-in-school',
  'child.flagDetails': 'active flags with detail, e.g. not-in-school:excluded',
  'child.deprivationDecile': 'IMD decile of the home area (1 = most deprived)',
  'child.locality': 'locality name',
  'child.checkIn': 'latest family check-in answer: no-change, worse or crisis (null when none)',
  'child.checkInDaysAgo': 'days since the latest family check-in',
  'child.checkInWeeksAgo': 'completed weeks since the latest family check-in',
  'referral.service': 'service code of the referral',
  'referral.provider': 'provider ODS code',
  'referral.priority': 'clinical priority: routine, soon or urgent',
  'referral.daysWaited': 'days on the RTT clock (null when the clock was nullified)',
  'referral.weeksWaited': 'completed weeks on the RTT clock',
  'referral.targetWeeks': "the service's waiting-time target in weeks",
  'referral.waitRatio': 'completed weeks waited divided by the target weeks',
};

/**
 * Adds `v` to a short list of distinct strings kept in the order `sort()` gives (code units), in
 * place: Array.prototype.sort allocates its work arrays on every call (about 700 bytes a call on a
 * full rescore, a fifth of what its scoring allocated).
 */
export function addSorted(list: string[], v: string): void {
  let i = list.length;
  while (i > 0 && list[i - 1] > v) i--;
  if (i > 0 && list[i - 1] === v) return;
  list.push(v);
  for (let j = list.length - 1; j > i; j--) list[j] = list[j - 1];
  list[i] = v;
}

export function childVars(f: ChildFacts): ChildVars {
  // Distinct, sorted; plain loops (a child has a handful of referrals) allocate less on bulk rescores.
  const services: string[] = [];
  const providers: string[] = [];
  for (const r of f.referrals) {
    addSorted(services, r.service);
    addSorted(providers, r.provider);
  }
  return {
    ageYears: f.ageYears,
    ageMonths: f.ageMonths,
    serviceCount: services.length,
    openReferrals: f.referrals.length,
    services,
    providers,
    flags: f.flags,
    flagDetails: f.flagDetails,
    deprivationDecile: f.deprivationDecile,
    locality: f.locality,
    checkIn: f.checkIn?.answer ?? null,
    checkInDaysAgo: f.checkIn?.daysAgo ?? null,
    checkInWeeksAgo: f.checkIn ? Math.floor(f.checkIn.daysAgo / 7) : null,
  };
}

export function referralVars(r: ReferralFacts): ReferralVars {
  const weeks = r.daysWaited === null || r.daysWaited < 0 ? null : Math.floor(r.daysWaited / 7);
  return {
    service: r.service,
    provider: r.provider,
    priority: r.priority,
    daysWaited: r.daysWaited,
    weeksWaited: weeks,
    targetWeeks: r.targetWeeks,
    waitRatio: weeks === null ? null : weeks / r.targetWeeks,
  };
}

/** Reads "child.x" or "referral.x" from an Env; a name that is not a variable is refused. */
export function resolveVar(name: string): (env: Env) => unknown {
  // Checked once, when a rule is compiled: an unknown name (or one of Object's, such as
  // "constructor") would read Object's members rather than the child's data.
  if (!Object.hasOwn(REFERRAL_VARS, name)) throw new Error(`"${name}" is not a rule variable`);
  const dot = name.indexOf('.');
  const scope = name.slice(0, dot);
  const key = name.slice(dot + 1);
  if (scope === 'child') return (env) => (env.child as unknown as Record<string, unknown>)[key];
  return (env) => (env.referral as unknown as Record<string, unknown> | null)?.[key] ?? null;
}
