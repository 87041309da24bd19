import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);

/**
 * Every setting WaitWell reads. Settings that start with WAITWELL_ but are not listed here stop
 * the service at boot (a typo must not silently fall back to a default).
 */
export class EnvSchema {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: 'development' | 'production' | 'test';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  /** External PostgreSQL. Without it, an embedded PostgreSQL is started in WAITWELL_DATA_DIR. */
  @IsOptional()
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL?: string;

  /**
   * Connections the service keeps open to PostgreSQL (default 10). Requests beyond it wait in the
   * service for a free connection; every page is one statement, so a handful keep the database busy.
   * At least 5: a full rescore holds four at once (its transaction, the facts query and the two score
   * tables it fills), and requests need one more; fewer would make a rescore wait for itself.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(200)
  WAITWELL_DB_POOL_SIZE?: number;

  /**
   * How far ahead a clinician's override may set its review date, in days (default 365). Overrides
   * expire (prioritisation principle 3): a date years away would make one permanent in practice.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3660)
  WAITWELL_OVERRIDE_MAX_REVIEW_DAYS?: number;

  @IsOptional()
  @IsString()
  WAITWELL_DATA_DIR?: string;

  @IsOptional()
  @IsString()
  WAITWELL_CATALOGUE_FILE?: string;

  /** Seed demo data into an empty database at start-up (default: on with the embedded database). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  WAITWELL_DEMO?: boolean;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(2_000_000)
  WAITWELL_DEMO_CHILDREN?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  WAITWELL_DEMO_SEED?: number;

  /** Secret for the stable per-deployment pseudonym (HMAC of the NHS number). Required in production. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  WAITWELL_PSEUDONYM_SECRET?: string;

  /** OpenID Connect issuer for staff and family tokens. Without it, a local demo issuer is used. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  WAITWELL_OIDC_ISSUER?: string;

  @IsOptional()
  @IsString()
  WAITWELL_OIDC_AUDIENCE?: string;

  /** Port for the embedded demo OpenID provider (0 = any free port). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  WAITWELL_LOCAL_OIDC_PORT?: number;

  @IsOptional()
  @IsString()
  WAITWELL_CORS_ORIGINS?: string;

  @IsOptional()
  @IsString()
  WAITWELL_SOURCES_FILE?: string;

  @IsOptional()
  @IsString()
  WAITWELL_TOOL_FILE?: string;

  @IsOptional()
  @IsString()
  WAITWELL_RTT_REPORTING_FILE?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  WAITWELL_SCHEDULER?: boolean;

  /** Claim mapping and sign-in settings (config/identity.yaml by default); validated at boot. */
  @IsOptional()
  @IsString()
  WAITWELL_IDENTITY_FILE?: string;

  /** Key for signed family links and family sessions. Defaults to a key derived from WAITWELL_PSEUDONYM_SECRET. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  WAITWELL_FAMILY_LINK_SECRET?: string;

  /** Requests per minute per client address on every route (default 600; unlimited in tests unless set). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WAITWELL_RATE_LIMIT_PER_MINUTE?: number;

  /** Requests per minute per client address on sign-in routes (default 10). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WAITWELL_RATE_LIMIT_SIGN_IN_PER_MINUTE?: number;

  /** Requests per minute per signed-in family (default 30). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WAITWELL_RATE_LIMIT_FAMILY_PER_MINUTE?: number;

  /**
   * Behind a reverse proxy or load balancer: how many proxy hops to trust for the client address
   * (X-Forwarded-For), or a comma-separated list of proxy addresses/subnets. Unset: the socket address.
   */
  @IsOptional()
  @Matches(/^(\d{1,2}|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, {
    message: 'must be a hop count or a comma-separated list of proxy addresses/subnets',
  })
  WAITWELL_TRUST_PROXY?: string;
}

export const KNOWN_KEYS = new Set<string>([
  'NODE_ENV',
  'PORT',
  'LOG_LEVEL',
  'DATABASE_URL',
  'WAITWELL_DB_POOL_SIZE',
  'WAITWELL_OVERRIDE_MAX_REVIEW_DAYS',
  'WAITWELL_DATA_DIR',
  'WAITWELL_CATALOGUE_FILE',
  'WAITWELL_DEMO',
  'WAITWELL_DEMO_CHILDREN',
  'WAITWELL_DEMO_SEED',
  'WAITWELL_PSEUDONYM_SECRET',
  'WAITWELL_OIDC_ISSUER',
  'WAITWELL_OIDC_AUDIENCE',
  'WAITWELL_LOCAL_OIDC_PORT',
  'WAITWELL_CORS_ORIGINS',
  'WAITWELL_SOURCES_FILE',
  'WAITWELL_TOOL_FILE',
  'WAITWELL_RTT_REPORTING_FILE',
  'WAITWELL_SCHEDULER',
  'WAITWELL_IDENTITY_FILE',
  'WAITWELL_FAMILY_LINK_SECRET',
  'WAITWELL_RATE_LIMIT_PER_MINUTE',
  'WAITWELL_RATE_LIMIT_SIGN_IN_PER_MINUTE',
  'WAITWELL_RATE_LIMIT_FAMILY_PER_MINUTE',
  'WAITWELL_TRUST_PROXY',
]);

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`WaitWell cannot start: the configuration is not valid:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Validates the environment; throws ConfigValidationError naming every bad setting. */
export function validateEnv(env: NodeJS.ProcessEnv): EnvSchema {
  const problems: string[] = [];
  for (const key of Object.keys(env)) {
    if (key.startsWith('WAITWELL_') && !KNOWN_KEYS.has(key)) {
      problems.push(
        `${key} is not a WaitWell setting (check the spelling; see README "Configuration")`,
      );
    }
  }
  const picked: Record<string, string> = {};
  for (const key of KNOWN_KEYS) {
    if (env[key] !== undefined && env[key] !== '') picked[key] = env[key];
  }
  const parsed = plainToInstance(EnvSchema, picked);
  for (const error of validateSync(parsed, { whitelist: true })) {
    // Never echo the value: it may be a secret or a connection string with a password.
    problems.push(
      `${error.property} is not valid: ${Object.keys(error.constraints ?? {}).join(', ')}`,
    );
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return parsed;
}
