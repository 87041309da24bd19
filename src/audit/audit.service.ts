import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { currentRequestContext } from '../common/context/request-context.js';
import { decodeCursor, encodeCursor } from '../common/pagination/keyset.js';
import { AuditError } from './audit.errors.js';
import { AuditRepository, type AuditRow, type BreakGlassAlertRow } from './audit.repository.js';
import type { AcknowledgeAlertRequest } from './dto/acknowledge-alert.request.dto.js';
import type { AuditAlertPage, AuditAlertView } from './dto/audit-alert.response.dto.js';
import type { AuditEventPage, AuditEventView } from './dto/audit-event.response.dto.js';
import type { ListAlertsQuery } from './dto/list-alerts.query.js';
import type { SearchAuditQuery } from './dto/search-audit.query.js';

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
  | 'break-glass-refused'
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
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly repository: AuditRepository) {}

  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    await this.append(entry, manager);
  }

  /**
   * Records a break-glass access (identifiable data shown beyond the caller's normal view) with the
   * reason as its purpose. The row is the alert auditors see at GET /api/audit/alerts; a warning is
   * logged too, without patient data or the reason (which may name someone).
   */
  async recordBreakGlass(
    entry: Omit<AuditEntry, 'action' | 'purpose'> & { reason: string },
    manager?: EntityManager,
  ): Promise<void> {
    const { reason, ...rest } = entry;
    const id = await this.append({ ...rest, action: 'break-glass', purpose: reason }, manager);
    const ctx = currentRequestContext();
    const actor = entry.actor ?? ctx?.user;
    this.logger.warn(
      {
        alert: 'break-glass',
        auditEventId: id,
        actorSubject: actor?.subject,
        actorRole: actor?.role,
        resource: entry.resource,
        requestId: ctx?.requestId,
      },
      'break-glass used: identifiable data shown; alert raised for auditors',
    );
  }

  async search(q: SearchAuditQuery): Promise<AuditEventPage> {
    const limit = q.limit ?? 100;
    const rows = await this.repository.search({
      from: q.from,
      to: q.to,
      actorSubject: q.actor,
      actorRole: q.role,
      action: q.action,
      resource: q.resource,
      childId: q.childId,
      requestId: q.requestId,
      beforeId: q.cursor ? cursorId(q.cursor) : undefined,
      limit,
    });
    const page = rows.slice(0, limit);
    const pseudonyms = await this.repository.pseudonyms([
      ...new Set(page.flatMap((r) => r.childIds)),
    ]);
    // Auditing the auditors: who searched the trail, and how (filters hold ids, not patient data).
    await this.record({
      action: 'list',
      resource: 'audit-event',
      purpose: 'audit',
      detail: { filters: filtersOf(q), returned: page.length },
    });
    return {
      items: page.map((r) => eventView(r, pseudonyms)),
      next: rows.length > limit ? encodeCursor([page[page.length - 1].id]) : null,
    };
  }

  async alerts(q: ListAlertsQuery): Promise<AuditAlertPage> {
    const limit = q.limit ?? 50;
    const rows = await this.repository.breakGlassAlerts(
      q.status ?? 'open',
      limit,
      q.cursor ? cursorId(q.cursor) : undefined,
    );
    const page = rows.slice(0, limit);
    const pseudonyms = await this.repository.pseudonyms([
      ...new Set(page.flatMap((r) => r.childIds)),
    ]);
    await this.record({
      action: 'list',
      resource: 'break-glass-alert',
      purpose: 'audit',
      detail: { status: q.status ?? 'open', returned: page.length },
    });
    return {
      items: page.map((r) => alertView(r, pseudonyms)),
      next: rows.length > limit ? encodeCursor([page[page.length - 1].auditEventId]) : null,
    };
  }

  async acknowledgeAlert(
    auditEventId: string,
    body: AcknowledgeAlertRequest,
    user: AuthUser,
  ): Promise<{ auditEventId: string; acknowledgementId: string }> {
    const result = await this.repository.acknowledgeBreakGlass(
      auditEventId,
      this.toHashInput({
        action: 'acknowledge',
        resource: 'break-glass-alert',
        purpose: 'audit',
        detail: { auditEventId, outcome: body.outcome },
        actor: user,
      }),
    );
    if (result.status === 'not-found') throw AuditError.alertNotFound();
    if (result.status === 'already-acknowledged') throw AuditError.alertAlreadyAcknowledged();
    return { auditEventId, acknowledgementId: result.id };
  }

  private async append(entry: AuditEntry, manager?: EntityManager): Promise<string> {
    const [id] = await this.repository.append([this.toHashInput(entry)], manager);
    return id;
  }

  private toHashInput(entry: AuditEntry) {
    const ctx = currentRequestContext();
    const actor = entry.actor ?? ctx?.user ?? { subject: 'system', role: 'system' };
    return {
      occurredAt: new Date().toISOString(),
      actorSubject: actor.subject,
      actorRole: actor.role,
      action: entry.action,
      resource: entry.resource,
      // uuid[] stores ids in lower case: hash them that way so the chain verifies.
      childIds: [
        ...new Set(
          (entry.childIds ?? [])
            .filter((id): id is string => typeof id === 'string' && id !== '')
            .map((id) => id.toLowerCase()),
        ),
      ],
      purpose: entry.purpose ?? null,
      requestId: ctx?.requestId ?? null,
      // Exactly what jsonb will give back (dates as strings, no undefined), so the hash verifies later.
      detail: JSON.parse(JSON.stringify(entry.detail ?? {})) as Record<string, unknown>,
      sourceIp: ctx?.ip ?? null,
    };
  }
}

function cursorId(cursor: string): string {
  const [id] = decodeCursor(cursor, 1);
  if (typeof id !== 'string' || !/^\d{1,19}$/.test(id)) throw AuditError.badCursor();
  return id;
}

function filtersOf(q: SearchAuditQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [
    'from',
    'to',
    'actor',
    'role',
    'action',
    'resource',
    'childId',
    'requestId',
  ] as const) {
    const v = q[key];
    if (v !== undefined) out[key] = String(v);
  }
  return out;
}

function children(
  ids: string[],
  pseudonyms: Map<string, string>,
): Array<{ id: string; pseudonym: string | null }> {
  return ids.map((id) => ({ id, pseudonym: pseudonyms.get(id) ?? null }));
}

function eventView(r: AuditRow, pseudonyms: Map<string, string>): AuditEventView {
  return {
    id: r.id,
    occurredAt: r.occurredAt,
    actorSubject: r.actorSubject,
    actorRole: r.actorRole,
    action: r.action,
    resource: r.resource,
    children: children(r.childIds, pseudonyms),
    purpose: r.purpose,
    requestId: r.requestId,
    sourceIp: r.sourceIp,
    detail: r.detail,
    hash: r.hash,
    prevHash: r.prevHash,
  };
}

function alertView(r: BreakGlassAlertRow, pseudonyms: Map<string, string>): AuditAlertView {
  return {
    auditEventId: r.auditEventId,
    occurredAt: r.occurredAt,
    actorSubject: r.actorSubject,
    actorRole: r.actorRole,
    resource: r.resource,
    children: children(r.childIds, pseudonyms),
    reason: r.reason,
    requestId: r.requestId,
    normallyVisible: r.normallyVisible,
    acknowledgement: r.acknowledgedAt
      ? { by: r.acknowledgedBy as string, at: r.acknowledgedAt, outcome: r.outcome }
      : null,
  };
}
