import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parseTool } from './parse-tool.js';

const SERVICES = ['neurodiversity', 'slt', 'community-paediatrics', 'mental-health'];
const DEFAULT_SOURCE = readFileSync(
  new URL('../../../config/prioritisation-tool.yaml', import.meta.url),
  'utf8',
);

describe('parseTool', () => {
  it('should accept the default tool', () => {
    const parsed = parseTool(DEFAULT_SOURCE, SERVICES);
    expect(parsed.problems).toEqual([]);
    expect(parsed.document?.factors.map((f) => f.id)).toEqual([
      'waiting-time',
      'clinical-priority',
      'early-years',
      'phase-transfer',
      'multiple-needs',
      'safeguarding',
      'child-in-care',
      'not-in-school',
      'ehcp',
      'family-reports-worse',
      'deprivation',
    ]);
    expect(parsed.document?.bands.map((b) => [b.code, b.minScore])).toEqual([
      ['P1', 100],
      ['P2', 70],
      ['P3', 40],
      ['P4', undefined],
    ]);
  });

  it.each<[string, (s: string) => string, RegExp]>([
    [
      'a band with a text minScore',
      (s) => s.replace('minScore: 70 ', 'minScore: seventy '),
      /^bands\[1\]\.minScore: minScore must be a number/,
    ],
    [
      'a factor without points',
      (s) => s.replace('    points: 15\n', ''),
      /^factors\[2\]\.points: points is required/,
    ],
    [
      'a factor without a label (one line, not every rule a label must meet)',
      (s) => s.replace('    label: Has an EHCP\n', ''),
      /^factors\[8\]\.label: label is required$/,
    ],
    [
      'an id too short',
      (s) => s.replace('id: ehcp', 'id: e'),
      /^factors\[8\]\.id: id must be 2-61 lower-case letters/,
    ],
    [
      'points given as text',
      (s) => s.replace('    points: 15\n', "    points: 'fifteen'\n"),
      /^factors\[2\]\.points: must give a number, but gives text$/,
    ],
    [
      'a comparison of a text variable with a number',
      (s) =>
        s.replace(
          "{ '<': [{ 'var': 'child.ageYears' }, 5] }",
          "{ '<': [{ 'var': 'child.locality' }, 5] }",
        ),
      /^factors\[2\]\.when\.<\[0\]: "<" needs a number here, but child\.locality is text$/,
    ],
    [
      'an unknown field',
      (s) => s.replace('    cap: 60\n', '    cap: 60\n    colour: red\n'),
      /^factors\[0\]\.colour: property colour should not exist/,
    ],
    [
      'a bad level',
      (s) =>
        s.replace('level: child\n    label: Has an EHCP', 'level: family\n    label: Has an EHCP'),
      /^factors\[8\]\.level: level must be "referral" or "child"/,
    ],
    [
      'a negative cap',
      (s) => s.replace('cap: 60', 'cap: -1'),
      /^factors\[0\]\.cap: cap must not be less than 0/,
    ],
    [
      'a bad combine',
      (s) => s.replace('referrals: highest', 'referrals: average'),
      /^combine\.referrals: referrals must be "highest"/,
    ],
    [
      'bands out of order',
      (s) => s.replace('minScore: 40 ', 'minScore: 80 '),
      /^bands\[2\]\.minScore: bands go from highest priority to lowest, so 80 must be below 70/,
    ],
    [
      'an unknown trigger band',
      (s) => s.replace('triggerBand: P1', 'triggerBand: P0'),
      /^triggerBand: "P0" is not one of the bands/,
    ],
    [
      'a duplicate id',
      (s) => s.replace('id: ehcp', 'id: safeguarding'),
      /id "safeguarding" appears twice/,
    ],
    [
      'an unknown service',
      (s) => s.replace('services: [slt, neurodiversity]', 'services: [slt, dentistry]'),
      /^factors\[2\]\.services\[1\]: "dentistry" is not a service/,
    ],
    [
      'an unknown operator',
      (s) => s.replace("{ '<': [{ 'var': 'child.ageYears' }, 5] }", '{ "eval": ["1+1"] }'),
      /^factors\[2\]\.when\.eval: unknown operator "eval"/,
    ],
    [
      'an unknown variable',
      (s) => s.replace("'var': 'child.deprivationDecile' }, 2", "'var': 'child.postcode' }, 2"),
      /^factors\[10\]\.points\.if\[0\]\.<=\[0\]\.var: unknown variable "child.postcode"/,
    ],
    [
      'a referral variable in a child rule',
      (s) => s.replace("'var': 'child.serviceCount' }, 4", "'var': 'referral.priority' }, 4"),
      /^factors\[4\]\.points\.if\[0\]\.>=\[0\]\.var: unknown variable "referral.priority"/,
    ],
    [
      'an unknown explanation variable',
      (s) => s.replace('Aged {child.ageYears}, waiting', 'Aged {child.age}, waiting'),
      /^factors\[2\]\.explain: unknown variable "\{child.age\}"/,
    ],
    [
      'YAML that does not parse',
      (s) => s.replace('bands:\n', 'bands: [\n'),
      /^document: cannot be read as YAML at line \d+/,
    ],
  ])('should name the bad field for %s', (_, edit, problem) => {
    const parsed = parseTool(edit(DEFAULT_SOURCE), SERVICES);
    expect(parsed.valid).toBe(false);
    expect(parsed.problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });

  it('should say once that a required field is missing', () => {
    const parsed = parseTool(DEFAULT_SOURCE.replace(/^name: .*\n/m, ''), SERVICES);
    expect(parsed.problems).toEqual(['name: name is required']);
  });

  it.each<[string, (s: string) => string, unknown]>([
    [
      'a bare when line on a factor (it would never apply)',
      (s) =>
        s.replace('    label: Clinical priority\n', '    label: Clinical priority\n    when:\n'),
      'factors[1].when: when is required: a JSONLogic condition (leave out the when line if the factor always applies)',
    ],
    [
      'a bare when line on a trigger',
      (s) => s.replace("when: { '==': [{ 'var': 'child.checkIn' }, 'crisis'] }", 'when:'),
      'triggers[0].when: when is required: a JSONLogic condition',
    ],
    [
      'a bare cap line (it would mean no cap)',
      (s) => s.replace('cap: 60', 'cap:'),
      'factors[0].cap: cap is empty: give the most points the factor can give, or leave out the line',
    ],
    [
      'a bare minScore line (the band would hold everyone left)',
      (s) => s.replace('minScore: 70 ', 'minScore: '),
      "bands[1].minScore: minScore is empty: give the band's lowest score, or leave out the line on the last band",
    ],
    [
      'a bare services line (it would mean every service)',
      (s) => s.replace('services: [slt, neurodiversity]', 'services:'),
      'factors[2].services: services is empty: list service codes, or leave out the line for every service',
    ],
    [
      'an empty band label',
      (s) => s.replace('label: High priority', "label: ''"),
      'bands[1].label: label is required',
    ],
    [
      'an empty factor label',
      (s) => s.replace('label: Clinical priority', "label: ''"),
      'factors[1].label: label is required',
    ],
    [
      'a trigger label of spaces',
      (s) => s.replace('label: Family reported a crisis', "label: '   '"),
      'triggers[0].label: label is required',
    ],
    [
      'a rule reading constructor, a name every object has',
      (s) => s.replace("'var': 'child.ageYears' }, 5", "'var': 'constructor' }, 5"),
      expect.stringMatching(/^factors\[2\]\.when\.<\[0\]\.var: unknown variable "constructor"/),
    ],
    [
      'a rule reading __proto__',
      (s) => s.replace("'var': 'child.ageYears' }, 5", "'var': '__proto__' }, 5"),
      expect.stringMatching(/^factors\[2\]\.when\.<\[0\]\.var: unknown variable "__proto__"/),
    ],
    [
      'an explanation naming {constructor}',
      (s) => s.replace('Aged {child.ageYears}, waiting', 'Aged {constructor}, waiting'),
      'factors[2].explain: unknown variable "{constructor}" in the explanation',
    ],
    [
      'an explanation naming {__proto__}',
      (s) => s.replace('Aged {child.ageYears}, waiting', 'Aged {__proto__}, waiting'),
      'factors[2].explain: unknown variable "{__proto__}" in the explanation',
    ],
    ['an empty name', (s) => s.replace(/^name: .*$/m, "name: ''"), 'name: name is required'],
    ['a name of spaces', (s) => s.replace(/^name: .*$/m, "name: '   '"), 'name: name is required'],
    [
      'a cap given as text (only its type, not rules on its size)',
      (s) => s.replace('cap: 60', "cap: '60'"),
      'factors[0].cap: cap must be a number conforming to the specified constraints',
    ],
    [
      'a description given as a number',
      (s) => s.replace(/^description: >-\n(  .*\n)+/m, 'description: 5\n'),
      'description: description must be a string',
    ],
  ])('should refuse %s with one line', (_, edit, problem) => {
    const source = edit(DEFAULT_SOURCE);
    expect(source).not.toBe(DEFAULT_SOURCE);
    expect(parseTool(source, SERVICES).problems).toEqual([problem]);
  });

  it('should load an activated version without the checks of rules that could never work', () => {
    const source = DEFAULT_SOURCE.replace('    points: 15\n', "    points: 'fifteen'\n");
    expect(parseTool(source, SERVICES).valid).toBe(false);
    const loaded = parseTool(source, SERVICES, { strict: false });
    expect(loaded.problems).toEqual([]);
    expect(loaded.compiled?.referralFactors.map((f) => f.id)).toContain('early-years');
  });

  it('should load an activated version with a field left empty before that was refused', () => {
    const source = DEFAULT_SOURCE.replace(
      '    label: Clinical priority\n',
      "    label: ''\n    when:\n",
    ).replace('cap: 60', 'cap:');
    expect(parseTool(source, SERVICES).valid).toBe(false);
    const loaded = parseTool(source, SERVICES, { strict: false });
    expect(loaded.problems).toEqual([]);
    expect(loaded.compiled?.referralFactors.map((f) => f.id)).toContain('clinical-priority');
    // Still refused in an activated version: what was refused when it was activated.
    expect(
      parseTool(source.replace('cap:', "cap: '60'"), SERVICES, { strict: false }).problems,
    ).toEqual(['factors[0].cap: cap must be a number conforming to the specified constraints']);
  });

  it('should refuse a document that is not a mapping', () => {
    expect(parseTool('- just a list', SERVICES).problems).toEqual([
      expect.stringMatching(/^document: must be a mapping/),
    ]);
  });
});
