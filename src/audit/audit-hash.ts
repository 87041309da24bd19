import { createHash } from 'node:crypto';

/** The fields of an audit record that its hash covers, in a fixed order. */
export interface AuditHashInput {
  occurredAt: string; // ISO instant, milliseconds
  actorSubject: string;
  actorRole: string;
  action: string;
  resource: string;
  childIds: string[];
  purpose: string | null;
  requestId: string | null;
  detail: Record<string, unknown>;
  /** Client address (added later: rows without one hash exactly as before). */
  sourceIp?: string | null;
}

/** JSON with object keys sorted at every level, so jsonb's key reordering cannot change the hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The record as its hash covers it: its fields in a fixed order, as canonical JSON. */
export function canonicalAuditRecord(e: AuditHashInput): string {
  const fields: unknown[] = [
    e.occurredAt,
    e.actorSubject,
    e.actorRole,
    e.action,
    e.resource,
    e.childIds,
    e.purpose,
    e.requestId,
    e.detail,
  ];
  if (e.sourceIp) fields.push(e.sourceIp);
  return canonicalJson(fields);
}

/**
 * hash(n) = SHA-256(hash(n-1) + "|" + canonical record n): changing or removing any row breaks the
 * chain. The database's audit_append() computes the same hash when it appends (it is given the
 * canonical record's bytes); this function is what verification recomputes from the stored rows.
 */
export function auditHash(prevHash: string | null, e: AuditHashInput): string {
  return createHash('sha256')
    .update(`${prevHash ?? ''}|${canonicalAuditRecord(e)}`)
    .digest('hex');
}
