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
    for (const message of Object.values(e.constraints ?? {})) out.push(`${path}: ${message}`);
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, path));
  }
  return out;
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
