import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { ageInYears, daysBetween, londonDate } from '../common/time/calendar-date.js';
import { ChildrenError } from './children.errors.js';
import { ChildrenRepository, type ChildReferralRow, type ChildRow } from './children.repository.js';
import type { ChildReferralView, ChildResponse } from './dto/child.response.dto.js';

@Injectable()
export class ChildrenService {
  constructor(
    private readonly repository: ChildrenRepository,
    private readonly audit: AuditService,
  ) {}

  /**
   * One child's record, shaped by the caller's role: clinicians see identity and the detail of the
   * services they work in; commissioners see the pseudonymised record; a family sees only its own child.
   */
  async getChild(id: string, user: AuthUser, today = londonDate()): Promise<ChildResponse> {
    if (user.role === 'family' && user.childId !== id) throw ChildrenError.notFound();
    const child = await this.repository.findById(id);
    if (!child) throw ChildrenError.notFound();
    const [flags, referrals] = await Promise.all([this.repository.activeFlags(id), this.repository.referrals(id)]);
    const identifiable = user.role === 'clinician' || user.role === 'family';
    await this.audit.record({
      action: 'read',
      resource: identifiable ? 'child' : 'child-pseudonymised',
      childIds: [id],
      purpose: user.role === 'commissioner' ? 'commissioning' : user.role === 'family' ? 'own-child' : 'direct-care',
    });
    return {
      id: child.id,
      pseudonym: child.pseudonym,
      identifiable,
      ...(identifiable ? identity(child) : {}),
      ageYears: ageInYears(child.dateOfBirth, today),
      locality: child.locality,
      deprivationDecile: child.deprivationDecile,
      accessibility: child.accessibility,
      flags: user.role === 'family' ? [] : flags,
      referrals: referrals.map((r) => referralView(r, user, today)),
    };
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

export function weeksWaited(r: Pick<ChildReferralRow, 'clockStartDate' | 'clockStopDate' | 'receivedDate'>, today: string): number | null {
  const start = r.clockStartDate ?? r.receivedDate;
  const end = r.clockStopDate ?? today;
  const days = daysBetween(start, end);
  return days < 0 ? null : Math.floor(days / 7);
}

function referralView(r: ChildReferralRow, user: AuthUser, today: string): ChildReferralView {
  const base = {
    id: r.id,
    service: r.serviceCode,
    serviceName: r.serviceName,
    provider: r.providerCode,
    providerName: r.providerName,
    receivedDate: r.receivedDate,
    weeksWaited: weeksWaited(r, today),
    status: r.status,
  };
  const detailed = user.role !== 'clinician' || user.services.includes(r.serviceCode);
  if (!detailed) return { ...base, summary: `Also waiting for ${r.serviceName} since ${r.receivedDate}` };
  return {
    ...base,
    priority: r.priority,
    clockStartDate: r.clockStartDate,
    clockStopDate: r.clockStopDate,
    clockStopReason: r.clockStopReason,
  };
}
