import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { ageInYears, daysBetween, londonDate } from '../common/time/calendar-date.js';
import { FamilyLinkService } from '../auth/family/family-link.service.js';
import { childAccess } from './child-access.js';
import { ChildrenError } from './children.errors.js';
import { ChildrenRepository, type ChildReferralRow, type ChildRow } from './children.repository.js';
import type { ChildReferralView, ChildResponse } from './dto/child.response.dto.js';
import type { FamilyLinkResponse } from './dto/family-link.response.dto.js';

@Injectable()
export class ChildrenService {
  constructor(
    private readonly repository: ChildrenRepository,
    private readonly audit: AuditService,
    private readonly familyLinks: FamilyLinkService,
  ) {}

  /**
   * One child's record, shaped by the caller's role (see childAccess): clinicians see identity and
   * the detail of the services they work in; commissioners see the pseudonymised record; a family
   * sees only its own child. Break-glass is audited as such and raises an alert for auditors.
   */
  async getChild(id: string, user: AuthUser, today = londonDate()): Promise<ChildResponse> {
    if (user.role === 'family' && user.childId !== id) throw ChildrenError.notFound();
    const child = await this.repository.findById(id);
    if (!child) throw ChildrenError.notFound();
    const [flags, referrals] = await Promise.all([
      this.repository.activeFlags(id),
      this.repository.referrals(id),
    ]);
    const access = childAccess(user, id, referrals);
    if (!access.visible) throw ChildrenError.notFound();
    const resource = access.identifiable ? 'child' : 'child-pseudonymised';
    if (access.breakGlass && user.breakGlass) {
      await this.audit.recordBreakGlass({
        resource,
        childIds: [id],
        reason: user.breakGlass.reason,
        detail: {
          normalPurpose: access.purpose,
          normallyVisible: childAccess({ ...user, breakGlass: undefined }, id, referrals).visible,
        },
      });
    } else {
      await this.audit.record({
        action: 'read',
        resource,
        childIds: [id],
        purpose: access.purpose,
      });
    }
    return {
      id: child.id,
      pseudonym: child.pseudonym,
      identifiable: access.identifiable,
      ...(access.identifiable ? identity(child) : {}),
      ageYears: ageInYears(child.dateOfBirth, today),
      locality: child.locality,
      deprivationDecile: child.deprivationDecile,
      accessibility: child.accessibility,
      flags: user.role === 'family' ? [] : flags,
      referrals: referrals.map((r) =>
        referralView(r, access.allServicesDetailed || user.services.includes(r.serviceCode), today),
      ),
    };
  }

  /**
   * A signed, expiring link for this one child's family, to put in a message (clinicians, for
   * children on their services' lists). The link itself is never stored or logged; its issue is audited.
   */
  async issueFamilyLink(id: string, user: AuthUser): Promise<FamilyLinkResponse> {
    const child = await this.repository.findById(id);
    if (!child) throw ChildrenError.notFound();
    const access = childAccess(
      { ...user, breakGlass: undefined },
      id,
      await this.repository.referrals(id),
    );
    if (!access.visible) throw ChildrenError.notFound();
    const { link, expiresAt } = await this.familyLinks.issue(id);
    await this.audit.record({
      action: 'create',
      resource: 'family-link',
      childIds: [id],
      purpose: 'direct-care',
      detail: { expiresAt },
    });
    return { childId: id, link, expiresAt };
  }
}

function identity(c: ChildRow): Partial<ChildResponse> {
  return {
    nhsNumber: c.nhsNumber,
    givenName: c.givenName,
    familyName: c.familyName,
    dateOfBirth: c.dateOfBirth,
    addressLines: c.addressLines,
    postcode: c.postcode,
    contactEmail: c.contactEmail,
    contactPhone: c.contactPhone,
    preferredChannel: c.preferredChannel,
  };
}

/**
 * Completed weeks on the RTT clock: to `today`, to the clock stop, or to the day the provider's
 * list stopped listing the referral (it does not wait on after that). Null when the clock has no
 * start: it was stopped and nullified by a missed first appointment (shared/domain/reference.md
 * §1.4, Rule 5e), and the weeks since the referral was received are no wait at all. The ranked
 * lists, the priority explanation and the RTT report show the same weeks for the same date.
 */
export function weeksWaited(
  r: Pick<ChildReferralRow, 'clockStartDate' | 'clockStopDate' | 'removedFromSourceOn'>,
  today: string,
): number | null {
  if (r.clockStartDate === null) return null;
  const days = daysBetween(r.clockStartDate, r.clockStopDate ?? r.removedFromSourceOn ?? today);
  return days < 0 ? null : Math.floor(days / 7);
}

/**
 * The weeks in words where the number alone would mislead (reference.md §1.4): why there are none,
 * or that they stopped counting when the provider's list stopped listing the referral.
 */
export function waitNote(
  r: Pick<ChildReferralRow, 'clockStartDate' | 'clockStopDate' | 'status' | 'removedFromSourceOn'>,
  weeks: number | null,
): string | null {
  if (weeks !== null) {
    return r.status === 'removed-from-source' && r.clockStopDate === null && r.removedFromSourceOn
      ? `No longer on the provider's waiting list since ${r.removedFromSourceOn}: the weeks are counted up to then.`
      : null;
  }
  if (r.clockStartDate !== null) return `The waiting-time clock starts on ${r.clockStartDate}.`;
  return r.status === 'waiting'
    ? 'Clock stopped (did not attend): the first appointment was missed. A new clock starts at zero when the appointment is rebooked.'
    : 'Clock stopped (did not attend): the first appointment was missed, so this referral has no waiting time.';
}

function referralView(r: ChildReferralRow, detailed: boolean, today: string): ChildReferralView {
  const weeks = weeksWaited(r, today);
  const base = {
    id: r.id,
    service: r.serviceCode,
    serviceName: r.serviceName,
    provider: r.providerCode,
    providerName: r.providerName,
    receivedDate: r.receivedDate,
    weeksWaited: weeks,
    waitNote: waitNote(r, weeks),
    status: r.status,
  };
  if (!detailed) {
    return { ...base, summary: `Also waiting for ${r.serviceName} since ${r.receivedDate}` };
  }
  return {
    ...base,
    priority: r.priority,
    clockStartDate: r.clockStartDate,
    clockStopDate: r.clockStopDate,
    clockStopReason: r.clockStopReason,
  };
}
