import type { ChildFacts, ReferralFacts } from '../scoring/context.js';

/** A child's scoring facts plus what the lists and previews need beside them. */
export interface ChildRow {
  facts: ChildFacts;
  pseudonym: string;
  overrideBand: string | null;
  previousScore: number | null;
  previousBand: string | null;
}

/**
 * One row of the facts query (rescore.repository.ts), as PostgreSQL sends it: referrals packed as
 * "id,service,provider,priority,days,target;..." and flags as "code:detail|...". Plain values, so a
 * batch can be handed to the scoring worker as it is.
 */
export type RawRow = [
  id: string,
  pseudonym: string,
  locality: string | null,
  decile: number | null,
  ageYears: number | null,
  ageMonths: number | null,
  refs: string,
  flags: string | null,
  checkIn: string | null,
  checkInDays: number | null,
  overrideBand: string | null,
  previousScore: number | null,
  previousBand: string | null,
];

export function toChildRow(r: RawRow): ChildRow {
  const referrals: ReferralFacts[] = [];
  for (const packed of r[6].split(';')) {
    const [referralId, service, provider, priority, days, target] = packed.split(',');
    referrals.push({
      referralId,
      service,
      provider,
      priority,
      daysWaited: days === '' ? null : Number(days),
      targetWeeks: Number(target),
    });
  }
  const flagDetails = r[7] ? r[7].split('|') : [];
  const flags: string[] = [];
  for (const f of flagDetails) {
    const code = f.split(':')[0];
    if (!flags.includes(code)) flags.push(code);
  }
  return {
    facts: {
      childId: r[0],
      ageYears: r[4],
      ageMonths: r[5],
      locality: r[2],
      deprivationDecile: r[3],
      flags,
      flagDetails,
      checkIn: r[8]
        ? { answer: r[8] as 'no-change' | 'worse' | 'crisis', daysAgo: r[9] ?? 0 }
        : null,
      referrals,
    },
    pseudonym: r[1],
    overrideBand: r[10],
    previousScore: r[11],
    previousBand: r[12],
  };
}
