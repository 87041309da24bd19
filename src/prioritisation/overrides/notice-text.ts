/** The kinds of notice (priority_notice.kind; migrations TellServiceTeamsOfFamilyCrisis, EndOverridesOfChildrenNoLongerWaiting). */
export type NoticeKind = 'override-expired' | 'override-ended' | 'family-crisis';

export interface NoticeFacts {
  kind: string;
  /** The child's pseudonym: notices name a child by it, never by name or NHS number. */
  pseudonym: string;
  /** What the notice's writer stored: codes and dates only, no free text. */
  detail: Record<string, unknown>;
}

/**
 * A notice in plain words for the clinician: what happened, to which child (pseudonym only) and what
 * to do next. Derived from the kind and the stored detail each time it is read, so the words can be
 * improved without touching stored rows; `serviceName` turns a service code into the catalogue's name.
 */
export function noticeText(n: NoticeFacts, serviceName: (code: string) => string): string {
  const child = `child ${n.pseudonym}`;
  const d = (key: string) => {
    const v = n.detail[key];
    return typeof v === 'string' && v ? v : 'not recorded';
  };
  const kind = n.kind as NoticeKind;
  switch (kind) {
    case 'override-expired':
      return (
        `Your override of ${child} to band ${d('band')} reached its review date (${d('reviewDate')}) ` +
        "and has ended: the child is back in the band the tool gives. Check the child's priority, and " +
        'if you still judge that the band should differ, set a new override with a new review date.'
      );
    case 'override-ended':
      return (
        `Your override of ${child} to band ${d('band')} (review date ${d('reviewDate')}) has ended ` +
        'because the child no longer waits for any service: every referral closed. Nothing needs ' +
        "doing now. If the child is referred again, the tool's band places them: set a new override " +
        'then if your judgement still differs.'
      );
    case 'family-crisis': {
      const team = `${serviceName(d('service'))} team`;
      const what =
        n.detail.reportedByRole === 'family'
          ? `The family of ${child} reported a crisis on ${d('reportedOn')} and were told that the ` +
            `child's ${team} would review their care.`
          : `A clinician recorded that the family of ${child} reported a crisis on ` +
            `${d('reportedOn')}; the ${team} is asked to review the child's care.`;
      return (
        `${what} Contact the family and review the child's care as soon as you can; if the child ` +
        'may be in danger, follow your safeguarding procedures. Marking this notice read marks it ' +
        'read for your whole team.'
      );
    }
    default: {
      const unknown: never = kind;
      return `A notice (${String(unknown)}) about ${child}: open the child's priority to see what changed.`;
    }
  }
}
