import { auditHash, type AuditHashInput } from './audit-hash.js';

/** An audit row as stored: the hashed fields plus its id and chain links. */
export interface StoredAuditRow extends AuditHashInput {
  id: string;
  prevHash: string | null;
  hash: string;
}

export type ChainProblem =
  /** The row's prev_hash is not the hash of the row before it: a row was removed or a link edited. */
  | 'broken-link'
  /** The row's content no longer gives its hash: the row was edited. */
  | 'content-changed'
  /** A checkpoint (id and hash recorded earlier) is missing or differs: rows were removed or rewritten. */
  | 'checkpoint-mismatch';

export interface ChainBreak {
  id: string;
  problem: ChainProblem;
}

export interface ChainReport {
  ok: boolean;
  rows: number;
  /** The last row checked: record its id and hash somewhere else, then pass them as a checkpoint next time. */
  head: { id: string; hash: string } | null;
  firstBreak: ChainBreak | null;
}

/**
 * Walks the audit chain in id order and stops at the first broken row (pure: feed it rows).
 * The chain alone proves nothing was edited or removed *before* the last row; a checkpoint
 * (an id and hash kept outside the database) also proves the rows up to it were not cut off or rewritten.
 */
export class ChainVerifier {
  private prev: string | null = null;
  private rows = 0;
  private head: { id: string; hash: string } | null = null;
  private firstBreak: ChainBreak | null = null;
  private checkpointSeen = false;

  constructor(private readonly checkpoint?: { id: string; hash: string }) {}

  /** Returns false once a break is found (stop feeding rows). */
  push(row: StoredAuditRow): boolean {
    if (this.firstBreak) return false;
    this.rows++;
    if (row.prevHash !== this.prev) return this.fail(row.id, 'broken-link');
    if (auditHash(row.prevHash, row) !== row.hash) return this.fail(row.id, 'content-changed');
    if (this.checkpoint && row.id === this.checkpoint.id) {
      this.checkpointSeen = true;
      if (row.hash !== this.checkpoint.hash) return this.fail(row.id, 'checkpoint-mismatch');
    }
    this.prev = row.hash;
    this.head = { id: row.id, hash: row.hash };
    return true;
  }

  report(): ChainReport {
    if (!this.firstBreak && this.checkpoint && !this.checkpointSeen) {
      this.firstBreak = { id: this.checkpoint.id, problem: 'checkpoint-mismatch' };
    }
    return {
      ok: this.firstBreak === null,
      rows: this.rows,
      head: this.head,
      firstBreak: this.firstBreak,
    };
  }

  private fail(id: string, problem: ChainProblem): boolean {
    this.firstBreak = { id, problem };
    return false;
  }
}

const EXPLANATIONS: Record<ChainProblem, string> = {
  'broken-link':
    'its prev_hash does not match the row before it: a row before it was removed, or this link was edited',
  'content-changed': 'its content no longer matches its hash: the row was edited',
  'checkpoint-mismatch':
    'the checkpoint row is missing or its hash differs: rows were removed or the chain was rewritten',
};

export function describeReport(r: ChainReport): string {
  if (r.ok) {
    return `audit chain OK: ${r.rows} rows verified${r.head ? `; head row ${r.head.id} hash ${r.head.hash} (keep these as a checkpoint)` : ''}`;
  }
  const b = r.firstBreak as ChainBreak;
  return `audit chain BROKEN at row ${b.id}: ${EXPLANATIONS[b.problem]} (${r.rows} rows read; rows before it are intact)`;
}
