/**
 * The prioritisation tool as data (shared/domain/prioritisation.md "Principles" 1): factors, triggers,
 * bands and how a child's referrals combine. Expressions are JSONLogic (see expression.ts).
 */
export type Level = 'referral' | 'child';

export interface BandDocument {
  /** Short code shown on lists, e.g. "P1" or "red". */
  code: string;
  label: string;
  /** Lowest score in the band; omitted on the last (catch-all) band. */
  minScore?: number;
}

export interface FactorDocument {
  id: string;
  label: string;
  level: Level;
  /** Optional condition: the factor scores only when it is true. */
  when?: unknown;
  /** A number, or an expression giving a number. */
  points: unknown;
  /** The most points the factor can give. */
  cap?: number;
  /** Referral factors only: the services the factor applies to (all when omitted). */
  services?: string[];
  /** Words for the explanation; {variable} is replaced by the input's value. */
  explain?: string;
}

export interface TriggerDocument {
  id: string;
  label: string;
  level: Level;
  when: unknown;
  /** Referral triggers only: services the trigger applies to (all when omitted). */
  services?: string[];
  /** The band the trigger forces the child into at least (the document's triggerBand when omitted). */
  band?: string;
  explain?: string;
}

export interface ToolDocument {
  name: string;
  description?: string;
  /** Highest priority first. */
  bands: BandDocument[];
  /** Default band a trigger forces (at least). */
  triggerBand: string;
  /** How a child's referral scores make the child's score: the highest one, or their sum. */
  combine: { referrals: 'highest' | 'sum' };
  factors: FactorDocument[];
  triggers: TriggerDocument[];
}
