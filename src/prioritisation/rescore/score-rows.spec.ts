import { describe, expect, it } from '@jest/globals';
import type { ChildScore } from '../scoring/score-child.js';
import { encodeField, type CopyBinaryWriter } from './copy-binary.js';
import { writePoints, writeTriggers, writeWaits } from './score-rows.js';

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

/** A field as written into the COPY stream by `write`, as text (checking its 4-byte length). */
const written = (write: (w: CopyBinaryWriter) => void): string => {
  const field = encodeField((w) => {
    write(w);
    return w;
  });
  expect(new DataView(field.buffer, field.byteOffset).getInt32(0)).toBe(field.length - 4);
  return Buffer.from(field.subarray(4)).toString('utf8');
};
const waits = (referrals: ReferralScore[]): string => written((w) => writeWaits(w, referrals));

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

  it('should order any number of waits the same way, whatever order they come in', () => {
    const services = ['slt', 'mental-health', 'community-paediatrics', 'neurodiversity'];
    const providers = ['RYB', 'RXA', 'R0A'];
    const all = Array.from({ length: 40 }, (_, i) =>
      referral({
        referralId: `00000000-0000-4000-8000-${String(1000 + ((i * 7) % 40)).padStart(12, '0')}`,
        service: services[i % services.length],
        provider: providers[i % providers.length],
        weeksWaited: i,
      }),
    );
    const key = (r: ReferralScore) => [r.service, r.provider, r.referralId];
    const inOrder = [...all].sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
      return 0;
    });
    const json = (rs: ReferralScore[]) =>
      JSON.stringify(
        rs.map((r) => ({
          service: r.service,
          provider: r.provider,
          weeksWaited: r.weeksWaited,
          score: r.rankScore,
        })),
      );
    // A child's few (insertion-sorted) and a long list (sorted by sort()), reversed and shuffled.
    for (const n of [2, 3, 7, 32, 33, 40]) {
      const some = all.slice(0, n);
      const expected = json(inOrder.filter((r) => some.includes(r)));
      expect(waits([...some].reverse())).toBe(expected);
      expect(waits(some.filter((_, i) => i % 2).concat(some.filter((_, i) => !(i % 2))))).toBe(
        expected,
      );
    }
  });
});

describe(writePoints.name, () => {
  // What the rescore stored before it wrote these fields in place: the explanation and the ranked
  // lists read them back (parseReasons, the explanation's factor points).
  const joined = (items: Array<{ id: string; points: number | null }>) =>
    items.map((x) => (x.points === null ? x.id : `${x.id}=${x.points}`)).join(';');

  it('should write factors and reasons as "id=points;id", numbers as String() writes them', () => {
    const items = [
      { id: 'waiting-time', points: 60 },
      { id: 'multiple-needs', points: 20.5 },
      { id: 'safeguarding', points: null },
      { id: 'deprivation', points: -0 },
      { id: 'age-window', points: 0.05 },
      { id: 'x', points: 1e21 },
      { id: 'y', points: -12.3 },
      { id: 'z', points: 1 / 3 },
    ];
    expect(written((w) => writePoints(w, items))).toBe(joined(items));
    expect(written((w) => writePoints(w, []))).toBe('');
    expect(written((w) => writePoints(w, [{ id: 'n', points: NaN }]))).toBe('n=NaN');
  });

  it('should write ids that are not ASCII as UTF-8', () => {
    const items = [
      { id: 'école', points: 5 },
      { id: 'a', points: null },
    ];
    expect(written((w) => writePoints(w, items))).toBe('école=5;a');
  });
});

describe(writeTriggers.name, () => {
  it('should write "id;id@referralId", the referral only where the trigger fired on one', () => {
    const triggers = [
      { id: 'safeguarding' },
      { id: 'deterioration', referralId: '00000000-0000-4000-8000-00000000000a' },
      { id: 'no-referral', referralId: null },
    ];
    expect(written((w) => writeTriggers(w, triggers))).toBe(
      'safeguarding;deterioration@00000000-0000-4000-8000-00000000000a;no-referral',
    );
    expect(written((w) => writeTriggers(w, []))).toBe('');
  });
});
