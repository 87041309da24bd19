import { CHILD_VARS, type Env, REFERRAL_VARS, resolveVar } from './context.js';
import { compileExpression, type CompiledExpression, expressionProblems } from './expression.js';
import type { BandDocument, Level, ToolDocument } from './tool-document.js';

export interface CompiledFactor {
  id: string;
  label: string;
  level: Level;
  when: CompiledExpression<Env> | null;
  points: CompiledExpression<Env>;
  cap: number | null;
  services: ReadonlySet<string> | null;
  /** Variables read by `when` and `points`: the factor's inputs in the breakdown. */
  inputs: string[];
}

export interface CompiledTrigger {
  id: string;
  label: string;
  level: Level;
  when: CompiledExpression<Env>;
  services: ReadonlySet<string> | null;
  bandRank: number;
  inputs: string[];
}

export interface CompiledTool {
  document: ToolDocument;
  bands: BandDocument[];
  referralFactors: CompiledFactor[];
  childFactors: CompiledFactor[];
  referralTriggers: CompiledTrigger[];
  childTriggers: CompiledTrigger[];
  combine: 'highest' | 'sum';
  /** Factor and trigger labels by id. */
  labels: ReadonlyMap<string, string>;
}

export class ToolInvalidError extends Error {
  constructor(readonly problems: string[]) {
    super(`the tool is not valid: ${problems.join('; ')}`);
  }
}

/**
 * Checks what a schema cannot: unique ids, band order, known bands, and that every expression
 * compiles (naming the path of each bad rule). Empty when the tool is valid.
 *
 * With `types`, also what a document being written (a draft, its validation, preview or
 * activation) must get right but a version already activated is not held to, so that neither a
 * check added later nor a change of the catalogue stops its scores being made and explained: rules
 * that could never work whatever a child's data (text or true/false where a number is needed, a
 * number to look in, points that can never be a number: every child would be flagged for them at
 * each rescore), and rules limited to a service the catalogue does not have (an activated version
 * whose service was taken out of the catalogue keeps its rules; ToolVersionsService warns).
 */
export function toolProblems(
  doc: ToolDocument,
  knownServices: readonly string[],
  options: { types?: boolean } = {},
): string[] {
  const { types } = options;
  const problems: string[] = [];
  const bandCodes = doc.bands.map((b) => b.code);
  dupes(bandCodes).forEach((c) => problems.push(`bands: code "${c}" appears twice`));
  doc.bands.forEach((b, i) => {
    const last = i === doc.bands.length - 1;
    if (!last && b.minScore === undefined) {
      problems.push(`bands[${i}].minScore: every band but the last needs a minScore`);
    }
    if (last && b.minScore !== undefined) {
      problems.push(
        `bands[${i}].minScore: the last band catches every lower score, so leave its minScore out`,
      );
    }
    const prev = doc.bands[i - 1]?.minScore;
    if (i > 0 && b.minScore !== undefined && prev !== undefined && b.minScore >= prev) {
      problems.push(
        `bands[${i}].minScore: bands go from highest priority to lowest, so ${b.minScore} must be below ${prev}`,
      );
    }
  });
  if (!bandCodes.includes(doc.triggerBand)) {
    problems.push(
      `triggerBand: "${doc.triggerBand}" is not one of the bands (${bandCodes.join(', ')})`,
    );
  }
  const ids = [...doc.factors.map((f) => f.id), ...doc.triggers.map((t) => t.id)];
  dupes(ids).forEach((id) => problems.push(`factors/triggers: id "${id}" appears twice`));
  const checkServices = (services: string[] | undefined, level: Level, path: string) => {
    if (!services) return;
    if (level === 'child') {
      problems.push(`${path}.services: only referral-level rules can be limited to services`);
    }
    services.forEach((s, j) => {
      if (types && !knownServices.includes(s)) {
        problems.push(
          `${path}.services[${j}]: "${s}" is not a service in the catalogue (${knownServices.join(', ')})`,
        );
      }
    });
  };
  doc.factors.forEach((f, i) => {
    const path = `factors[${i}]`;
    const vars = f.level === 'referral' ? REFERRAL_VARS : CHILD_VARS;
    if (f.when !== undefined) {
      problems.push(...expressionProblems(f.when, `${path}.when`, vars, { types }));
    }
    problems.push(
      ...expressionProblems(f.points, `${path}.points`, vars, { types, gives: 'number' }),
    );
    checkServices(f.services, f.level, path);
    checkTemplate(f.explain, vars, `${path}.explain`, problems, types === true);
  });
  doc.triggers.forEach((t, i) => {
    const path = `triggers[${i}]`;
    const vars = t.level === 'referral' ? REFERRAL_VARS : CHILD_VARS;
    problems.push(...expressionProblems(t.when, `${path}.when`, vars, { types }));
    checkServices(t.services, t.level, path);
    checkTemplate(t.explain, vars, `${path}.explain`, problems, types === true);
    if (t.band !== undefined && !bandCodes.includes(t.band)) {
      problems.push(`${path}.band: "${t.band}" is not one of the bands (${bandCodes.join(', ')})`);
    }
  });
  return problems;
}

