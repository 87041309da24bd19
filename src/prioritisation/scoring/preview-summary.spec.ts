import { describe, expect, it } from '@jest/globals';
import type { ChildFacts } from './context.js';
import { PreviewAccumulator } from './preview-summary.js';

const facts: ChildFacts = {
  childId: 'c-1',
  ageYears: 8,
  ageMonths: 100,
  locality: 'Northbridge',
  deprivationDecile: 6,
  flags: [],
  flagDetails: [],
  checkIn: null,
  referrals: [],
};

/** One child moved from `from` (current band rank) to `to` (proposed band rank). */
function move(current: string[], proposed: string[], from: number, to: number) {
  const acc = new PreviewAccumulator(current, proposed);
  acc.add(
    facts,
    'WW-1',
    { bandRank: from, score: 10, flagged: false },
    { bandRank: to, score: 11, flagged: false },
  );
  const r = acc.result();
  return {
    up: r.movedUp,
    down: r.movedDown,
    same: r.unchanged,
    change: r.largestMovers[0]?.bandChange,
  };
}

describe(PreviewAccumulator.name, () => {
  const four = ['P1', 'P2', 'P3', 'P4'];
  const three = ['red', 'amber', 'green'];

  it('should compare bands by position when both tools have as many bands', () => {
    expect(move(four, four, 3, 1)).toEqual({ up: 1, down: 0, same: 0, change: 2 });
    expect(move(four, ['A', 'B', 'C', 'D'], 2, 2)).toEqual({ up: 0, down: 0, same: 1, change: 0 });
  });

  it('should keep the top and the bottom bands level when a draft has fewer bands', () => {
    expect(move(four, three, 3, 2)).toMatchObject({ up: 0, down: 0, same: 1 });
    expect(move(four, three, 0, 0)).toMatchObject({ up: 0, down: 0, same: 1 });
    expect(move(four, three, 3, 1)).toEqual({ up: 1, down: 0, same: 0, change: 2 });
    expect(move(four, three, 1, 1)).toEqual({ up: 0, down: 1, same: 0, change: -1 });
  });

  it('should do the same when a draft has more bands', () => {
    expect(move(three, four, 2, 3)).toMatchObject({ up: 0, down: 0, same: 1 });
    expect(move(three, four, 1, 1)).toEqual({ up: 1, down: 0, same: 0, change: 1 });
    expect(move(three, four, 2, 0)).toEqual({ up: 1, down: 0, same: 0, change: 3 });
  });
});
