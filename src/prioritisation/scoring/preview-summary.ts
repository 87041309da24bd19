import type { ChildFacts } from './context.js';

export interface Movement {
  key: string;
  children: number;
  movedUp: number;
  movedDown: number;
  unchanged: number;
}

export interface Mover {
  pseudonym: string;
  currentBand: string;
  proposedBand: string;
  currentScore: number;
  proposedScore: number;
  /** Bands moved: positive = up (towards the highest priority band). */
  bandChange: number;
  scoreChange: number;
}

export interface PreviewSummary {
  children: number;
  movedUp: number;
  movedDown: number;
  unchanged: number;
  bandSizes: { current: Record<string, number>; proposed: Record<string, number> };
  byService: Movement[];
  byProvider: Movement[];
  byLocality: Movement[];
  byDeprivationQuintile: Movement[];
  largestMovers: Mover[];
  flagged: { current: number; proposed: number };
}

/**
 * Accumulates how a draft tool would move children between bands compared with the active tool, on
 * the same inputs (the what-if preview). Band changes are compared by band position, so a draft may
 * rename bands; when it has more or fewer bands, positions are compared from the top band (0) to the
 * bottom one (1), so the highest band still matches the highest and the lowest the lowest (a child
 * in P4 of four bands who lands in "green" of three has not moved). Keeps only the largest movers,
 * so memory stays flat for any list size.
 */
export class PreviewAccumulator {
  private readonly totals = { children: 0, movedUp: 0, movedDown: 0, unchanged: 0 };
  private readonly current: Record<string, number> = {};
  private readonly proposed: Record<string, number> = {};
  private readonly groups = {
    service: new Map<string, Movement>(),
    provider: new Map<string, Movement>(),
    locality: new Map<string, Movement>(),
    quintile: new Map<string, Movement>(),
  };
  private movers: Mover[] = [];
  private flaggedCurrent = 0;
  private flaggedProposed = 0;

  constructor(
    private readonly currentBands: string[],
    private readonly proposedBands: string[],
    private readonly topN = 20,
  ) {
    for (const b of currentBands) this.current[b] = 0;
    for (const b of proposedBands) this.proposed[b] = 0;
  }

  add(
    facts: ChildFacts,
    pseudonym: string,
    cur: { bandRank: number; score: number; flagged: boolean },
    next: { bandRank: number; score: number; flagged: boolean },
  ): void {
    this.totals.children++;
    const curBand = this.currentBands[cur.bandRank];
    const nextBand = this.proposedBands[next.bandRank];
    this.current[curBand]++;
    this.proposed[nextBand]++;
    if (cur.flagged) this.flaggedCurrent++;
    if (next.flagged) this.flaggedProposed++;
    // Band rank 0 is the highest priority: a smaller rank is a move up.
    const bandChange = this.bandChange(cur.bandRank, next.bandRank);
    const dir = bandChange > 0 ? 'movedUp' : bandChange < 0 ? 'movedDown' : 'unchanged';
    this.totals[dir]++;
    const bump = (map: Map<string, Movement>, key: string) => {
      const m = map.get(key) ?? { key, children: 0, movedUp: 0, movedDown: 0, unchanged: 0 };
      m.children++;
      m[dir]++;
      map.set(key, m);
    };
    for (const s of new Set(facts.referrals.map((r) => r.service))) bump(this.groups.service, s);
    for (const p of new Set(facts.referrals.map((r) => r.provider))) bump(this.groups.provider, p);
    bump(this.groups.locality, facts.locality ?? 'unknown');
    bump(
      this.groups.quintile,
      facts.deprivationDecile === null ? 'unknown' : String(Math.ceil(facts.deprivationDecile / 2)),
    );
    if (bandChange !== 0 || next.score !== cur.score) {
      this.movers.push({
        pseudonym,
        currentBand: curBand,
        proposedBand: nextBand,
        currentScore: cur.score,
        proposedScore: next.score,
        bandChange,
        scoreChange: Math.round((next.score - cur.score) * 10) / 10,
      });
      if (this.movers.length > this.topN * 4) this.trim();
    }
  }

  /**
   * Bands moved, positive = up. With as many bands on both sides, the difference in position; with
   * more or fewer, the difference between the positions scaled from top (0) to bottom (1), in steps
   * of the larger tool's bands, and at least one step when the scaled positions differ.
   */
  private bandChange(curRank: number, nextRank: number): number {
    const cn = this.currentBands.length;
    const pn = this.proposedBands.length;
    if (cn === pn) return curRank - nextRank;
    const scaled = (rank: number, n: number) => (n > 1 ? rank / (n - 1) : 0);
    const diff = scaled(curRank, cn) - scaled(nextRank, pn);
    if (Math.abs(diff) < 1e-9) return 0;
    const steps = Math.round(Math.abs(diff) * (Math.max(cn, pn) - 1));
    return Math.sign(diff) * Math.max(1, steps);
  }

  result(): PreviewSummary {
    this.trim();
    const sorted = (m: Map<string, Movement>) =>
      [...m.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
    return {
      ...this.totals,
      bandSizes: { current: this.current, proposed: this.proposed },
      byService: sorted(this.groups.service),
      byProvider: sorted(this.groups.provider),
      byLocality: sorted(this.groups.locality),
      byDeprivationQuintile: sorted(this.groups.quintile),
      largestMovers: this.movers,
      flagged: { current: this.flaggedCurrent, proposed: this.flaggedProposed },
    };
  }

  private trim(): void {
    this.movers.sort(
      (a, b) =>
        Math.abs(b.bandChange) - Math.abs(a.bandChange) ||
        Math.abs(b.scoreChange) - Math.abs(a.scoreChange) ||
        (a.pseudonym < b.pseudonym ? -1 : 1),
    );
    this.movers.length = Math.min(this.movers.length, this.topN);
  }
}
