import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service.js';
import type { AuthUser } from '../../auth/auth-user.js';
import { DomainEvents } from '../../common/events/domain-events.js';
import { addDays, londonDate } from '../../common/time/calendar-date.js';
import { PrioritisationError } from '../prioritisation.errors.js';
import { PriorityRepository } from '../priority/priority.repository.js';
import { RescoreService } from '../rescore/rescore.service.js';
import { CheckInsRepository } from './check-ins.repository.js';
import type { CheckInBody } from './dto/check-in.dto.js';

/** How far back a check-in's date may be: a year. */
const CHECK_IN_MAX_AGE_DAYS = 365;

export interface CheckInResult {
  id: string;
  childId: string;
  answer: string;
  reportedOn: string;
  recordedAt: string;
  /** For the family, in plain words: what happens now, and where to get help that cannot wait. */
  whatHappensNext: string;
}

/**
 * What the family is told after each answer, while the child waits for at least one service and when
 * they wait for none (then no team has been told, and the words must not say one has). WaitWell is
 * not watched around the clock, so whoever reports things are worse is told where to get help that
 * cannot wait (999, NHS 111; 111's option 2 is the NHS mental health crisis line in England).
 */
const WHAT_HAPPENS_NEXT: Record<'waiting' | 'notWaiting', Record<CheckInBody['answer'], string>> = {
  waiting: {
    'no-change':
      'Thank you for letting us know. Your child stays on the waiting list and we will check in with you again while you wait.',
    worse:
      "Thank you for telling us that things are worse. Your child's team can now see this, and it counts when deciding who is seen first. If you are worried about your child's safety, call NHS 111, or 999 in an emergency.",
    crisis:
      "Thank you for telling us. We have asked your child's team to review their care. This service is not watched all the time, so someone may not see this straight away. If your child is in danger now, call 999. For urgent help, call NHS 111 (for mental health, choose option 2).",
  },
  notWaiting: {
    'no-change':
      'Thank you for letting us know. Your child is not on any of our waiting lists at the moment.',
    worse:
      "Thank you for telling us that things are worse. Your child is not on any of our waiting lists at the moment, so please speak to your GP about getting help. If you are worried about your child's safety, call NHS 111, or 999 in an emergency.",
    crisis:
      'Thank you for telling us. Your child is not on any of our waiting lists at the moment, so no team has been asked to review their care. If your child is in danger now, call 999. For urgent help, call NHS 111 (for mental health, choose option 2), or speak to your GP.',
  },
};

/**
 * Records a family check-in and rescores that child at once ("When to rescore"): "worse" adds points
 * for 8 weeks, "crisis" is a trigger for clinical review and a notice to the team of each service the
 * child waits for. Families may record only for their own child; clinicians for children waiting for
 * one of their services.
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
    // A family is told in plain words, with where to get urgent help: this may have been a crisis.
    const notFound = () =>
      user.role === 'family'
        ? PrioritisationError.checkInChildNotFound()
        : PrioritisationError.notScored();
    if (user.role === 'family' && user.childId !== childId) throw notFound();
    const services = await this.priority.openServices(childId);
    if (!services) throw notFound();
    if (user.role !== 'family' && !services.some((s) => user.services.includes(s))) {
      throw PrioritisationError.notScored();
    }
    const reportedOn = input.reportedOn ?? today;
    if (reportedOn > today) throw PrioritisationError.checkInDateInFuture();
    // A year back is room for a report written up late; further is a slip of the year.
    const earliest = addDays(today, -CHECK_IN_MAX_AGE_DAYS);
    if (reportedOn < earliest) throw PrioritisationError.checkInDateTooOld(earliest);
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
      if (input.answer === 'crisis') {
        await this.repository.noticeCrisis(
          childId,
          services,
          { checkInId: inserted.id, reportedOn, reportedByRole: user.role },
          m,
        );
      }
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
      whatHappensNext: WHAT_HAPPENS_NEXT[services.length ? 'waiting' : 'notWaiting'][input.answer],
    };
  }
}
