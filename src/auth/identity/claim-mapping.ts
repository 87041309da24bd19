import { isUUID } from 'class-validator';
import { isValidNhsNumber, normaliseNhsNumber } from '../../common/validation/nhs-number.js';
import { ROLES, type AuthUser, type Role } from '../auth-user.js';
import { resolvedClaimNames, type ClaimMapping } from './identity-config.js';

/** Why a verified token still does not make a WaitWell user (no values: they may be personal data). */
export type ClaimProblem =
  | 'no-subject'
  | 'no-role'
  | 'ambiguous-role'
  | 'commissioner-without-icb'
  | 'family-without-child'
  | 'bad-nhs-number'
  | 'bad-child-id';

export type ClaimMappingResult =
  { ok: true; user: AuthUser } | { ok: false; problem: ClaimProblem };

/**
 * The values at a claim name or dotted path, flattened: an exact key wins (claim names may contain
 * dots, e.g. URL-style claims); otherwise each path segment is followed, searching arrays element by element.
 */
export function claimValues(payload: Record<string, unknown>, path: string): unknown[] {
  if (path in payload) return flatten(payload[path]);
  let current: unknown[] = [payload];
  for (const segment of path.split('.')) {
    const next: unknown[] = [];
    for (const node of current.flatMap(flatten)) {
      if (node && typeof node === 'object' && segment in (node as Record<string, unknown>)) {
        next.push((node as Record<string, unknown>)[segment]);
      }
    }
    current = next;
  }
  return current.flatMap(flatten);
}

function flatten(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.flatMap(flatten) : [v];
}

function strings(values: unknown[]): string[] {
  return values
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
    .map(String)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Turns the claims of a verified token into a WaitWell user, following the issuer's configured
 * mapping (config/identity.yaml). Least privilege: a token that does not say exactly one role, or
 * lacks the scope its role needs (an ICB for a commissioner, a child for a family), is refused.
 */
export function mapClaims(
  payload: Record<string, unknown>,
  mapping: ClaimMapping,
  issuer?: string,
): ClaimMappingResult {
  const names = resolvedClaimNames(mapping);
  const subject = strings(claimValues(payload, names.subject))[0];
  if (!subject) return { ok: false, problem: 'no-subject' };

  let role: Role;
  if (mapping.fixedRole) {
    role = mapping.fixedRole;
  } else {
    const raw = strings(claimValues(payload, names.role));
    const mapped = mapping.roleValues
      ? raw.map((v) => mapping.roleValues?.[v]).filter(Boolean)
      : raw;
    const roles = [...new Set(mapped.filter((r): r is Role => ROLES.includes(r as Role)))];
    if (roles.length === 0) return { ok: false, problem: 'no-role' };
    // Several WaitWell roles in one token: refuse rather than guess which one the person is acting in.
    if (roles.length > 1) return { ok: false, problem: 'ambiguous-role' };
    role = roles[0];
  }

  const user: AuthUser = { subject, role, services: [], issuer };
  if (role === 'clinician') {
    const raw = strings(claimValues(payload, names.services))
      .flatMap((s) => s.split(/[\s,]+/))
      .filter(Boolean);
    const services = mapping.serviceValues
      ? raw.map((v) => mapping.serviceValues?.[v]).filter((v): v is string => Boolean(v))
      : raw;
    user.services = [...new Set(services)];
  }
  if (role === 'commissioner') {
    const icb = strings(claimValues(payload, names.commissioner))[0];
    if (!icb) return { ok: false, problem: 'commissioner-without-icb' };
    user.commissionerCode = icb.toUpperCase();
  }
  if (role === 'family') {
    const childId = strings(claimValues(payload, names.childId))[0];
    const nhsRaw = strings(claimValues(payload, names.nhsNumber))[0];
    if (childId !== undefined) {
      if (!isUUID(childId, 'all')) return { ok: false, problem: 'bad-child-id' };
      user.childId = childId.toLowerCase();
    }
    if (nhsRaw !== undefined) {
      if (!isValidNhsNumber(nhsRaw)) return { ok: false, problem: 'bad-nhs-number' };
      user.nhsNumber = normaliseNhsNumber(nhsRaw);
    }
    if (!user.childId && !user.nhsNumber) return { ok: false, problem: 'family-without-child' };
  }
  return { ok: true, user };
}
