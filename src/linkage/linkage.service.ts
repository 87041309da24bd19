import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { decodeTimeIdCursor, timeIdPage } from '../common/pagination/keyset.js';
import type { DataQualityPage, DataQualityQuery } from './dto/data-quality.dto.js';
import { LinkageRepository, type Keep } from './linkage.repository.js';
import {
  nameKey,
  postcodeKey,
  resolveIdentity,
  type IdentityConflict,
} from './matching/identity-rules.js';

export interface LinkageOutcome {
  /** Children whose record (name, date of birth, address, contact) changed. */
  childIds: string[];
  issuesOpened: number;
  issuesResolved: number;
}

/**
 * Links the children of an import to the children already known (by NHS number, see
 * matching/identity-rules.ts), keeps per-source provenance and records data-quality issues.
 */
@Injectable()
export class LinkageService {
  constructor(
    private readonly repository: LinkageRepository,
    private readonly audit: AuditService,
  ) {}

  /** Runs inside the import's apply transaction, on the children it staged. */
  async linkStagedChildren(
    m: EntityManager,
    sourceId: string,
    runId: string,
  ): Promise<LinkageOutcome> {
    const earlier = await this.repository.findLinkedChildren(m, sourceId);
    await this.repository.backfillSourceIdentities(
      m,
      runId,
      earlier.map((e) => ({
        childId: e.childId,
        sourceId: e.sourceId,
        nameKey: nameKey(e.givenName, e.familyName),
        postcodeKey: postcodeKey(e.postcode),
      })),
    );
    await this.repository.upsertSourceIdentities(m, sourceId, runId);
    const childIds = await this.repository.applySingleSourceChildren(m);
    let issuesOpened = 0;
    let issuesResolved = 0;
    for await (const batch of this.repository.multiSourceIdentities(m)) {
      const kept: Keep[] = [];
      const conflicts: Array<IdentityConflict & { childId: string }> = [];
      for (const [childId, sources] of batch) {
        const resolution = resolveIdentity(sources);
        kept.push({ childId, keep: resolution.keep });
        for (const c of resolution.conflicts) conflicts.push({ ...c, childId });
      }
      childIds.push(...(await this.repository.applyKept(m, kept)));
      const issues = await this.repository.recordIssues(m, runId, [...batch.keys()], conflicts);
      issuesOpened += issues.opened;
      issuesResolved += issues.resolved;
    }
    return { childIds, issuesOpened, issuesResolved };
  }

  /**
   * Data-quality issues with what each source says (identifiable: admins and clinicians only; a
   * clinician sees children waiting for the services they work in). Every page read is audited.
   */
  async listIssues(q: DataQualityQuery, user: AuthUser): Promise<DataQualityPage> {
    const limit = q.limit ?? 50;
    // The opened time to the microsecond: one import opens its issues at one time, and a cursor cut
    // to milliseconds sorted before all of them, so every "next" page was the same page again.
    const after = q.cursor ? decodeTimeIdCursor(q.cursor) : undefined;
    const rows = await this.repository.listIssues({
      status: q.status ?? 'open',
      field: q.field,
      sourceId: q.source,
      services: user.role === 'clinician' ? user.services : undefined,
      after: after ? { openedAt: after.at, id: after.id } : undefined,
      limit: limit + 1,
    });
    const page = timeIdPage(rows, limit, (r) => r);
    const values = await this.repository.sourceValues(page.items.map((r) => r.childId));
    await this.audit.record({
      action: 'list',
      resource: 'data-quality-issues',
      childIds: page.items.map((r) => r.childId),
      purpose: user.role === 'admin' ? 'data-quality' : 'direct-care',
      detail: { count: page.items.length, status: q.status ?? 'open' },
    });
    return {
      items: page.items.map((r) => ({
        id: r.id,
        childId: r.childId,
        pseudonym: r.pseudonym,
        field: r.field,
        status: r.status,
        keptSourceId: r.keptSourceId,
        openedAt: r.openedAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
        resolvedAt: r.resolvedAt?.toISOString() ?? null,
        sources: values
          .filter((v) => v.childId === r.childId && r.sourceIds.includes(v.sourceId))
          .map((v) => ({
            sourceId: v.sourceId,
            kept: v.sourceId === r.keptSourceId,
            value:
              r.field === 'name'
                ? [v.givenName, v.familyName].filter(Boolean).join(' ')
                : r.field === 'date-of-birth'
                  ? v.dateOfBirth
                  : v.postcode,
            changedAt: (r.field === 'name'
              ? v.nameChangedAt
              : r.field === 'date-of-birth'
                ? v.dobChangedAt
                : v.addressChangedAt
            ).toISOString(),
            lastRunId: v.lastRunId,
          })),
      })),
      next: page.next,
    };
  }
}
