import { describe, expect, it } from '@jest/globals';
import type { ChildScore } from '../scoring/score-child.js';
import { encodeField } from './copy-binary.js';
import { writeWaits } from './score-rows.js';

type ReferralScore = ChildScore['referrals'][number];

const referral = (r: Partial<ReferralScore>): ReferralScore => ({
  referralId: '00000000-0000-4000-8000-000000000001',
  service: 'slt',
  provider: 'RXA',
  weeksWaited: 3,
  points: 10,
  rankScore: 10,
  factors: [],
  ...r,
});

/** The waits column as written into the COPY stream (after its 4-byte length). */
const waits = (referrals: ReferralScore[]): string => {
  const field = encodeField((w) => {
    writeWaits(w, referrals);
    return w;
  });
  expect(new DataView(field.buffer, field.byteOffset).getInt32(0)).toBe(field.length - 4);
  return Buffer.from(field.subarray(4)).toString('utf8');
};

describe(writeWaits.name, () => {
  it('should write an empty list for a child without open referrals', () => {
    expect(waits([])).toBe('[]');
  });

  it('should write the waits exactly as JSON.stringify would, ordered by service, provider and referral', () => {
    const input = [
      referral({
        referralId: '00000000-0000-4000-8000-00000000000b',
        service: 'slt',
        provider: 'RYB',
      }),
      referral({
        referralId: '00000000-0000-4000-8000-00000000000a',
        service: 'slt',
        provider: 'RYB',
        weeksWaited: null,
        rankScore: -0,
      }),
      referral({
        service: 'community-paediatrics',
        provider: 'RXA',
        weeksWaited: 104,
        rankScore: 130.6,
      }),
      referral({ service: 'slt', provider: 'RXA', weeksWaited: 0, rankScore: 0.05 }),
      // Codes are checked when they are configured; the JSON is right whatever they hold.
      referral({ service: 'slt', provider: 'R"\\é', rankScore: -12.3 }),
    ];
    const expected = [input[2], input[4], input[3], input[1], input[0]].map((r) => ({
      service: r.service,
      provider: r.provider,
      weeksWaited: r.weeksWaited,
      score: r.rankScore,
    }));
    expect(waits(input)).toBe(JSON.stringify(expected));
    // Already in order: written as given.
    expect(waits([input[2], input[4]])).toBe(JSON.stringify(expected.slice(0, 2)));
  });
});
