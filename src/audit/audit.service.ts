import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { currentRequestContext } from '../common/context/request-context.js';
import { AuditRepository } from './audit.repository.js';

export type AuditAction =
  | 'read'
  | 'list'
  | 'create'
  | 'update'
  | 'delete'
  | 'export'
  | 'activate'
  | 'override'
  | 'break-glass'
  | 'send'
  | 'import'
  | 'sign-in'
  | 'acknowledge';

export interface AuditEntry {
  action: AuditAction;
  /** What was touched, e.g. "child", "referral-list", "import-rejects", "prioritisation-tool". */
  resource: string;
  /** Children whose identifiable data was read or changed (ids, never NHS numbers). */
  childIds?: string[];
  /** Why: the purpose or legitimate relationship (e.g. "direct-care", "commissioning", a break-glass reason). */
  purpose?: string;
  /** Extra context; never names, NHS numbers, addresses or free clinical text. */
  detail?: Record<string, unknown>;
  /** Defaults to the signed-in user of the current request; "system" for jobs. */
  actor?: AuthUser | { subject: string; role: string };
}

/**
 * Writes audit records (a domain record, not a log line). Pass the EntityManager of the change's
 * transaction so the audit row commits or rolls back with it.
 */
@Injectable()
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const ctx = currentRequestContext();
    const actor = entry.actor ?? ctx?.user ?? { subject: 'system', role: 'system' };
    await this.repository.append(
      [
        {
          occurredAt: new Date().toISOString(),
          actorSubject: actor.subject,
          actorRole: actor.role,
          action: entry.action,
          resource: entry.resource,
          childIds: [...new Set(entry.childIds ?? [])],
          purpose: entry.purpose ?? null,
          requestId: ctx?.requestId ?? null,
          detail: entry.detail ?? {},
        },
      ],
      manager,
    );
  }
}
