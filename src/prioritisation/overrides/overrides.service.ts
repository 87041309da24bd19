import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service.js';
import type { AuthUser } from '../../auth/auth-user.js';
import { CatalogueService } from '../../catalogue/catalogue.service.js';
import { decodeTimeIdCursor, timeIdPage } from '../../common/pagination/keyset.js';
import { addDays, londonDate } from '../../common/time/calendar-date.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { PrioritisationError } from '../prioritisation.errors.js';
import { PriorityRepository } from '../priority/priority.repository.js';
import { RescoreService } from '../rescore/rescore.service.js';
import { ToolVersionsService } from '../tool/tool-versions.service.js';
import { type NoticePage, toNoticeResponse } from './dto/notice.dto.js';
import { overridesEndedBySystem } from './override-ended-audit.js';
import {
  type LatestOverride,
  type OverrideRow,
  OverridesRepository,
} from './overrides.repository.js';

export interface OverrideResult {
  override: Omit<OverrideRow, 'createdAt'> & { createdAt: string };
  band: string | null;
  toolBand: string | null;
}

/**
 * Clinical judgement wins, visibly (prioritisation.md principle 3): a clinician sets a band with a
 * reason and a review date. On the review date the override ends, the child returns to the tool's
 * band at the next rescore, and the clinician who set it gets a notice (GET /api/prioritisation/notices).
 * The rescore that finds the child waiting for no service any more ends it too, with a notice
 * (RescoreService): a later referral never inherits the band.
 */
@Injectable()
export class OverridesService {
  private readonly logger = new Logger(OverridesService.name);

