/**
 * Linkage rules: how one child is recognised across providers' lists, and what WaitWell keeps when
 * the lists disagree. PURE: no Nest, no TypeORM (checked by the layer rules in STYLE.md §3.2.4).
 *
 * 1. Match key: the NHS number only (Modulus 11 checked before linkage). One child on three lists is
 *    one child with three referrals. Names and dates of birth are never used to merge children:
 *    a wrong merge would show one family another child's data.
 * 2. A child on one list shows that list's values. Once a second source lists the child, each
 *    source keeps its own copy of what it last said (with the run that said it); the first source's
 *    copy is the child's record as it stood. A source's value counts as new only when that source
 *    changes it, so two sources that disagree do not flip the child's record back and forth on
 *    every scheduled pull.
 * 3. The child's record shows, per group of fields, the value most recently changed by any source
 *    (provenance: that source). Groups: name, date of birth, address (postcode with address lines,
 *    LSOA, locality, deprivation decile) and contact (email, phone, channel, accessibility).
 * 4. When sources hold different names, dates of birth or postcodes (compared after normalising
 *    case, accents, punctuation and spaces), an open data-quality issue records the field, the
 *    sources involved and the one kept; it is resolved when they agree again.
 */
export const TRACKED_FIELDS = ['name', 'date-of-birth', 'postcode'] as const;
export type TrackedField = (typeof TRACKED_FIELDS)[number];
export const FIELD_GROUPS = ['name', 'dateOfBirth', 'address', 'contact'] as const;
export type FieldGroup = (typeof FIELD_GROUPS)[number];

/** Case-, accent-, punctuation- and space-insensitive comparison key for a child's name. */
export function nameKey(givenName: string | null, familyName: string | null): string {
  const fold = (s: string | null) =>
    (s ?? '')
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  return `${fold(givenName)}|${fold(familyName)}`;
}

/** Upper case, no spaces: "nb1 4ab" and "NB14AB" are the same postcode. */
export function postcodeKey(postcode: string | null): string {
  return (postcode ?? '').toUpperCase().replace(/\s+/g, '');
}

export interface SourceIdentity {
  sourceId: string;
  nameKey: string;
  dateOfBirth: string;
  postcodeKey: string;
  changedAt: Record<FieldGroup, number>;
}

export interface IdentityConflict {
  field: TrackedField;
  keptSourceId: string;
  sourceIds: string[];
}

export interface IdentityResolution {
  /** The source whose values the child's record shows, per group of fields. */
  keep: Record<FieldGroup, string>;
  conflicts: IdentityConflict[];
}

/** Applies rules 3 and 4 to what every source says about one child. */
export function resolveIdentity(candidates: SourceIdentity[]): IdentityResolution {
  if (candidates.length === 0) throw new RangeError('resolveIdentity needs at least one source');
  const latest = (group: FieldGroup) =>
    [...candidates].sort(
      (a, b) => b.changedAt[group] - a.changedAt[group] || a.sourceId.localeCompare(b.sourceId),
    )[0].sourceId;
  const keep: Record<FieldGroup, string> = {
    name: latest('name'),
    dateOfBirth: latest('dateOfBirth'),
    address: latest('address'),
    contact: latest('contact'),
  };
  const conflicts: IdentityConflict[] = [];
  const check = (
    field: TrackedField,
    key: (c: SourceIdentity) => string,
    kept: string,
    blank: string,
  ) => {
    const withValue = candidates.filter((c) => key(c) !== blank);
    if (new Set(withValue.map(key)).size > 1) {
      conflicts.push({
        field,
        keptSourceId: kept,
        sourceIds: withValue.map((c) => c.sourceId).sort(),
      });
    }
  };
  check('name', (c) => c.nameKey, keep.name, '|');
  check('date-of-birth', (c) => c.dateOfBirth, keep.dateOfBirth, '');
  check('postcode', (c) => c.postcodeKey, keep.address, '');
  return { keep, conflicts };
}
