/**
 * A vetted subset of JSONLogic (https://jsonlogic.com), compiled once into plain closures.
 * Nothing is ever passed to eval/Function: each operator is a hand-written closure, and any
 * operator not on the list below is rejected at validation with the path of the bad rule.
 *
 * Semantics are JSONLogic's where they are safe, and stricter where JSONLogic would silently guess:
 * - ordering comparisons and arithmetic need numbers; a missing input (null) raises MissingInputError
 *   naming the variable, so the factor is skipped and the child flagged rather than scored on a guess;
 * - equality never converts types ("1" == 1 is false);
 * - division or remainder by zero raises ExpressionRuntimeError.
 */

export type VarType = 'number' | 'string' | 'boolean' | 'string[]';

/** The variables a rule may read, with their types (documented in docs/prioritisation.md). */
export type VarCatalogue = Readonly<Record<string, VarType>>;

export type Evaluator<E> = (env: E) => unknown;

/** Reads a variable's value from the evaluation environment. */
export type VarResolver<E> = (name: string) => (env: E) => unknown;

export interface CompiledExpression<E> {
  evaluate: Evaluator<E>;
  /** Every variable the expression reads (its inputs, recorded in the score breakdown). */
  vars: string[];
}

export class ExpressionSyntaxError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** A rule needed an input the child's record does not have (e.g. no deprivation decile). */
export class MissingInputError extends Error {
  constructor(readonly variable: string) {
    super(`missing input ${variable}`);
  }
}

/** A rule failed while running (e.g. division by zero, a list expected): never patient data. */
export class ExpressionRuntimeError extends Error {}

export const OPERATORS = [
  'var',
  'if',
  '?:',
  '==',
  '===',
  '!=',
  '!==',
  '!',
  '!!',
  'and',
  'or',
  '<',
  '<=',
  '>',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  'min',
  'max',
  'in',
] as const;
const OPERATOR_SET = new Set<string>(OPERATORS);

/** JSONLogic truthiness: empty arrays are false, as are 0, "", null and false. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

/**
 * What a rule gives, as far as can be told before it runs: 'any' when it depends on the inputs
 * (e.g. an `if` whose branches give different kinds of value). Used only to report, at validation,
 * rules that could never work (text where a number is needed), never to change how a rule runs.
 */
type StaticType = VarType | 'null' | 'list' | 'any';

interface Node<E> {
  fn: Evaluator<E>;
  type: StaticType;
  /** Set when the node is a bare variable: lets number checks name the missing input. */
  varName?: string;
}

const TYPE_WORDS: Record<StaticType, string> = {
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  'string[]': 'a list',
  null: 'null (no value)',
  list: 'a list',
  any: 'anything',
};

/** One kind if every part gives the same kind, else 'any'. */
function same(types: StaticType[]): StaticType {
  return types.length > 0 && types.every((t) => t === types[0]) ? types[0] : 'any';
}

/**
 * Compiles a JSONLogic expression. Throws ExpressionSyntaxError (with the path of the first bad
 * rule) for unknown operators, unknown variables or malformed operations.
 */
export function compileExpression<E>(
  expr: unknown,
  path: string,
  vars: VarCatalogue,
  resolve: VarResolver<E>,
): CompiledExpression<E> {
  const used = new Set<string>();
  const node = build(expr, path, vars, resolve, used);
  return { evaluate: node.fn, vars: [...used].sort() };
}

/**
 * Collects every problem instead of stopping at the first (for validation reports). With
 * `types`, also reports parts that could never work whatever the child's data (text or true/false
 * where a number is needed, a number to look in), and, with `gives: 'number'`, a rule whose result
 * can never be a number (see toolProblems for when these checks apply).
 */
export function expressionProblems(
  expr: unknown,
  path: string,
  vars: VarCatalogue,
  options: { types?: boolean; gives?: 'number' } = {},
): string[] {
  const problems: string[] = [];
  const report: Report = (p, msg) => problems.push(`${p}: ${msg}`);
  try {
    const node = build(expr, path, vars, () => () => null, new Set(), report, options.types);
    if (options.types && options.gives === 'number' && !canBeNumber(node.type)) {
      report(path, `must give a number, but gives ${TYPE_WORDS[node.type]}`);
    }
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) problems.push(error.message);
    else throw error;
  }
  return problems;
}

/** "child.locality is text", or "this is text" for a part that is not a bare variable. */
function whatItIs(n: { type: StaticType; varName?: string }): string {
  return `${n.varName ?? 'this'} is ${TYPE_WORDS[n.type]}`;
}

function canBeNumber(t: StaticType): boolean {
  return t === 'number' || t === 'any';
}

type Report = (path: string, problem: string) => void;