  constructor(
    private readonly repository: OverridesRepository,
    private readonly priority: PriorityRepository,
    private readonly tools: ToolVersionsService,
    private readonly rescore: RescoreService,
    private readonly audit: AuditService,
    private readonly catalogue: CatalogueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async set(
    childId: string,
    input: { band: string; reason: string; reviewDate: string },
    user: AuthUser,
    today = londonDate(),
  ): Promise<OverrideResult> {
    await this.assertClinicianSees(childId, user);
    await this.tools.assertActiveBand(input.band);
    if (input.reviewDate <= today) throw PrioritisationError.reviewDateNotFuture();
    const latest = addDays(today, this.config.overrideMaxReviewDays);
    if (input.reviewDate > latest) {
      throw PrioritisationError.reviewDateTooFar(latest, this.config.overrideMaxReviewDays);
    }
    const row = await this.repository.transaction(async (m) => {
      const replaced = await this.repository.end(childId, 'replaced', user.subject, m);
      const inserted = await this.repository.insert(
        {
          childId,
          band: input.band,
          reason: input.reason,
          reviewDate: input.reviewDate,
          createdBy: user.subject,
        },
        m,
      );
      // The reason is free clinical text: it stays in the override row, never in the audit detail.
      await this.audit.record(
        {
          action: 'override',
          resource: 'child-priority',
          childIds: [childId],
          purpose: 'direct-care',
          detail: {
            overrideId: inserted.id,
            band: input.band,
            reviewDate: input.reviewDate,
            replaced,
          },
        },
        m,
      );
      return inserted;
    });
    await this.rescore.rescoreChildren([childId], 'override', today);
    return this.result(row, childId);
  }

  /**
   * Withdraws the child's override. Allowed to the clinician who set it and to any clinician of a
   * service the child was referred to, open or closed: a child whose referrals all closed waits for
   * nothing, and its override must still be withdrawable until a rescore ends it.
   */
  async withdraw(childId: string, user: AuthUser, today = londonDate()): Promise<void> {
    const latest = await this.repository.findLatest(childId);
    await this.assertClinicianMayWithdraw(childId, latest, user);
    const withdrawn = await this.repository.transaction(async (m) => {
      if (!(await this.repository.end(childId, 'withdrawn', user.subject, m))) return false;
      await this.audit.record(
        {
          action: 'override',
          resource: 'child-priority',
          childIds: [childId],
          purpose: 'direct-care',
          detail: { withdrawn: true },
        },
        m,
      );
      return true;
    });
    if (!withdrawn) throw nothingToWithdraw(latest);
    await this.rescore.rescoreChildren([childId], 'override', today);
  }

  /** Ends overrides whose review date has come, tells their clinicians, and rescores those children. */
  async expireDue(today = londonDate()): Promise<number> {
    const expired = await this.repository.transaction(async (m) => {
      const rows = await this.repository.expireDue(today, m);
      if (rows.length) {
        await this.audit.record(
          overridesEndedBySystem(
            rows.map((r) => r.childId),
            'override-review-date',
            { expired: rows.length },
          ),
          m,
        );
      }
      return rows;
    });
    if (expired.length) {
      this.logger.log({ expired: expired.length }, 'overrides expired at their review date');
      await this.rescore.rescoreChildren(
        expired.map((e) => e.childId),
        'override expired',
        today,
      );
    }
    return expired.length;
  }

  /** The clinician's notices and their teams', newest first, a page at a time; every page audited. */
  async notices(
    user: AuthUser,
    q: { unread?: boolean; limit?: number; cursor?: string },
  ): Promise<NoticePage> {
    const limit = q.limit ?? 50;
    const after = q.cursor ? decodeTimeIdCursor(q.cursor) : undefined;
    const rows = await this.repository.notices({
      recipient: user.subject,
      services: user.services,
      unreadOnly: q.unread ?? false,
      after,
      limit: limit + 1,
    });
    const page = timeIdPage(rows, limit, (r) => r);
    if (page.items.length) {
      await this.audit.record({
        action: 'list',
        resource: 'priority-notice',
        childIds: page.items.map((r) => r.childId),
        purpose: 'direct-care',
      });
    }
    const serviceName = (code: string) => this.catalogue.service(code)?.name ?? code;
    return { ...page, items: page.items.map((r) => toNoticeResponse(r, serviceName)) };
  }

  async markRead(id: string, user: AuthUser): Promise<void> {
    await this.repository.transaction(async (m) => {
      const row = await this.repository.markRead(id, user.subject, user.services, m);
      if (!row) throw PrioritisationError.noticeNotFound();
      await this.audit.record(
        {
          action: 'update',
          resource: 'priority-notice',
          childIds: [row.childId],
          detail: { noticeId: id, read: true },
        },
        m,
      );
    });
  }

  private async result(row: OverrideRow, childId: string): Promise<OverrideResult> {
    const stored = await this.priority.findChild(childId);
    return {
      override: { ...row, createdAt: new Date(row.createdAt).toISOString() },
      band: stored?.band ?? null,
      toolBand: stored?.toolBand ?? null,
    };
  }

  /**
   * The clinician set the child's latest override or is assigned to a service the child was ever
   * referred to; otherwise the same 404 as for an unknown child (no existence leak).
   */
  private async assertClinicianMayWithdraw(
    childId: string,
    latest: LatestOverride | null,
    user: AuthUser,
  ): Promise<void> {
    if (latest?.createdBy === user.subject) return;
    const services = await this.priority.referredServices(childId);
    if (!services.some((s) => user.services.includes(s))) {
      throw PrioritisationError.overrideNotFound();
    }
  }

  /** A clinician may act only for children waiting for one of their services (404 otherwise: no existence leak). */
  private async assertClinicianSees(childId: string, user: AuthUser): Promise<void> {
    const services = await this.priority.openServices(childId);
    if (!services || !services.some((s) => user.services.includes(s))) {
      throw PrioritisationError.notScored();
    }
  }
}

/**
 * Why there was no open override to withdraw, from the child's latest one (read before the attempt):
 * the system ended it (when, why), or there is none.
 */
function nothingToWithdraw(latest: LatestOverride | null): PrioritisationError {
  if (
    latest?.endedAt &&
    (latest.endedReason === 'expired' || latest.endedReason === 'no-longer-waiting')
  ) {
    return PrioritisationError.overrideAlreadyEnded(latest.endedAt, latest.endedReason);
  }
  return PrioritisationError.overrideNotFound();
}
