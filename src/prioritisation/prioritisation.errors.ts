import { DomainError } from '../common/errors/domain-error.js';

export enum PrioritisationErrorCode {
  ToolInvalid = 'prioritisation.tool-invalid',
  ToolNotFound = 'prioritisation.tool-not-found',
  ToolNotDraft = 'prioritisation.tool-not-draft',
  NoActiveTool = 'prioritisation.no-active-tool',
  NotScored = 'prioritisation.not-scored',
  UnknownBand = 'prioritisation.unknown-band',
  ToolAlreadyActive = 'prioritisation.tool-already-active',
  ReviewDateNotFuture = 'prioritisation.review-date-not-future',
  ReviewDateTooFar = 'prioritisation.review-date-too-far',
  ServiceNotAssigned = 'prioritisation.service-not-assigned',
  ProviderNotCommissioned = 'prioritisation.provider-not-commissioned',
  UnknownService = 'prioritisation.unknown-service',
  UnknownProvider = 'prioritisation.unknown-provider',
  UnknownLocality = 'prioritisation.unknown-locality',
  OverrideNotFound = 'prioritisation.override-not-found',
  OverrideAlreadyEnded = 'prioritisation.override-already-ended',
  NoticeNotFound = 'prioritisation.notice-not-found',
  RunNotFound = 'prioritisation.run-not-found',
  CheckInDateInFuture = 'prioritisation.check-in-date-in-future',
  CheckInDateTooOld = 'prioritisation.check-in-date-too-old',
  ScoresRebuilding = 'prioritisation.scores-rebuilding',
  ServiceStopping = 'prioritisation.service-stopping',
  CursorOfAnotherList = 'prioritisation.cursor-of-another-list',
  CheckInChildNotFound = 'prioritisation.check-in-child-not-found',
}

/** At most this many known values are named in a message. */
const MAX_NAMED = 50;

/** Errors of the prioritisation feature. Messages never carry patient data. */
export class PrioritisationError extends DomainError {
  static toolInvalid(problems: string[]): PrioritisationError {
    return new PrioritisationError(
      'validation',
      PrioritisationErrorCode.ToolInvalid,
      `The tool document is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}): fix each field listed and validate again.`,
      problems,
    );
  }
  static toolNotFound(): PrioritisationError {
    return new PrioritisationError(
      'not-found',
      PrioritisationErrorCode.ToolNotFound,
      'There is no tool version with that id. List versions with GET /api/prioritisation/tools.',
    );
  }
  static toolNotDraft(version: number): PrioritisationError {
    return new PrioritisationError(
      'conflict',
      PrioritisationErrorCode.ToolNotDraft,
      `Tool version ${version} has been activated and can no longer be edited: create a new draft from it instead.`,
    );
  }
  static toolAlreadyActive(version: number): PrioritisationError {
    return new PrioritisationError(
      'conflict',
      PrioritisationErrorCode.ToolAlreadyActive,
      `Tool version ${version} is already the active version: nothing was changed. To score every child again now, use POST /api/prioritisation/rescore.`,
    );
  }
  static noActiveTool(): PrioritisationError {
    return new PrioritisationError(
      'unavailable',
      PrioritisationErrorCode.NoActiveTool,
      'No prioritisation tool is active and the default tool file is not valid: an administrator must activate a valid tool version.',
    );
  }
  /** A ranked page's cursor from another list: `given` and `asked` are "the children's list" or a service's. */
  static cursorOfAnotherList(given: string, asked: string): PrioritisationError {
    return new PrioritisationError(
      'validation',
      PrioritisationErrorCode.CursorOfAnotherList,
      `That cursor continues ${given}, not ${asked}: pass the "next" value of the list you are paging, or leave the cursor out to start this list from the top.`,
    );
  }
  /**
   * For a family whose check-in names a child not linked to their sign-in: plain words, and where to
   * get help that cannot wait (the check-in may have been a crisis, and it was not recorded).
   */
  static checkInChildNotFound(): PrioritisationError {
    return new PrioritisationError(
      'not-found',
      PrioritisationErrorCode.CheckInChildNotFound,
      'We could not find that child among the children linked to your sign-in, so your check-in was not sent. Check that you are signed in for the right child and try again. If your child is in danger now, call 999. For urgent help, call NHS 111 (for mental health, choose option 2).',
    );
  }
  static scoresRebuilding(): PrioritisationError {
    return new PrioritisationError(
      'unavailable',
      PrioritisationErrorCode.ScoresRebuilding,
      'Children are waiting but their priority scores are being rebuilt (after a database restart they are recalculated from the waiting list, which takes about a minute): try again shortly. No child has left the list.',
    );
  }
  static notScored(): PrioritisationError {
    return new PrioritisationError(
      'not-found',
      PrioritisationErrorCode.NotScored,
      'No priority score is held for that child on a list you can see: they may have no open referral, or rescoring has not run since they were added.',
    );
  }
  static unknownBand(band: string, bands: string[]): PrioritisationError {
    return new PrioritisationError(
      'validation',
      PrioritisationErrorCode.UnknownBand,
      `"${band}" is not a band of the active tool; use one of: ${bands.join(', ')}.`,
    );
  }
  static reviewDateNotFuture(): PrioritisationError {
    return new PrioritisationError(
      'validation',
      PrioritisationErrorCode.ReviewDateNotFuture,
      "The review date must be after today: the override ends on that date and the child returns to the tool's band.",
    );
  }
  static reviewDateTooFar(latest: string, days: number): PrioritisationError {
    return new PrioritisationError(
      'validation',
      PrioritisationErrorCode.ReviewDateTooFar,
      `The review date must be no later than ${latest} (${days} days from today): an override is for a limited time, and is reviewed by then. Set a new one at the review if it is still needed.`,
    );
  }
  static serviceNotAssigned(service: string): PrioritisationError {
    return new PrioritisationError(
      'forbidden',
      PrioritisationErrorCode.ServiceNotAssigned,
      `You are not assigned to the "${service}" service, so you cannot see its ranked list.`,
    );
  }
  static providerNotCommissioned(provider: string): PrioritisationError {
    return new PrioritisationError(
      'forbidden',
      PrioritisationErrorCode.ProviderNotCommissioned,
      `Provider "${provider}" is not commissioned by your ICB, so its list is not yours to see.`,
    );
  }

