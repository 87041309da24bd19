import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service.js';
import type { AuthUser } from '../../auth/auth-user.js';
import { CatalogueService } from '../../catalogue/catalogue.service.js';
import { OverridesRepository } from '../overrides/overrides.repository.js';
import { PrioritisationError } from '../prioritisation.errors.js';
import type { ChildFacts } from '../scoring/context.js';
import { explain, toStoredBreakdown } from '../scoring/explain.js';
import { reasonText, scoreChild } from '../scoring/score-child.js';
import { ToolVersionsService } from '../tool/tool-versions.service.js';
import type { ChildPriorityResponse } from './dto/child-priority.response.dto.js';
import {
  PriorityRepository,
  type StoredChildPriority,
  type StoredReferralPriority,
} from './priority.repository.js';

/**
 * A child's priority explained (prioritisation.md principle 2): the score is re-derived from the
 * stored input snapshot with the tool version that produced it, so every factor's inputs and points
 * are shown and add up to the stored score. Clinicians see identity (for their services only, or
 * any child by breaking glass); commissioners the pseudonymised explanation. Every read is audited.
 */
@Injectable()
export class PriorityService {
  constructor(
    private readonly repository: PriorityRepository,
    private readonly overrides: OverridesRepository,
    private readonly tools: ToolVersionsService,
    private readonly audit: AuditService,
    private readonly catalogue: CatalogueService,
  ) {}

  async explainChild(childId: string, user: AuthUser): Promise<ChildPriorityResponse> {
    const stored = await this.repository.findChild(childId);
    if (!stored) throw PrioritisationError.notScored();
    // A clinician sees the children on their services' lists, and any other child only by breaking
    // glass (read-only, as the child's record: docs/identity.md, "Break-glass").
    const onTheirList =
      user.role === 'clinician' && stored.services.some((s) => user.services.includes(s));
    const breakGlass = user.role === 'clinician' ? user.breakGlass : undefined;
    if (user.role === 'clinician' && !onTheirList && !breakGlass) {
      throw PrioritisationError.notScored();
    }
    // A commissioner sees the children waiting with a provider their ICB commissions, as on the
    // ranked lists and the child's record; another ICB's child is answered as an unknown one.
    if (user.role === 'commissioner') {
      const theirs = user.commissionerCode
        ? this.catalogue.providersCommissionedBy(user.commissionerCode)
        : [];
      if (!stored.providers.some((p) => theirs.includes(p))) throw PrioritisationError.notScored();
    }
    const [referrals, history, override, tool] = await Promise.all([
      this.repository.findReferrals(childId),
      this.repository.history(childId, 100),
      this.overrides.findNotEnded(childId),
      this.tools.version(stored.toolVersionId),
    ]);
    const s = scoreChild(tool.compiled, factsFrom(stored, referrals));
    // Everything here follows the stored score, as the ranked lists do: the band, and the override
    // the last rescore applied. One set since shows from the next rescore; one whose review date
    // has come shows until the nightly job ends it or a rescore (which ignores it) drops it, so the
    // band, the override and the summary never disagree with each other or with the lists.
    const shownOverride = override && stored.overridden ? override : null;
    const explanation = explain(
      tool.compiled.document,
      toStoredBreakdown(s, tool.compiled.combine),
      stored.score,
      stored.toolBand,
      {
        serviceName: (code) => this.catalogue.service(code)?.name,
        override: shownOverride && {
          band: shownOverride.band,
          reviewDate: shownOverride.reviewDate,
          setBy: shownOverride.createdBy,
        },
        // Flag details are free text from the providers' systems: for those who see identity.
        withholdFreeText: user.role !== 'clinician',
        // A clinician sees the clinical detail of their own services' referrals, as on the child's
        // record (docs/identity.md); every service's only by breaking glass.
        detailFor:
          user.role === 'clinician' && !breakGlass
            ? (service) => user.services.includes(service)
            : undefined,
      },
    );
    // An override the last rescore could not apply (a tool activated since has no such band) is
    // said in the explanation rather than silently dropped: the clinician can set it again or withdraw it.
    const bands = tool.compiled.document.bands.map((b) => b.code);
    if (override && !stored.overridden && !bands.includes(override.band)) {
      explanation.problems.push({
        rule: 'clinician-override',
        referralId: null,
        text: `A clinician's override to band ${override.band} (set by ${override.createdBy}, review date ${override.reviewDate}) was not applied: the tool version that scored this child has no band ${override.band} (its bands: ${bands.join(', ')}). Set the override again with one of those bands, or withdraw it.`,
      });
    }
    const identifiable = user.role === 'clinician';
    const identity = identifiable ? (await this.repository.identities([childId]))[0] : undefined;
    const resource = identifiable ? 'child-priority' : 'child-priority-pseudonymised';
    const purpose = identifiable ? 'direct-care' : 'commissioning';
    if (breakGlass) {
      await this.audit.recordBreakGlass({
        resource,
        childIds: [childId],
        reason: breakGlass.reason,
        detail: { normalPurpose: purpose, normallyVisible: onTheirList },
      });
    } else {
      await this.audit.record({ action: 'read', resource, childIds: [childId], purpose });
    }
    return {
      childId,
      pseudonym: stored.pseudonym,
      identifiable,
      ...(identity
        ? {
            nhsNumber: identity.nhsNumber,
            givenName: identity.givenName,
            familyName: identity.familyName,
            dateOfBirth: identity.dateOfBirth,
          }
        : {}),
      asAt: stored.asAt,
      scoredAt: new Date(stored.scoredAt).toISOString(),
      toolVersion: { id: tool.row.id, version: tool.row.version, name: tool.row.name },
      score: stored.score,
      band: stored.band,
      toolBand: stored.toolBand,
      review: stored.review,
      flagged: stored.flagged,
      consistent: s.score === stored.score,
      override: shownOverride
        ? {
            band: shownOverride.band,
            reviewDate: shownOverride.reviewDate,
            setBy: shownOverride.createdBy,
            setAt: new Date(shownOverride.createdAt).toISOString(),
            ...(identifiable ? { reason: shownOverride.reason } : {}),
          }
        : null,
      topReasons: s.topReasons.map((r) => reasonText(tool.compiled.labels, r)),
      explanation,
      history: history.map((h) => ({ ...h, scoredAt: new Date(h.scoredAt).toISOString() })),
    };
  }
}

/** The input snapshot stored with the score, back into the facts the tool reads. */
export function factsFrom(c: StoredChildPriority, referrals: StoredReferralPriority[]): ChildFacts {
  return {
    childId: c.childId,
    ageYears: c.ageYears,
    ageMonths: c.ageMonths,
    locality: c.locality,
    deprivationDecile: c.deprivationDecile,
    flags: c.flags,
    flagDetails: c.flagDetails,
    checkIn: c.checkIn
      ? { answer: c.checkIn as 'no-change' | 'worse' | 'crisis', daysAgo: c.checkInDays ?? 0 }
      : null,
    referrals: referrals.map((r) => ({
      referralId: r.referralId,
      service: r.service,
      provider: r.provider,
      priority: r.priority,
      daysWaited: r.daysWaited,
      targetWeeks: r.targetWeeks,
    })),
  };
}