/** Compiles a tool document once; the result scores any number of children. */
export function compileTool(doc: ToolDocument, knownServices: readonly string[]): CompiledTool {
  const problems = toolProblems(doc, knownServices);
  if (problems.length > 0) throw new ToolInvalidError(problems);
  const bandIndex = new Map(doc.bands.map((b, i) => [b.code, i]));
  const factors = doc.factors.map((f, i): CompiledFactor => {
    const vars = f.level === 'referral' ? REFERRAL_VARS : CHILD_VARS;
    const when =
      f.when === undefined
        ? null
        : compileExpression(f.when, `factors[${i}].when`, vars, resolveVar);
    const points = compileExpression(f.points, `factors[${i}].points`, vars, resolveVar);
    return {
      id: f.id,
      label: f.label,
      level: f.level,
      when,
      points,
      cap: f.cap ?? null,
      services: f.services ? new Set(f.services) : null,
      inputs: [
        ...new Set([...(when?.vars ?? []), ...points.vars, ...templateVars(f.explain)]),
      ].sort(),
    };
  });
  const triggers = doc.triggers.map((t, i): CompiledTrigger => {
    const vars = t.level === 'referral' ? REFERRAL_VARS : CHILD_VARS;
    const when = compileExpression(t.when, `triggers[${i}].when`, vars, resolveVar);
    return {
      id: t.id,
      label: t.label,
      level: t.level,
      when,
      services: t.services ? new Set(t.services) : null,
      bandRank: bandIndex.get(t.band ?? doc.triggerBand) ?? 0,
      inputs: [...new Set([...when.vars, ...templateVars(t.explain)])].sort(),
    };
  });
  return {
    document: doc,
    bands: doc.bands,
    referralFactors: factors.filter((f) => f.level === 'referral'),
    childFactors: factors.filter((f) => f.level === 'child'),
    referralTriggers: triggers.filter((t) => t.level === 'referral'),
    childTriggers: triggers.filter((t) => t.level === 'child'),
    combine: doc.combine.referrals,
    labels: new Map([...doc.factors, ...doc.triggers].map((x) => [x.id, x.label])),
  };
}

/** Variables named as {variable} in an explanation template: recorded as inputs too. */
export function templateVars(template: string | undefined): string[] {
  return template ? [...template.matchAll(/\{([a-zA-Z.]+)\}/g)].map((m) => m[1]) : [];
}

/**
 * Every {name} of a template is a known variable: own names only (`in` would also find Object's,
 * such as {constructor}). `strict` (a draft) also refuses braces around anything that is not a
 * placeholder, such as {__proto__}, which would otherwise be shown as written.
 */
function checkTemplate(
  template: string | undefined,
  vars: Record<string, unknown>,
  path: string,
  problems: string[],
  strict: boolean,
): void {
  const names = strict
    ? [...(template ?? '').matchAll(/\{([^{}]*)\}/g)].map((m) => m[1])
    : templateVars(template);
  for (const name of names) {
    if (!Object.hasOwn(vars, name)) {
      problems.push(`${path}: unknown variable "{${name}}" in the explanation`);
    }
  }
}

function dupes(xs: string[]): string[] {
  return [...new Set(xs.filter((x, i) => xs.indexOf(x) !== i))];
}