  static unknownService(code: string, known: string[]): PrioritisationError {
    return new PrioritisationError(
      'validation',
      PrioritisationErrorCode.UnknownService,
      `There is no service "${code}". Known services: ${known.join(', ')}.`,
    );
  }
  static unknownProvider(code: string, known: string[]): PrioritisationError {
    return new PrioritisationError(
      'validation',
      PrioritisationErrorCode.UnknownProvider,
      `There is no provider "${code}". Known providers: ${known.join(', ')}.`,
    );
  }
  static unknownLocality(locality: string, known: string[]): PrioritisationError {
    const shown = known.slice(0, MAX_NAMED);
    const more = known.length > shown.length ? ` and ${known.length - shown.length} more` : '';
    return new PrioritisationError(
      'validation',
      PrioritisationErrorCode.UnknownLocality,
      known.length === 0
        ? `There is no locality "${locality}": no child on record has a locality yet.`
        : `There is no locality "${locality}" (the name must match exactly). Known localities: ${shown.join(', ')}${more}.`,
    );
  }
  static overrideNotFound(): PrioritisationError {
    return new PrioritisationError(
      'not-found',
      PrioritisationErrorCode.OverrideNotFound,
      'That child has no active override to withdraw.',
    );
  }
  /** Withdrawing an override the system already ended: when (UTC) and why, so nobody retries. */
  static overrideAlreadyEnded(
    endedAt: Date,
    reason: 'expired' | 'no-longer-waiting',
  ): PrioritisationError {
    const why =
      reason === 'expired'
        ? "its review date came, and the child returned to the tool's band"
        : "the child no longer waits for any service (every referral closed); a new referral is scored by the tool's band";
    return new PrioritisationError(
      'conflict',
      PrioritisationErrorCode.OverrideAlreadyEnded,
      `That child's override already ended at ${endedAt.toISOString()} because ${why}. There is nothing to withdraw.`,
    );
  }
  static noticeNotFound(): PrioritisationError {
    return new PrioritisationError(
      'not-found',
      PrioritisationErrorCode.NoticeNotFound,
      'There is no such notice for you. List your notices with GET /api/prioritisation/notices.',
    );
  }
  static runNotFound(): PrioritisationError {
    return new PrioritisationError(
      'not-found',
      PrioritisationErrorCode.RunNotFound,
      'There is no rescore run with that id. List runs with GET /api/prioritisation/runs.',
    );
  }
  static checkInDateInFuture(): PrioritisationError {
    return new PrioritisationError(
      'validation',
      PrioritisationErrorCode.CheckInDateInFuture,
      'The check-in date cannot be in the future: give the date the family reported, or leave it out for today.',
    );
  }
  static serviceStopping(): PrioritisationError {
    return new PrioritisationError(
      'unavailable',
      PrioritisationErrorCode.ServiceStopping,
      'This WaitWell instance is shutting down, so the rescore was stopped before it changed any score. The scores are recalculated in full when the service starts again; try again then, or on another instance.',
    );
  }
  static checkInDateTooOld(earliest: string): PrioritisationError {
    return new PrioritisationError(
      'validation',
      PrioritisationErrorCode.CheckInDateTooOld,
      `The check-in date is more than a year ago (the earliest accepted is ${earliest}): check the year, or leave it out for today.`,
    );
  }
}
