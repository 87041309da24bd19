import { ChainVerifier, type ChainReport } from './audit-chain.js';
import { AuditChainRepository, type Queryable } from './audit-chain.repository.js';

/**
 * Reads the whole audit chain (bounded batches) and checks every link and hash, stopping at the
 * first broken row. Used by `npm run audit:verify` and its tests.
 */
export async function verifyAuditChain(
  db: Queryable,
  options: { checkpoint?: { id: string; hash: string }; batchSize?: number } = {},
): Promise<ChainReport> {
  const verifier = new ChainVerifier(options.checkpoint);
  for await (const row of new AuditChainRepository(db).rows(options.batchSize)) {
    if (!verifier.push(row)) break;
  }
  return verifier.report();
}

/** Parses a checkpoint given as "<id>:<hash>" (as printed by a previous run). */
export function parseCheckpoint(text: string): { id: string; hash: string } | null {
  const m = /^(\d{1,19}):([0-9a-f]{64})$/.exec(text.trim());
  return m ? { id: m[1], hash: m[2] } : null;
}
