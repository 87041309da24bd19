import { describe, expect, it } from '@jest/globals';
import type { ChildReferralRow } from './children.repository.js';
import { waitNote, weeksWaited } from './children.service.js';

type Clock = Pick<
  ChildReferralRow,
  'clockStartDate' | 'clockStopDate' | 'status' | 'removedFromSourceOn'
>;

const TODAY = '2026-11-27';
const clock = (o: Partial<Clock>): Clock => ({
  clockStartDate: '2026-08-19',
  clockStopDate: null,
  status: 'waiting',
  removedFromSourceOn: null,
  ...o,
});

describe('weeksWaited and waitNote (the weeks a family sees)', () => {
  it.each<[string, Partial<Clock>, number | null, string | null]>([
    ['a running clock: completed weeks to today (100 days)', {}, 14, null],
    [
      'a stopped clock: to the stop',
      { clockStopDate: '2026-10-21', status: 'treatment-started' },
      9,
      null,
    ],
    [
      'nullified by a missed first appointment, waiting for a rebooking: none, and why',
      { clockStartDate: null },
      null,
      'Clock stopped (did not attend): the first appointment was missed. A new clock starts at zero when the appointment is rebooked.',
    ],
    [
      'nullified, then discharged: none, and why',
      { clockStartDate: null, status: 'discharged' },
      null,
      'Clock stopped (did not attend): the first appointment was missed, so this referral has no waiting time.',
    ],
    [
      "off the provider's list: to the day it left, and said so",
      { status: 'removed-from-source', removedFromSourceOn: '2026-09-30' },
      6,
      "No longer on the provider's waiting list since 2026-09-30: the weeks are counted up to then.",
    ],
    [
      'a clock starting after today (a rebooking dated ahead): none yet',
      { clockStartDate: '2026-12-01' },
      null,
      'The waiting-time clock starts on 2026-12-01.',
    ],
  ])('should show %s', (_what, o, weeks, note) => {
    const r = clock(o);
    expect(weeksWaited(r, TODAY)).toBe(weeks);
    expect(waitNote(r, weeksWaited(r, TODAY))).toBe(note);
  });
});
