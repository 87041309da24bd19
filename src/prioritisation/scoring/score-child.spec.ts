import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parseTool } from '../tool/parse-tool.js';
import type { CompiledTool } from './compile-tool.js';
import type { ChildFacts, ReferralFacts } from './context.js';
import { explain, explainedTotal, toStoredBreakdown } from './explain.js';
import { reasonText, scoreChild } from './score-child.js';

const SERVICES = ['neurodiversity', 'slt', 'community-paediatrics', 'mental-health'];
const TARGET: Record<string, number> = {
  neurodiversity: 13,
  slt: 18,
  'community-paediatrics': 18,
  'mental-health': 4,
};
const DEFAULT_SOURCE = readFileSync(
  new URL('../../../config/prioritisation-tool.yaml', import.meta.url),
  'utf8',
);

function defaultTool(): CompiledTool {
  const parsed = parseTool(DEFAULT_SOURCE, SERVICES);
  if (!parsed.valid) throw new Error(parsed.problems.join('\n'));
  return parsed.compiled;
}

let seq = 0;
function referral(
  service: string,
  weeks: number | null,
  o: Partial<ReferralFacts> = {},
): ReferralFacts {
  return {
    referralId: `r-${String(++seq).padStart(4, '0')}`,
    service,
    provider: 'RXA',
    priority: 'routine',
    daysWaited: weeks === null ? null : weeks * 7,
    targetWeeks: TARGET[service],
    ...o,
  };
}
function child(o: Partial<ChildFacts> = {}): ChildFacts {
  return {
    childId: 'c-1',
    ageYears: 8,
    ageMonths: 100,
    locality: 'Northbridge',
    deprivationDecile: 6,
    flags: [],
    flagDetails: [],
    checkIn: null,
    referrals: [],
    ...o,
  };
}

const tool = defaultTool();

