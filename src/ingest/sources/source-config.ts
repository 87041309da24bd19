import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export const SOURCE_KINDS = ['csv-file', 'csv-url', 'fhir'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
export const PULL_MODES = ['snapshot', 'delta'] as const;
export type PullMode = (typeof PULL_MODES)[number];
export const ENCODINGS = ['utf-8', 'windows-1252'] as const;

/** Environment variable names only: secrets never live in the sources file. */
const ENV_NAME = /^(?!WAITWELL_)[A-Z][A-Z0-9_]{1,80}$/;
const ENV_MESSAGE =
  'must name an environment variable (upper case, digits, _; not starting with WAITWELL_)';

export class SourceAuthConfig {
  /** Environment variable holding a bearer token. */
  @IsOptional()
  @Matches(ENV_NAME, { message: `bearerTokenEnv ${ENV_MESSAGE}` })
  bearerTokenEnv?: string;
  @IsOptional()
  @Matches(ENV_NAME, { message: `basicUserEnv ${ENV_MESSAGE}` })
  basicUserEnv?: string;
  @IsOptional()
  @Matches(ENV_NAME, { message: `basicPasswordEnv ${ENV_MESSAGE}` })
  basicPasswordEnv?: string;
}

export class CsvConfig {
  @IsOptional() @IsIn(ENCODINGS) encoding: (typeof ENCODINGS)[number] = 'utf-8';
  @IsOptional() @IsIn([',', ';', '\t', '|']) delimiter: string = ',';
  /** e.g. "dd/MM/yyyy" or "yyyy-MM-dd". */
  @IsOptional() @IsString() dateFormat: string = 'yyyy-MM-dd';
  /** WaitWell field → the header name in this provider's export (matched ignoring case and surrounding spaces). */
  @IsObject() columns: Record<string, string>;
  /** Per coded field: the provider's code → WaitWell's value, e.g. priority: { "1": routine, "2": urgent }. */
  @IsOptional() @IsObject() codes: Record<string, Record<string, string>> = {};
}

export class FhirConfig {
  /** Extra search parameters for ServiceRequest, e.g. { category: referral, code: "http://snomed.info/sct|...". } */
  @IsOptional() @IsObject() search: Record<string, string> = {};
  @IsOptional() @IsInt() @Min(1) @Max(1000) pageSize: number = 100;
  /** ServiceRequest.identifier.system that carries the provider's referral id (default: the first identifier). */
  @IsOptional() @IsString() referralIdentifierSystem?: string;
  /** FHIR request-priority → WaitWell priority (shared/domain/reference.md §6). */
  @IsOptional() @IsObject() priorityCodes: Record<string, string> = {
    routine: 'routine',
    urgent: 'urgent',
    asap: 'urgent',
    stat: 'urgent',
  };
  /** ServiceRequest.status → WaitWell status, or "ignore" to leave the request out of the list. */
  @IsOptional() @IsObject() statusCodes: Record<string, string> = {
    active: 'waiting',
    'on-hold': 'waiting',
    completed: 'treatment-started',
    revoked: 'discharged',
    draft: 'ignore',
    'entered-in-error': 'ignore',
    unknown: 'ignore',
  };
  @IsOptional() @IsInt() @Min(1) @Max(10) maxPages?: number;
}

export class SourceConfig {
  @Matches(/^[a-z0-9][a-z0-9-]{1,60}$/, {
    message:
      'id must be 2-61 lower-case letters, digits and hyphens, starting with a letter or digit',
  })
  id: string;
  @Matches(/^[A-Z0-9]{3,8}$/, { message: 'provider must be an ODS code from the catalogue' })
  provider: string;
  @Matches(/^[a-z][a-z0-9-]{1,40}$/, {
    message: 'service must be a service code from the catalogue',
  })
  service: string;
  @IsIn(SOURCE_KINDS) kind: SourceKind;
  /** csv-file: a file or a drop folder (relative paths are inside the data folder); csv-url and fhir: the URL. */
  @IsString() location: string;
  /** Cron expression (seconds optional), e.g. "0 *\/30 * * * *"; omit for manual pulls only. */
  @IsOptional() @IsString() schedule?: string;
  @IsIn(PULL_MODES) mode: PullMode;
  @IsOptional() @ValidateNested() @Type(() => SourceAuthConfig) auth?: SourceAuthConfig;
  @IsOptional() @ValidateNested() @Type(() => CsvConfig) csv?: CsvConfig;
  @IsOptional() @ValidateNested() @Type(() => FhirConfig) fhir?: FhirConfig;
  @IsOptional() @IsInt() @Min(1) maxBytes?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(1) maxRejectRatio?: number;
  @IsOptional() @IsInt() @Min(100) @Max(600_000) timeoutMs?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10) retries?: number;
}

export class SourceDefaults {
  /** Larger files are refused before reading [U: 1 GiB]. */
  @IsOptional() @IsInt() @Min(1) maxBytes: number = 1024 * 1024 * 1024;
  /** A run with a larger share of rejected rows fails whole (likely a mapping problem) [U: 0.5]. */
  @IsOptional() @IsNumber() @Min(0) @Max(1) maxRejectRatio: number = 0.5;
  @IsOptional() @IsInt() @Min(1) @Max(120) maxAgeYearsAtReferral: number = 25;
  @IsOptional() @IsInt() @Min(100) @Max(600_000) timeoutMs: number = 30_000;
  @IsOptional() @IsInt() @Min(0) @Max(10) retries: number = 3;
  /** First back-off delay; doubles per retry (1 s, 2 s, 4 s as e-RS advises). */
  @IsOptional() @IsInt() @Min(1) @Max(60_000) retryBaseMs: number = 1000;
  @IsOptional() @IsInt() @Min(100) progressEveryRows: number = 50_000;
}

export class SourcesDocument {
  @IsOptional() @ValidateNested() @Type(() => SourceDefaults) defaults: SourceDefaults =
    new SourceDefaults();
  @IsArray() @ValidateNested({ each: true }) @Type(() => SourceConfig) sources: SourceConfig[];
}

/** A source with every default applied and relative locations resolved. */
export interface ResolvedSource extends SourceConfig {
  maxBytes: number;
  maxRejectRatio: number;
  maxAgeYearsAtReferral: number;
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  progressEveryRows: number;
}
