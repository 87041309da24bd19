import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service.js';
import type { AuthUser } from '../../auth/auth-user.js';
import { DomainEvents } from '../../common/events/domain-events.js';
import { londonDate } from '../../common/time/calendar-date.js';
import { PrioritisationError } from '../prioritisation.errors.js';
import { PriorityRepository } from '../priority/priority.repository.js';
import { RescoreService } from '../rescore/rescore.service.js';
import { CheckInsRepository } from './check-ins.repository.js';

export interface CheckInResult {
  id: string;
  childId: string;
  answer: string;
  reportedOn: string;
  recordedAt: string;
}

/**
 * Records a family check-in and rescores that child at once ("When to rescore"): "worse" adds points
 * for 8 weeks, "crisis" is a trigger for clinical review. Families may record only for their own child;
 * clinicians for children waiting for one of their services.
 */
@Injectable()
export class CheckInsService {
  constructor(
    private readonly repository: CheckInsRepository,
    private readonly priority: PriorityRepository,
    private readonly rescore: RescoreService,
    private readonly events: DomainEvents,
    private readonly audit: AuditService,
  ) {}

  async record(
    childId: string,
    input: { answer: 'no-change' | 'worse' | 'crisis'; reportedOn?: string },
    user: AuthUser,
    today = londonDate(),
  ): Promise<CheckInResult> {
    if (user.role === 'family') {
      if (user.childId !== childId || !(await this.repository.childExists(childId))) {
        throw PrioritisationError.notScored();
      }
    } else {
      const services = await this.priority.openServices(childId);
      if (!services || !services.some((s) => user.services.includes(s))) {
        throw PrioritisationError.notScored();
      }
    }
    const reportedOn = input.reportedOn ?? today;
    if (reportedOn > today) throw PrioritisationError.checkInDateInFuture();
    const row = await this.repository.transaction(async (m) => {
      const inserted = await this.repository.insert(
        {
          childId,
          answer: input.answer,
          reportedOn,
          recordedBy: user.subject,
          recordedByRole: user.role,
        },
        m,
      );
      await this.audit.record(
        {
          action: 'create',
          resource: 'family-check-in',
          childIds: [childId],
          purpose: user.role === 'family' ? 'own-child' : 'direct-care',
          detail: { checkInId: inserted.id, answer: input.answer },
        },
        m,
      );
      return inserted;
    });
    await this.rescore.rescoreChildren([childId], 'check-in', today);
    this.events.publish({ type: 'children.changed', childIds: [childId], reason: 'check-in' });
    return {
      id: row.id,
      childId,
      answer: row.answer,
      reportedOn: row.reportedOn,
      recordedAt: new Date(row.createdAt).toISOString(),
    };
  }
}