describe('scoreChild with the default tool', () => {
  // One scenario per row: facts → expected score and band (fixed "as-at": facts are already derived).
  it.each<[string, Partial<ChildFacts>, number, string]>([
    ['one routine SLT wait at the target', { referrals: [referral('slt', 18)] }, 20, 'P4'],
    ['waiting time is capped at 60', { referrals: [referral('neurodiversity', 100)] }, 60, 'P3'],
    [
      'urgent priority adds 40',
      { referrals: [referral('slt', 9, { priority: 'urgent' })] },
      50,
      'P3',
    ],
    ['soon priority adds 20', { referrals: [referral('slt', 0, { priority: 'soon' })] }, 20, 'P4'],
    [
      'early years only for SLT and neurodiversity',
      { ageYears: 3, referrals: [referral('community-paediatrics', 18)] },
      20,
      'P4',
    ],
    ['early years window for SLT', { ageYears: 4, referrals: [referral('slt', 18)] }, 35, 'P4'],
    ['phase transfer at 11', { ageYears: 11, referrals: [referral('slt', 18)] }, 30, 'P4'],
    ['phase transfer at 15', { ageYears: 15, referrals: [referral('slt', 18)] }, 30, 'P4'],
    ['no phase transfer at 12', { ageYears: 12, referrals: [referral('slt', 18)] }, 20, 'P4'],
    [
      'two services add 20 to the highest referral',
      { referrals: [referral('slt', 18), referral('neurodiversity', 13)] },
      40,
      'P3',
    ],
    [
      'four services add 45',
      {
        referrals: ['slt', 'neurodiversity', 'community-paediatrics', 'mental-health'].map((s) =>
          referral(s, 0),
        ),
      },
      45,
      'P3',
    ],
    [
      'two referrals in one service are one need',
      { referrals: [referral('slt', 18), referral('slt', 36, { provider: 'RYB' })] },
      40,
      'P3',
    ],
    [
      'safeguarding 30 + in care 25 + EHCP 10 + not in school 20',
      {
        flags: ['safeguarding-concern', 'child-in-care', 'ehcp', 'not-in-school'],
        referrals: [referral('slt', 18)],
      },
      105,
      'P1',
    ],
    [
      'deprivation decile 2 adds 10',
      { deprivationDecile: 2, referrals: [referral('slt', 18)] },
      30,
      'P4',
    ],
    [
      'deprivation decile 4 adds 5',
      { deprivationDecile: 4, referrals: [referral('slt', 18)] },
      25,
      'P4',
    ],
    [
      'family reports worse within 8 weeks',
      { checkIn: { answer: 'worse', daysAgo: 56 }, referrals: [referral('slt', 18)] },
      45,
      'P3',
    ],
    [
      'an old "worse" check-in does not count',
      { checkIn: { answer: 'worse', daysAgo: 63 }, referrals: [referral('slt', 18)] },
      20,
      'P4',
    ],
    [
      'exactly 70 is P2',
      { flags: ['safeguarding-concern'], referrals: [referral('slt', 36)] },
      70,
      'P2',
    ],
    [
      'exactly 100 is P1',
      {
        flags: ['safeguarding-concern', 'child-in-care'],
        deprivationDecile: 4,
        referrals: [referral('slt', 18, { priority: 'soon' })],
      },
      100,
      'P1',
    ],
    [
      'just under 100 is P2',
      {
        flags: ['safeguarding-concern', 'child-in-care'],
        referrals: [referral('neurodiversity', 29)],
      },
      99.6,
      'P2',
    ],
  ])('should score: %s', (_, facts, score, band) => {
    const s = scoreChild(tool, child(facts));
    expect(s.score).toBe(score);
    expect(s.band).toBe(band);
    expect(s.problems).toEqual([]);
  });

  it.each<[string, Partial<ChildFacts>, string[]]>([
    ['a family crisis', { checkIn: { answer: 'crisis', daysAgo: 300 } }, ['family-crisis']],
    [
      'safeguarding while waiting for mental health',
      { flags: ['safeguarding-concern'], referrals: [referral('mental-health', 1)] },
      ['safeguarding-mental-health'],
    ],
    [
      'urgent beyond twice the target',
      { referrals: [referral('mental-health', 9, { priority: 'urgent' })] },
      ['urgent-over-twice-target'],
    ],
  ])('should force P1 for %s, whatever the score', (_, facts, triggers) => {
    const s = scoreChild(tool, child({ referrals: [referral('slt', 1)], ...facts }));
    expect(s.score).toBeLessThan(100);
    expect(s.band).toBe('P1');
    expect(s.triggers.map((t) => t.id)).toEqual(triggers);
    expect(reasonText(tool.labels, s.topReasons[0])).toMatch(/^Review: /);
  });

  it('should not trigger at exactly twice the target', () => {
    expect(
      scoreChild(tool, child({ referrals: [referral('mental-health', 8, { priority: 'urgent' })] }))
        .triggers,
    ).toEqual([]);
  });

  it('should trigger from the first day beyond twice the target (day 57 of a 4-week target)', () => {
    const urgentFor = (days: number) =>
      scoreChild(
        tool,
        child({
          referrals: [referral('mental-health', null, { priority: 'urgent', daysWaited: days })],
        }),
      );
    expect(urgentFor(56).triggers).toEqual([]);
    expect(urgentFor(57).triggers.map((t) => t.id)).toEqual(['urgent-over-twice-target']);
    expect(urgentFor(57).band).toBe('P1');
  });

  it('should say a trigger forced the band only when the score alone gave a lower one', () => {
    const summary = (t: CompiledTool, facts: Partial<ChildFacts>) => {
      const s = scoreChild(t, child(facts));
      return explain(t.document, toStoredBreakdown(s, 'highest'), s.score, s.band).summary;
    };
    const crisis = { checkIn: { answer: 'crisis' as const, daysAgo: 1 } };
    expect(summary(tool, { referrals: [referral('slt', 1)], ...crisis })).toMatch(
      /Band P1 \([^)]*\), forced by 1 trigger \(the score alone gives P4\)\.$/,
    );
    // A local tool whose crisis trigger asks only for band P3: a child already in P2 stays there.
    const parsed = parseTool(
      DEFAULT_SOURCE.replace('triggerBand: P1', 'triggerBand: P3'),
      SERVICES,
    );
    if (!parsed.valid) throw new Error(parsed.problems.join('\n'));
    const p2 = summary(parsed.compiled, {
      referrals: [referral('slt', 30, { priority: 'urgent' })],
      ...crisis,
    });
    expect(p2).toMatch(/Band P[12] \([^)]*\); 1 trigger also asks for a clinical review\.$/);
    expect(p2).not.toContain('forced');
  });

  it('should give the same top reasons whatever order the referrals come in', () => {
    // Four triggers (two of the child, two of referrals), one more than the three reasons kept: the
    // third must not depend on which referral was read first.
    const parsed = parseTool(
      DEFAULT_SOURCE.replace(
        'triggers:\n',
        [
          'triggers:',
          '  - id: soon-over-target',
          '    level: referral',
          '    label: Soon, waiting beyond the target',
          "    when: { and: [{ '==': [{ 'var': 'referral.priority' }, 'soon'] }, { '>': [{ 'var': 'referral.waitRatio' }, 1] }] }",
          '',
        ].join('\n'),
      ),
      SERVICES,
    );
    if (!parsed.valid) throw new Error(parsed.problems.join('\n'));
    const referrals = [
      referral('mental-health', 9, { priority: 'urgent' }),
      referral('slt', 20, { priority: 'soon' }),
    ];
    const facts = (rs: ReferralFacts[]) =>
      child({
        flags: ['safeguarding-concern'],
        checkIn: { answer: 'crisis', daysAgo: 1 },
        referrals: rs,
      });
    const forward = scoreChild(parsed.compiled, facts(referrals));
    const backward = scoreChild(parsed.compiled, facts([...referrals].reverse()));
    expect(forward.triggers).toHaveLength(4);
    expect(backward.topReasons).toEqual(forward.topReasons);
    expect(forward.topReasons.map((r) => r.id)).toEqual([
      'family-crisis',
      'safeguarding-mental-health',
      'soon-over-target',
    ]);
  });

  it('should explain the default tool in words that agree with its rules', () => {
    const words = (facts: Partial<ChildFacts>) => {
      const s = scoreChild(tool, child(facts));
      const e = explain(tool.document, toStoredBreakdown(s, 'highest'), s.score, s.band);
      return [
        ...e.referrals.flatMap((r) => r.factors.map((f) => f.text)),
        ...e.childFactors.map((f) => f.text),
        ...e.triggers.map((t) => t.text),
      ];
    };
    // Day 57 of an urgent 4-week wait: "8 weeks against a target of 4" read as exactly twice,
    // under a label saying "more than twice"; the days show the rule (57 > 2 x 4 x 7 = 56).
    const urgent = words({
      referrals: [referral('mental-health', null, { priority: 'urgent', daysWaited: 57 })],
    });
    expect(urgent).toContain(
      'Urgent referral waiting more than twice the target: Urgent, and waited 57 days, more than twice the target of 4 weeks (forces band P1 or higher and a clinical review)',
    );
    expect(urgent.join('\n')).not.toMatch(/waited 8 weeks/);
    // A "worse" check-in six days ago read "0 weeks ago"; the rule counts days, and so do the words.
    expect(
      words({ referrals: [referral('slt', 1)], checkIn: { answer: 'worse', daysAgo: 6 } }),
    ).toContain(
      'Family reports things are worse: The family said things are worse 6 days ago (this counts for 8 weeks, 56 days) → +25 points',
    );
    expect(
      words({ referrals: [referral('slt', 1)], checkIn: { answer: 'crisis', daysAgo: 3 } }),
    ).toContain(
      'Family reported a crisis: The family said there was a crisis 3 days ago (forces band P1 or higher and a clinical review)',
    );
    // Plain words rather than "flag on record" or a bare decile number.
    const flagged = words({
      deprivationDecile: 2,
      flags: ['safeguarding-concern', 'child-in-care', 'not-in-school', 'ehcp'],
      referrals: [referral('mental-health', 1)],
    });
    expect(flagged).toEqual(
      expect.arrayContaining([
        'Safeguarding concern: A safeguarding concern is recorded → +30 points',
        'Child in care: Recorded as a child in care (looked after) → +25 points',
        'Has an EHCP: Has an Education, Health and Care Plan (EHCP) → +10 points',
        'Lives in a more deprived area: The home area is in deprivation decile 2 of 10 (1 = the most deprived tenth of areas) → +10 points',
      ]),
    );
    expect(flagged.join('\n')).not.toMatch(/flag on record/);
    expect(words({ ageYears: 11, referrals: [referral('slt', 1)] })).toContain(
      'Of an age to move school (to secondary, or on from school): Aged 11: children move to secondary school at 11 and on from school at 16 → +10 points',
    );
  });

  it('should count a "worse" check-in for 8 weeks: 56 days, not day 57', () => {
    const worse = (daysAgo: number) =>
      scoreChild(
        tool,
        child({ referrals: [referral('slt', 1)], checkIn: { answer: 'worse', daysAgo } }),
      )
        .childFactors.filter((f) => f.points > 0)
        .map((f) => f.id);
    expect(worse(56)).toContain('family-reports-worse');
    expect(worse(57)).not.toContain('family-reports-worse');
    expect(worse(62)).not.toContain('family-reports-worse');
  });

  it('should rank a child waiting for three services above an otherwise identical child waiting for one', () => {
    const one = scoreChild(tool, child({ referrals: [referral('slt', 20)] }));
    const three = scoreChild(
      tool,
      child({
        referrals: [
          referral('slt', 20),
          referral('neurodiversity', 2),
          referral('community-paediatrics', 2),
        ],
      }),
    );
    expect(three.score - one.score).toBe(35);
    // ...and in each service's own list too: referral points + child-level points.
    const sltOne = one.referrals[0].rankScore;
    const sltThree = three.referrals.find((r) => r.service === 'slt')!.rankScore;
    expect(sltThree).toBeGreaterThan(sltOne);
  });

  it('should give the same score for the same inputs and tool, in any order', () => {
    const facts = child({
      deprivationDecile: 1,
      flags: ['ehcp'],
      checkIn: { answer: 'worse', daysAgo: 3 },
      referrals: [referral('slt', 33), referral('neurodiversity', 40, { priority: 'soon' })],
    });
    const a = scoreChild(tool, facts);
    const b = scoreChild(defaultTool(), structuredClone(facts));
    const c = scoreChild(tool, { ...facts, referrals: [...facts.referrals].reverse() });
    expect(b).toEqual(a);
    expect(c.score).toBe(a.score);
    expect(c.countedReferralId).toBe(a.countedReferralId);
  });

  it('should explain the score in words that add up to it', () => {
    const facts = child({
      ageYears: 4,
      deprivationDecile: 3,
      flags: ['ehcp', 'not-in-school'],
      referrals: [referral('slt', 27, { priority: 'soon' }), referral('neurodiversity', 6)],
    });
    const s = scoreChild(tool, facts);
    const e = explain(tool.document, toStoredBreakdown(s, 'highest'), s.score, s.band);
    expect(explainedTotal(e)).toBe(s.score);
    // SLT: 27/18*20 = 30 + soon 20 + early years 15 = 65; child: 2 services 20 + NIS 20 + EHCP 10 + decile 3: 5 = 55.
    expect(s.score).toBe(120);
    expect(e.summary).toBe(
      'Score 120 = 65 from the highest-scoring referral (slt) + 55 child-level points. Band P1 (Highest priority - see first).',
    );
    // P1 by score alone: no trigger, so nothing in the words may promise a clinical review.
    expect(s.triggers).toEqual([]);
    expect(e.summary).not.toMatch(/review/);
    const slt = e.referrals.find((r) => r.service === 'slt')!;
    expect(slt.factors.map((f) => f.text)).toEqual([
      "Time waited against the service's target: Waited 27 weeks against a target of 18 weeks → +30 points",
      'Clinical priority: Priority given at referral or triage: soon → +20 points',
      'Early years developmental window (under 5): Aged 4, waiting for slt → +15 points',
    ]);
    // With the catalogue's names and an override: services named, the override said after the band.
    const named = explain(tool.document, toStoredBreakdown(s, 'highest'), s.score, s.band, {
      serviceName: (code) => (code === 'slt' ? 'Speech and language therapy' : undefined),
      override: { band: 'P3', reviewDate: '2027-01-15', setBy: 'clinician-ward' },
    });
    expect(named.summary).toBe(
      "Score 120 = 65 from the highest-scoring referral (Speech and language therapy) + 55 child-level points. The tool's band P1 (Highest priority - see first). Shown as band P3 (" +
        tool.document.bands.find((b) => b.code === 'P3')!.label +
        ") by a clinician's override (clinician-ward) until 2027-01-15, when the child returns to the tool's band.",
    );
    expect(named.referrals.find((r) => r.service === 'slt')!.factors[2].text).toBe(
      'Early years developmental window (under 5): Aged 4, waiting for Speech and language therapy → +15 points',
    );
    expect(explainedTotal(named)).toBe(s.score);
    expect(e.notApplied.map((f) => f.id)).toEqual([
      'phase-transfer',
      'safeguarding',
      'child-in-care',
      'family-reports-worse',
    ]);
    expect(s.topReasons.map((r) => reasonText(tool.labels, r))).toEqual([
      "Time waited against the service's target (+30)",
      'Clinical priority (+20)',
      'Waiting for more than one service (+20)',
    ]);
  });

  it('should score a child with missing data with the factors that apply, and flag them', () => {
    const s = scoreChild(
      tool,
      child({
        deprivationDecile: null,
        flags: ['ehcp'],
        referrals: [referral('slt', 18), referral('neurodiversity', null)],
      }),
    );
    // slt 20 (the nullified neurodiversity clock cannot be timed) + 2 services 20 + EHCP 10.
    expect(s.score).toBe(50);
    expect(s.problems).toEqual([
      {
        rule: 'deprivation',
        referralId: undefined,
        kind: 'missing-input',
        detail: 'child.deprivationDecile',
      },
      {
        rule: 'waiting-time',
        referralId: expect.any(String),
        kind: 'missing-input',
        detail: 'referral.waitRatio',
      },
    ]);
    const e = explain(tool.document, toStoredBreakdown(s, 'highest'), s.score, s.band);
    // Plain words a clinician can act on; the tool's input named once, for whoever edits the tool.
    expect(e.problems.map((p) => p.text)).toEqual([
      `"Lives in a more deprived area" was not applied: the deprivation decile (IMD, 1 = most deprived) of the child's home area is not on record; it counts once it is (the tool's input child.deprivationDecile).`,
      `"Time waited against the service's target" was not applied: this referral has no waiting-time clock at the as-at date: clock stopped (did not attend) when the first appointment was missed; a new clock starts at zero when the appointment is rebooked, and the rule counts again from then (the tool's input referral.waitRatio).`,
    ]);
    // Each referral says its weeks, or in words why it has none (never 0 for "no clock").
    expect(e.referrals.map((r) => [r.service, r.weeksWaited, r.waitNote])).toEqual([
      ['slt', 18, null],
      [
        'neurodiversity',
        null,
        'No waiting-time clock at the as-at date: clock stopped (did not attend) when the first appointment was missed; a new clock starts at zero when the appointment is rebooked.',
      ],
    ]);
  });

  it('should keep scoring when a rule throws for one child only', () => {
    const source = DEFAULT_SOURCE.replace(
      'factors:\n',
      'factors:\n  - id: fragile\n    level: child\n    label: Fragile rule\n    points: { "/": [10, { "-": [{ "var": "child.ageYears" }, 7] }] }\n',
    );
    const parsed = parseTool(source, SERVICES);
    expect(parsed.problems).toEqual([]);
    const fragile = parsed.compiled!;
    const ok = scoreChild(fragile, child({ ageYears: 9, referrals: [referral('slt', 18)] }));
    const bad = scoreChild(fragile, child({ ageYears: 7, referrals: [referral('slt', 18)] }));
    expect(ok.score).toBe(25);
    expect(ok.problems).toEqual([]);
    expect(bad.score).toBe(20);
    expect(bad.problems).toEqual([
      { rule: 'fragile', referralId: undefined, kind: 'error', detail: '"/" by zero' },
    ]);
  });

  it('should add referral scores when the tool says "sum"', () => {
    const parsed = parseTool(
      DEFAULT_SOURCE.replace('referrals: highest', 'referrals: sum'),
      SERVICES,
    );
    const s = scoreChild(
      parsed.compiled!,
      child({ referrals: [referral('slt', 18), referral('neurodiversity', 13)] }),
    );
    expect(s.score).toBe(20 + 20 + 20);
    const e = explain(parsed.compiled!.document, toStoredBreakdown(s, 'sum'), s.score, s.band);
    expect(explainedTotal(e)).toBe(s.score);
  });
});
