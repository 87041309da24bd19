import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { CatalogueService } from '../catalogue/catalogue.service.js';
import { decodeDateIdCursor, encodeCursor, type Page } from '../common/pagination/keyset.js';
import { londonDate } from '../common/time/calendar-date.js';
import type { ListReferralsQuery } from './dto/list-referrals.query.js';
import type { ReferralListItem } from './dto/referral.response.dto.js';
import { ReferralsError } from './referrals.errors.js';
import { ReferralsRepository } from './referrals.repository.js';

@Injectable()
export class ReferralsService {
  constructor(
    private readonly repository: ReferralsRepository,
    private readonly catalogue: CatalogueService,
  ) {}

  /** Referrals (pseudonymised rows), longest wait first. Clinicians see only the services they work in. */
  async list(
    q: ListReferralsQuery,
    user: AuthUser,
    today = londonDate(),
  ): Promise<Page<ReferralListItem>> {
    if (q.service && !this.catalogue.service(q.service)) {
      throw ReferralsError.unknownService(
        q.service,
        this.catalogue.services().map((s) => s.code),
      );
    }
    if (q.provider && !this.catalogue.provider(q.provider)) {
      throw ReferralsError.unknownProvider(
        q.provider,
        this.catalogue.providers().map((p) => p.code),
      );
    }
    let services = q.service ? [q.service] : undefined;
    if (user.role === 'clinician') {
      if (q.service && !user.services.includes(q.service)) {
        throw ReferralsError.serviceNotAssigned(q.service);
      }
      services = services ?? user.services;
    }
    const limit = q.limit ?? 50;
    const after = q.cursor ? decodeDateIdCursor(q.cursor) : undefined;
    const rows = await this.repository.list({
      services,
      provider: q.provider,
      status: q.status,
      after: after ? { receivedDate: after.date, id: after.id } : undefined,
      limit: limit + 1,
      today,
    });
    const items = rows.slice(0, limit).map((r) => ({
      ...r,
      weeksWaited: r.daysWaited === null || r.daysWaited < 0 ? null : Math.floor(r.daysWaited / 7),
    }));
    const last = items[items.length - 1];
    return {
      items,
      next: rows.length > limit && last ? encodeCursor([last.receivedDate, last.id]) : null,
    };
  }
}
