import { instanceToPlain, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parse } from 'yaml';
import { flattenValidationErrors } from '../../config/validate-document.js';
import { compileTool, type CompiledTool, toolProblems } from '../scoring/compile-tool.js';
import type { ToolDocument } from '../scoring/tool-document.js';
import { TOOL_SCHEMA_GROUPS, ToolDocumentSchema } from './tool-document.schema.js';

export type ParsedTool =
  | { valid: true; document: ToolDocument; compiled: CompiledTool; problems: []; name: string }
  | {
      valid: false;
      document: ToolDocument | null;
      compiled: null;
      problems: string[];
      /** The name the document gives itself, when it can be read and the name is text (a draft's). */
      name: string | null;
    };

/**
 * YAML text → schema check (field-level problems) → semantic checks and expression compilation
 * (problems name the path of each bad rule). Never throws for a bad document: it reports.
 * `strict` (the default) adds the checks of rules that could never work (toolProblems' `types`) and
 * of fields left empty (TOOL_SCHEMA_GROUPS); a version already activated is loaded without them.
 */
export function parseTool(
  source: string,
  knownServices: readonly string[],
  options: { strict?: boolean } = {},
): ParsedTool {
  let raw: unknown;
  try {
    raw = parse(source, { maxAliasCount: 50 });
  } catch (error) {
    const e = error as { linePos?: Array<{ line: number; col: number }>; code?: string };
    const at = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    return {
      valid: false,
      document: null,
      compiled: null,
      problems: [`document: cannot be read as YAML${at} (${e.code ?? 'syntax error'})`],
      name: null,
    };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      valid: false,
      document: null,
      compiled: null,
      problems: [
        'document: must be a mapping with name, bands, triggerBand, combine, factors and triggers',
      ],
      name: null,
    };
  }
  const name = nameOf(raw as Record<string, unknown>);
  const instance = plainToInstance(ToolDocumentSchema, raw);
  const group = options.strict === false ? TOOL_SCHEMA_GROUPS.activated : TOOL_SCHEMA_GROUPS.draft;
  const schemaProblems = flattenValidationErrors(
    validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      always: true,
      groups: [group],
    }),
  );
  if (schemaProblems.length > 0) {
    return { valid: false, document: null, compiled: null, problems: schemaProblems, name };
  }
  const document = toDocument(instance, raw as Record<string, unknown>);
  const problems = toolProblems(document, knownServices, { types: options.strict !== false });
  if (problems.length > 0) {
    return { valid: false, document, compiled: null, problems, name: document.name };
  }
  return {
    valid: true,
    document,
    compiled: compileTool(document, knownServices),
    problems: [],
    name: document.name,
  };
}

/** The document's own name, trimmed, when it is text of at most 200 characters. */
function nameOf(raw: Record<string, unknown>): string | null {
  const name = raw['name'];
  return typeof name === 'string' && name.trim() && name.length <= 200 ? name.trim() : null;
}

/** The validated document as plain data; expressions are taken from the raw YAML untouched. */
function toDocument(s: ToolDocumentSchema, raw: Record<string, unknown>): ToolDocument {
  const plain = instanceToPlain(s) as ToolDocument;
  const rawFactors = raw['factors'] as Array<Record<string, unknown>>;
  const rawTriggers = (raw['triggers'] as Array<Record<string, unknown>> | undefined) ?? [];
  return {
    name: plain.name,
    ...(plain.description !== undefined ? { description: plain.description } : {}),
    bands: plain.bands.map((b) => ({
      code: b.code,
      label: b.label,
      ...(b.minScore !== undefined ? { minScore: b.minScore } : {}),
    })),
    triggerBand: plain.triggerBand,
    combine: { referrals: plain.combine.referrals },
    factors: plain.factors.map((f, i) => ({
      id: f.id,
      label: f.label,
      level: f.level,
      ...('when' in rawFactors[i] ? { when: rawFactors[i]['when'] } : {}),
      points: rawFactors[i]['points'],
      ...(f.cap !== undefined ? { cap: f.cap } : {}),
      ...(f.services !== undefined ? { services: f.services } : {}),
      ...(f.explain !== undefined ? { explain: f.explain } : {}),
    })),
    triggers: (plain.triggers ?? []).map((t, i) => ({
      id: t.id,
      label: t.label,
      level: t.level,
      when: rawTriggers[i]['when'],
      ...(t.services !== undefined ? { services: t.services } : {}),
      ...(t.band !== undefined ? { band: t.band } : {}),
      ...(t.explain !== undefined ? { explain: t.explain } : {}),
    })),
  };
}
