import { describe, expect, it } from '@jest/globals';
import jsonLogic from 'json-logic-js';
import { REFERRAL_VARS } from './context.js';
import {
  compileExpression,
  expressionProblems,
  ExpressionRuntimeError,
  ExpressionSyntaxError,
  MissingInputError,
  type VarCatalogue,
} from './expression.js';

type Data = Record<string, unknown>;
const VARS: VarCatalogue = {
  'a.n': 'number',
  'a.m': 'number',
  'a.s': 'string',
  'a.list': 'string[]',
  'a.missing': 'number',
  'a.absent': 'number',
};
const resolve = (name: string) => {
  const [scope, key] = name.split('.');
  return (env: Data) => (env[scope] as Data | undefined)?.[key] ?? null;
};
const run = (expr: unknown, env: Data) =>
  compileExpression(expr, 'rule', VARS, resolve).evaluate(env);
const env = {
  a: { n: 7, m: 3, s: 'urgent', list: ['ehcp', 'safeguarding-concern'], missing: null },
};

describe('compileExpression', () => {
  // The compiled subset agrees with the reference JSONLogic implementation on well-formed inputs.
  it.each([
    [{ '*': [{ var: 'a.n' }, 20] }],
    [{ '/': [{ var: 'a.n' }, { var: 'a.m' }] }],
    [{ '%': [{ var: 'a.n' }, { var: 'a.m' }] }],
    [{ '+': [1, 2, { var: 'a.n' }] }],
    [{ '-': [{ var: 'a.n' }, 10] }],
    [{ '-': [{ var: 'a.n' }] }],
    [{ min: [60, { '*': [{ var: 'a.n' }, 20] }] }],
    [{ max: [1, { var: 'a.m' }] }],
    [{ if: [{ '==': [{ var: 'a.s' }, 'urgent'] }, 40, { '==': [{ var: 'a.s' }, 'soon'] }, 20, 0] }],
    [{ if: [{ '>=': [{ var: 'a.n' }, 10] }, 'big', 'small'] }],
    [{ '?:': [false, 1, 2] }],
    [{ '<=': [5, { var: 'a.n' }, 11] }],
    [{ '<': [8, { var: 'a.n' }, 11] }],
    [{ '>': [{ var: 'a.n' }, 6.5] }],
    [{ and: [true, { in: ['ehcp', { var: 'a.list' }] }] }],
    [{ or: [false, 0, { in: ['child-in-care', { var: 'a.list' }] }] }],
    [{ '!': [{ in: ['rg', { var: 'a.s' }] }] }],
    [{ '!!': [[]] }],
    [{ '!=': [{ var: 'a.s' }, 'routine'] }],
    [{ in: ['slt', ['slt', 'neurodiversity']] }],
    [{ var: ['a.absent', 5] }],
  ])('should agree with json-logic-js for %j', (expr) => {
    expect(run(expr, env)).toEqual(jsonLogic.apply(expr as jsonLogic.RulesLogic, env));
  });

  it('should reject an unknown operator with the path of the bad rule', () => {
    const expr = { and: [{ '==': [1, 1] }, { eval: ['process.exit()'] }] };
    expect(() => compileExpression(expr, 'factors[3].when', VARS, resolve)).toThrow(
      ExpressionSyntaxError,
    );
    expect(expressionProblems(expr, 'factors[3].when', VARS)).toEqual([
      expect.stringMatching(/^factors\[3\]\.when\.and\[1\]\.eval: unknown operator "eval"/),
    ]);
  });

  it.each([
    [{ method: [{ var: 'a.s' }, 'toUpperCase'] }, /unknown operator "method"/],
    [{ var: 'constructor.prototype' }, /unknown variable "constructor.prototype"/],
    [{ var: 'a.nope' }, /unknown variable "a.nope"/],
    [{ '==': [1] }, /== takes 2 arguments/],
    [{ '+': [1], '-': [2] }, /exactly one operator key/],
    [{ if: [true] }, /if takes a condition/],
  ])('should refuse %j', (expr, message) => {
    const problems = expressionProblems(expr, 'p', VARS);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('should report every bad rule in one pass', () => {
    expect(expressionProblems({ or: [{ foo: 1 }, { var: 'x.y' }] }, 'w', VARS)).toHaveLength(2);
  });

  it('should name the missing input instead of guessing (null is not zero)', () => {
    expect(() => run({ '<=': [{ var: 'a.missing' }, 2] }, env)).toThrow(
      new MissingInputError('a.missing'),
    );
    // JSONLogic alone would say true here: a missing decile would look "most deprived".
    expect(jsonLogic.apply({ '<=': [{ var: 'a.missing' }, 2] }, env)).toBe(true);
  });

  it('should raise a runtime error for division by zero and non-numbers', () => {
    expect(() => run({ '/': [1, { '-': [{ var: 'a.n' }, 7] }] }, env)).toThrow(
      ExpressionRuntimeError,
    );
    expect(() => run({ '*': [{ var: 'a.s' }, 2] }, env)).toThrow(
      /needs numbers \(a.s is not a number\)/,
    );
    expect(() => run({ in: ['x', 5] }, env)).toThrow(ExpressionRuntimeError);
  });

  it.each<[unknown, string]>([
    [{ '<': [{ var: 'a.s' }, 5] }, 'p.<[0]: "<" needs a number here, but a.s is text'],
    [{ '+': [1, 'two'] }, 'p.+[1]: "+" needs a number here, but this is text'],
    [{ '*': [{ '==': [1, 1] }, 5] }, 'p.*[0]: "*" needs a number here, but this is true or false'],
    [{ '-': null }, 'p.-: "-" needs a number here, but this is null (no value)'],
    [{ max: [{ var: 'a.list' }] }, 'p.max[0]: "max" needs a number here, but a.list is a list'],
    [
      { in: ['x', { var: 'a.n' }] },
      'p.in[1]: "in" needs a list or a text to look in, but a.n is a number',
    ],
  ])('should find at validation that %j can never work', (expr, problem) => {
    expect(expressionProblems(expr, 'p', VARS, { types: true })).toEqual([problem]);
    // Only validation reports it: compiled, the rule runs (and fails for each child) as before.
    expect(expressionProblems(expr, 'p', VARS)).toEqual([]);
    expect(() => compileExpression(expr, 'p', VARS, resolve)).not.toThrow();
  });

  it.each<[unknown, string[]]>([
    ['a', ['p: must give a number, but gives text']],
    [{ '<': [1, { var: 'a.n' }] }, ['p: must give a number, but gives true or false']],
    [{ if: [{ var: 'a.s' }, 10, 'none'] }, []], // a number for some children: cannot tell
    [{ if: [{ var: 'a.s' }, 10] }, []],
    [{ var: ['a.absent', 0] }, []],
    [{ var: 'a.s' }, ['p: must give a number, but gives text']],
    [{ or: [{ var: 'a.n' }, 0] }, []],
  ])('should check that points %j can give a number', (expr, problems) => {
    expect(expressionProblems(expr, 'p', VARS, { types: true, gives: 'number' })).toEqual(problems);
  });

  it('should not convert types in equality', () => {
    expect(run({ '==': ['7', { var: 'a.n' }] }, env)).toBe(false);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'should report %s, a name every object has, as an unknown variable',
    (name) => {
      expect(
        expressionProblems({ '==': [{ var: name }, 1] }, 'x', REFERRAL_VARS, { types: true }),
      ).toEqual([
        expect.stringMatching(new RegExp(`^x\\.==\\[0\\]\\.var: unknown variable "${name}"`)),
      ]);
    },
  );

  it('should list the variables an expression reads', () => {
    expect(
      compileExpression(
        { and: [{ var: 'a.s' }, { '>': [{ var: 'a.n' }, 1] }, { var: 'a.s' }] },
        'p',
        VARS,
        resolve,
      ).vars,
    ).toEqual(['a.n', 'a.s']);
  });
});
