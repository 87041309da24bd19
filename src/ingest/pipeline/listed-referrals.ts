/** `list` answers this for the first row of a stored referral whose fingerprint is unchanged. */
export const UNCHANGED = 0;
/** `list` answers this for the first row of a referral that is new, or changed since it was stored. */
export const CHANGED = -1;

/**
 * The referral ids of one pull, against what the source's referrals were last imported from:
 * whether a row's referral is unchanged, where this pull first listed each referral id (later rows
 * with the same id are duplicates), and which stored referrals it never listed (a snapshot marks
 * them removed). One map lookup per row: a stored referral's position indexes flat arrays of
 * fingerprints and first rows, so listing it writes a number, not a map entry. PURE.
 */
export class ListedReferrals {
  /** Stored referral id -> its position in `ids` and `fingerprints`. */
  private readonly index = new Map<string, number>();
  /** Per stored referral: the row where this pull first listed it, 0 while not listed. */
  private readonly firstRow: Int32Array;
  /** Referral ids this pull lists that were not stored -> the row where it first listed them. */
  private readonly fresh = new Map<string, number>();

  /** `ids[i]` was last imported from a row with fingerprint `fingerprints[i]` (-1 when unknown). */
  constructor(
    private readonly ids: readonly string[],
    private readonly fingerprints: ArrayLike<number>,
  ) {
    for (let i = 0; i < ids.length; i++) this.index.set(ids[i], i);
    this.firstRow = new Int32Array(ids.length);
  }

  /**
   * Records that row `rowNumber` (1 or more) lists `referralId`. Answers UNCHANGED or CHANGED for
   * the first row listing it, else the row that first listed it (a positive number).
   */
  list(referralId: string, rowNumber: number, fingerprint: number): number {
    const i = this.index.get(referralId);
    if (i !== undefined) {
      const first = this.firstRow[i];
      if (first !== 0) return first;
      this.firstRow[i] = rowNumber;
      return this.fingerprints[i] === fingerprint ? UNCHANGED : CHANGED;
    }
    const first = this.fresh.get(referralId);
    if (first !== undefined) return first;
    // The map outlives the rows: a new id is copied, not kept as a slice of the reader's text.
    this.fresh.set(detached(referralId), rowNumber);
    return CHANGED;
  }

  /** Stored referral ids no row has listed (so far). */
  missing(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.ids.length; i++) if (this.firstRow[i] === 0) out.push(this.ids[i]);
    return out;
  }
}

/**
 * A copy of a short string that does not keep the text it was cut from alive: V8 keeps a substring
 * as a pointer into its parent (a whole chunk of the file), while concatenating and slicing again
 * makes a new string.
 */
function detached(s: string): string {
  return (' ' + s).slice(1);
}