function build<E>(
  expr: unknown,
  path: string,
  vars: VarCatalogue,
  resolve: VarResolver<E>,
  used: Set<string>,
  report?: Report,
  /** Also report type problems (validation of a document being written; see expressionProblems). */
  types?: boolean,
): Node<E> {
  const fail = (p: string, problem: string): Node<E> => {
    if (report) {
      report(p, problem);
      return { fn: () => null, type: 'any' };
    }
    throw new ExpressionSyntaxError(p, problem);
  };
  const sub = (e: unknown, p: string) => build(e, p, vars, resolve, used, report, types);
  if (expr === null) return { fn: () => expr, type: 'null' };
  if (typeof expr === 'string') return { fn: () => expr, type: 'string' };
  if (typeof expr === 'boolean') return { fn: () => expr, type: 'boolean' };
  if (typeof expr === 'number') {
    if (!Number.isFinite(expr)) return fail(path, 'numbers must be finite');
    return { fn: () => expr, type: 'number' };
  }
  if (Array.isArray(expr)) {
    const items = expr.map((e, i) => sub(e, `${path}[${i}]`).fn);
    return { fn: (env) => items.map((f) => f(env)), type: 'list' };
  }
  if (typeof expr !== 'object') return fail(path, `unsupported value of type ${typeof expr}`);
  const keys = Object.keys(expr);
  if (keys.length !== 1) {
    return fail(path, `an operation must have exactly one operator key (found ${keys.length})`);
  }
  const op = keys[0];
  const here = `${path}.${op}`;
  if (!OPERATOR_SET.has(op)) {
    return fail(here, `unknown operator "${op}"; allowed operators: ${OPERATORS.join(' ')}`);
  }
  const raw = (expr as Record<string, unknown>)[op];
  const rawArgs: unknown[] = Array.isArray(raw) ? (raw as unknown[]) : [raw];

  if (op === 'var') {
    const name = rawArgs[0];
    if (typeof name !== 'string') {
      return fail(here, 'var needs a variable name, e.g. {"var": "referral.weeksWaited"}');
    }
    // Own names only: `in` would also find Object's (constructor, toString, __proto__).
    if (!Object.hasOwn(vars, name)) {
      return fail(
        here,
        `unknown variable "${name}"; known variables: ${Object.keys(vars).join(', ')}`,
      );
    }
    if (rawArgs.length > 2) return fail(here, 'var takes a name and an optional default');
    used.add(name);
    const read = resolve(name);
    if (rawArgs.length === 2) {
      const fallback = sub(rawArgs[1], `${here}[1]`);
      const f = fallback.fn;
      return { fn: (env) => read(env) ?? f(env), type: same([vars[name], fallback.type]) };
    }
    return { fn: read, type: vars[name], varName: name };
  }

  const argPaths = rawArgs.map((_, i) => (Array.isArray(raw) ? `${here}[${i}]` : here));
  const args = rawArgs.map((a, i) => sub(a, argPaths[i]));
  const arity = (min: number, max: number): Node<E> | undefined =>
    args.length < min || args.length > max
      ? fail(
          here,
          min === max
            ? `${op} takes ${min} argument${min === 1 ? '' : 's'}`
            : `${op} takes ${min} to ${max} arguments`,
        )
      : undefined;
  /**
   * Argument `i` as a number when the rule runs. At validation (`types`), an argument that can never
   * be a number is reported here, once for every operator that needs numbers.
   */
  const num = (n: Node<E>, i: number): ((env: E) => number) => {
    const f = n.fn;
    const name = n.varName;
    if (types && report && !canBeNumber(n.type)) {
      report(argPaths[i], `"${op}" needs a number here, but ${whatItIs(n)}`);
    }
    return (env) => {
      const v = f(env);
      if (typeof v === 'number') return v;
      if (v === null || v === undefined) throw new MissingInputError(name ?? 'a value');
      throw new ExpressionRuntimeError(
        `"${op}" needs numbers${name ? ` (${name} is not a number)` : ''}`,
      );
    };
  };

  switch (op) {
    case 'if':
    case '?:': {
      if (args.length < 2) {
        return fail(
          here,
          'if takes a condition, a then-value and an optional else-value (or more condition/value pairs)',
        );
      }
      const fns = args.map((a) => a.fn);
      // What it can give: each then-value, and the else-value (null when there is none).
      const gives = args.filter((_, i) => i % 2 === 1 || i === args.length - 1).map((a) => a.type);
      if (args.length % 2 === 0) gives.push('null');
      return {
        fn: (env) => {
          let i = 0;
          for (; i + 1 < fns.length; i += 2) if (truthy(fns[i](env))) return fns[i + 1](env);
          return i < fns.length ? fns[i](env) : null;
        },
        type: same(gives),
      };
    }
    case '==':
    case '===': {
      const bad = arity(2, 2);
      if (bad) return bad;
      const [a, b] = args.map((x) => x.fn);
      return { fn: (env) => a(env) === b(env), type: 'boolean' };
    }
    case '!=':
    case '!==': {
      const bad = arity(2, 2);
      if (bad) return bad;
      const [a, b] = args.map((x) => x.fn);
      return { fn: (env) => a(env) !== b(env), type: 'boolean' };
    }
    case '!': {
      const bad = arity(1, 1);
      if (bad) return bad;
      const a = args[0].fn;
      return { fn: (env) => !truthy(a(env)), type: 'boolean' };
    }
    case '!!': {
      const bad = arity(1, 1);
      if (bad) return bad;
      const a = args[0].fn;
      return { fn: (env) => truthy(a(env)), type: 'boolean' };
    }
    case 'and': {
      if (args.length < 1) return fail(here, 'and needs at least one argument');
      const fns = args.map((a) => a.fn);
      return {
        fn: (env) => {
          let v: unknown = true;
          for (const f of fns) {
            v = f(env);
            if (!truthy(v)) return v;
          }
          return v;
        },
        type: same(args.map((a) => a.type)),
      };
    }
    case 'or': {
      if (args.length < 1) return fail(here, 'or needs at least one argument');
      const fns = args.map((a) => a.fn);
      return {
        fn: (env) => {
          let v: unknown = false;
          for (const f of fns) {
            v = f(env);
            if (truthy(v)) return v;
          }
          return v;
        },
        type: same(args.map((a) => a.type)),
      };
    }
    case '<':
    case '<=': {
      const bad = arity(2, 3);
      if (bad) return bad;
      const [a, b, c] = args.map(num);
      const lt = op === '<' ? (x: number, y: number) => x < y : (x: number, y: number) => x <= y;
      // Three arguments: "between" (a < b < c), as in JSONLogic.
      if (c) {
        return {
          fn: (env) => {
            const bv = b(env);
            return lt(a(env), bv) && lt(bv, c(env));
          },
          type: 'boolean',
        };
      }
      return { fn: (env) => lt(a(env), b(env)), type: 'boolean' };
    }
    case '>':
    case '>=': {
      const bad = arity(2, 2);
      if (bad) return bad;
      const [a, b] = args.map(num);
      return {
        fn: op === '>' ? (env) => a(env) > b(env) : (env) => a(env) >= b(env),
        type: 'boolean',
      };
    }
    case '+': {
      const fns = args.map(num);
      return {
        fn: (env) => {
          let s = 0;
          for (const f of fns) s += f(env);
          return s;
        },
        type: 'number',
      };
    }
    case '*': {
      if (args.length < 1) return fail(here, '* needs at least one argument');
      const fns = args.map(num);
      return {
        fn: (env) => {
          let s = 1;
          for (const f of fns) s *= f(env);
          return s;
        },
        type: 'number',
      };
    }
    case '-': {
      const bad = arity(1, 2);
      if (bad) return bad;
      const [a, b] = args.map(num);
      return { fn: b ? (env) => a(env) - b(env) : (env) => -a(env), type: 'number' };
    }
    case '/':
    case '%': {
      const bad = arity(2, 2);
      if (bad) return bad;
      const [a, b] = args.map(num);
      return {
        fn: (env) => {
          const d = b(env);
          if (d === 0) throw new ExpressionRuntimeError(`"${op}" by zero`);
          return op === '/' ? a(env) / d : a(env) % d;
        },
        type: 'number',
      };
    }
    case 'min':
    case 'max': {
      if (args.length < 1) return fail(here, `${op} needs at least one argument`);
      const fns = args.map(num);
      const pick = op === 'min' ? Math.min : Math.max;
      return { fn: (env) => pick(...fns.map((f) => f(env))), type: 'number' };
    }
    case 'in': {
      const bad = arity(2, 2);
      if (bad) return bad;
      const needle = args[0].fn;
      const hay = args[1].fn;
      const hayName = args[1].varName;
      if (types && report && !['string', 'string[]', 'list', 'any'].includes(args[1].type)) {
        report(argPaths[1], `"in" needs a list or a text to look in, but ${whatItIs(args[1])}`);
      }
      return {
        fn: (env) => {
          const h = hay(env);
          const n = needle(env);
          if (Array.isArray(h)) return h.includes(n);
          if (typeof h === 'string') return typeof n === 'string' && h.includes(n);
          if (h === null || h === undefined) throw new MissingInputError(hayName ?? 'a list');
          throw new ExpressionRuntimeError('"in" needs a list or a text to look in');
        },
        type: 'boolean',
      };
    }
    default:
      return fail(here, `unknown operator "${op}"`);
  }
}
