import { validateCronExpression } from 'cron';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { CatalogueConfig } from '../../config/catalogue.schema.js';
import { DocumentValidationError, loadYamlDocument } from '../../config/validate-document.js';
import { dateFormatProblem } from '../mapping/date-format.js';
import {
  CANONICAL_CODES,
  CODED_FIELDS,
  RECORD_FIELDS,
  REQUIRED_FIELDS,
  type CodedField,
} from '../mapping/ingest-record.js';
import {
  SourceDefaults,
  SourcesDocument,
  type ResolvedSource,
  type SourceConfig,
} from './source-config.js';

/**
 * Reads and checks config/sources.yaml. Every problem is named (path and reason) so a bad file
 * stops the service at boot instead of failing a pull at 3 a.m. A missing file means no sources.
 */
export function loadSources(
  file: string,
  catalogue: CatalogueConfig,
  dataDir: string,
): ResolvedSource[] {
  if (!existsSync(file)) return [];
  const doc = loadYamlDocument(SourcesDocument, file);
  const problems = sourcesProblems(doc, catalogue);
  if (problems.length > 0) throw new DocumentValidationError(file, problems);
  const d = Object.assign(new SourceDefaults(), doc.defaults ?? {});
  return doc.sources.map((s) => ({
    ...s,
    location:
      s.kind === 'csv-file' && !isAbsolute(s.location) ? resolve(dataDir, s.location) : s.location,
    maxBytes: s.maxBytes ?? d.maxBytes,
    maxRejectRatio: s.maxRejectRatio ?? d.maxRejectRatio,
    maxAgeYearsAtReferral: d.maxAgeYearsAtReferral,
    timeoutMs: s.timeoutMs ?? d.timeoutMs,
    retries: s.retries ?? d.retries,
    retryBaseMs: d.retryBaseMs,
    progressEveryRows: d.progressEveryRows,
  }));
}

export function sourcesProblems(doc: SourcesDocument, catalogue: CatalogueConfig): string[] {
  const problems: string[] = [];
  const ids = doc.sources.map((s) => s.id);
  for (const id of ids.filter((x, i) => ids.indexOf(x) !== i)) {
    problems.push(`sources: id "${id}" appears twice`);
  }
  doc.sources.forEach((s, i) =>
    problems.push(...sourceProblems(s, catalogue).map((p) => `sources[${i}] (${s.id}).${p}`)),
  );
  return problems;
}

function sourceProblems(s: SourceConfig, catalogue: CatalogueConfig): string[] {
  const out: string[] = [];
  if (!catalogue.providers.some((p) => p.code === s.provider)) {
    out.push(`provider: "${s.provider}" is not in the catalogue`);
  }
  if (!catalogue.services.some((x) => x.code === s.service)) {
    out.push(`service: "${s.service}" is not in the catalogue`);
  }
  if (s.schedule) {
    const check = validateCronExpression(s.schedule);
    if (!check.valid) {
      out.push(
        `schedule: "${s.schedule}" is not a cron expression (${check.error?.message ?? 'invalid'})`,
      );
    }
  }
  if (s.kind !== 'csv-file' && !/^https?:\/\/[^\s]+$/.test(s.location)) {
    out.push('location: must be an http(s) URL for this kind');
  }
  if (s.kind === 'fhir') {
    if (s.csv) out.push('csv: only csv-file and csv-url sources take a csv mapping');
    return out;
  }
  if (s.fhir) out.push('fhir: only fhir sources take fhir settings');
  if (!s.csv) {
    return [
      ...out,
      'csv: a csv-file or csv-url source needs a csv mapping (columns, dateFormat, codes)',
    ];
  }
  const dateProblem = dateFormatProblem(s.csv.dateFormat);
  if (dateProblem) out.push(`csv.dateFormat: ${dateProblem}`);
  for (const [field, header] of Object.entries(s.csv.columns ?? {})) {
    if (!(RECORD_FIELDS as readonly string[]).includes(field)) {
      out.push(`csv.columns.${field}: not a WaitWell field (known: ${RECORD_FIELDS.join(', ')})`);
    }
    if (typeof header !== 'string' || !header.trim()) {
      out.push(`csv.columns.${field}: must be the header name in the file`);
    }
  }
  for (const field of REQUIRED_FIELDS) {
    if (!s.csv.columns?.[field]) out.push(`csv.columns.${field}: is required`);
  }
  for (const [field, map] of Object.entries(s.csv.codes ?? {})) {
    if (!(CODED_FIELDS as string[]).includes(field)) {
      out.push(`csv.codes.${field}: not a coded field (coded fields: ${CODED_FIELDS.join(', ')})`);
      continue;
    }
    const allowed = CANONICAL_CODES[field as CodedField] as readonly string[];
    for (const [code, value] of Object.entries(map ?? {})) {
      if (!allowed.includes(String(value))) {
        out.push(
          `csv.codes.${field}.${code}: "${String(value)}" is not one of ${allowed.join(', ')}`,
        );
      }
    }
  }
  return out;
}
