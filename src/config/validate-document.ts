import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** Flattens class-validator errors to "path.to.field: message" lines. Values are never echoed. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const path = prefix
      ? /^\d+$/.test(e.property)
        ? `${prefix}[${e.property}]`
        : `${prefix}.${e.property}`
      : e.property;
    const messages = typeProblems(e) ?? Object.values(e.constraints ?? {});
    if (messages.length > 0 && isMissing(e)) {
      // An absent field: one line that says so, not every rule a value would have had to meet
      // ("name must be a string", "name must be shorter than or equal to 200 characters", ...).
      const own = e.constraints?.isDefined;
      // What the value must look like (one of a list, a pattern) still helps; its type and length do not.
      const form = Object.entries(e.constraints ?? {})
        .filter(([kind]) => FORM_CONSTRAINTS.has(kind))
        .map(([, message]) => message);
      out.push(
        `${path}: ${
          own && !DEFAULT_IS_DEFINED.test(own)
            ? own
            : [`${e.property} is required`, ...form].join(': ')
        }`,
      );
    } else {
      for (const message of messages) out.push(`${path}: ${message}`);
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, path));
  }
  return out;
}

/**
 * Rules on a value's type. When one fails, the rules on its size or form are not reported: they
 * would describe a value of the right type ("cap must not be less than 0" for the text "60").
 */
const TYPE_CONSTRAINTS = new Set([
  'isString',
  'isNumber',
  'isInt',
  'isBoolean',
  'isArray',
  'isObject',
  'nestedValidation',
]);

/** The type problems of a field, or undefined when its type is right (or not checked). */
function typeProblems(e: ValidationError): string[] | undefined {
  const wrongType = Object.entries(e.constraints ?? {}).filter(([kind]) =>
    TYPE_CONSTRAINTS.has(kind),
  );
  return wrongType.length > 0 ? wrongType.map(([, message]) => message) : undefined;
}

/** Rules that say what a missing value must look like: kept with "is required". */
const FORM_CONSTRAINTS = new Set(['isIn', 'isEnum', 'matches']);

/** class-validator's own @IsDefined() message; a rule's own message (e.g. what to give) is kept. */
const DEFAULT_IS_DEFINED = /should not be null or undefined$/;

/**
 * The field was not given (or given as null, as YAML writes an empty value). class-validator puts the
 * checked value on a field's own error; Nest's ValidationPipe removes it only from errors with
 * children, which a field that is absent has none of. Array items keep their messages.
 */
function isMissing(e: ValidationError): boolean {
  return (
    Object.prototype.hasOwnProperty.call(e, 'value') &&
    (e.value === undefined || e.value === null) &&
    !/^\d+$/.test(e.property)
  );
}

export class DocumentValidationError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not valid:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Parses a YAML document into a validated class instance, naming every bad field. */
export function validateDocument<T extends object>(
  cls: new () => T,
  raw: unknown,
  file: string,
): T {
  const instance = plainToInstance(cls, raw ?? {});
  const problems = flattenValidationErrors(
    validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }),
  );
  if (problems.length > 0) throw new DocumentValidationError(file, problems);
  return instance;
}

export function loadYamlDocument<T extends object>(cls: new () => T, file: string): T {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DocumentValidationError(file, [
      `cannot be read as YAML: ${(error as Error).message}`,
    ]);
  }
  return validateDocument(cls, raw, file);
}
