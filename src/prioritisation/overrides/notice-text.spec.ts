import { describe, expect, it } from '@jest/globals';
import { noticeText, type NoticeFacts } from './notice-text.js';

const names: Record<string, string> = { slt: 'Speech and language therapy' };
const serviceName = (code: string) => names[code] ?? code;
const child = 'WW-ABCDE-FGHIJ';

describe('noticeText', () => {
  const cases: Array<[string, NoticeFacts, string]> = [
    [
      'an override that reached its review date',
      {
        kind: 'override-expired',
        pseudonym: child,
        detail: { overrideId: 'o-1', band: 'P1', reviewDate: '2026-12-01' },
      },
      `Your override of child ${child} to band P1 reached its review date (2026-12-01) and has ended: ` +
        "the child is back in the band the tool gives. Check the child's priority, and if you still " +
        'judge that the band should differ, set a new override with a new review date.',
    ],
    [
      'an override ended because the child waits for no service',
      {
        kind: 'override-ended',
        pseudonym: child,
        detail: {
          overrideId: 'o-1',
          band: 'P2',
          reviewDate: '2027-01-15',
          endedReason: 'no-longer-waiting',
        },
      },
      `Your override of child ${child} to band P2 (review date 2027-01-15) has ended because the ` +
        'child no longer waits for any service: every referral closed. Nothing needs doing now. If ' +
        "the child is referred again, the tool's band places them: set a new override then if your " +
        'judgement still differs.',
    ],
    [
      'a crisis the family reported',
      {
        kind: 'family-crisis',
        pseudonym: child,
        detail: {
          checkInId: 'c-1',
          reportedOn: '2026-11-27',
          reportedByRole: 'family',
          service: 'slt',
        },
      },
      `The family of child ${child} reported a crisis on 2026-11-27 and were told that the child's ` +
        'Speech and language therapy team would review their care. Contact the family and review ' +
        "the child's care as soon as you can; if the child may be in danger, follow your " +
        'safeguarding procedures. Marking this notice read marks it read for your whole team.',
    ],
    [
      'a crisis a clinician recorded, for a service the catalogue no longer names',
      {
        kind: 'family-crisis',
        pseudonym: child,
        detail: {
          checkInId: 'c-1',
          reportedOn: '2026-11-20',
          reportedByRole: 'clinician',
          service: 'old-service',
        },
      },
      `A clinician recorded that the family of child ${child} reported a crisis on 2026-11-20; the ` +
        "old-service team is asked to review the child's care. Contact the family and review the " +
        "child's care as soon as you can; if the child may be in danger, follow your safeguarding " +
        'procedures. Marking this notice read marks it read for your whole team.',
    ],
    [
      'a detail without the band (not written by this version)',
      { kind: 'override-expired', pseudonym: child, detail: {} },
      `Your override of child ${child} to band not recorded reached its review date (not recorded) ` +
        "and has ended: the child is back in the band the tool gives. Check the child's priority, " +
        'and if you still judge that the band should differ, set a new override with a new review date.',
    ],
    [
      'a kind this version does not know',
      { kind: 'override-replaced', pseudonym: child, detail: {} },
      `A notice (override-replaced) about child ${child}: open the child's priority to see what changed.`,
    ],
  ];

  it.each(cases)('should say in plain words: %s', (_what, facts, words) => {
    expect(noticeText(facts, serviceName)).toBe(words);
  });
});
