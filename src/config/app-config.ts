import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import {
  loadRttReportingSettings,
  type RttReportingSettings,
} from '../rtt-reporting/rtt-reporting.settings.js';
import { CatalogueConfig } from './catalogue.schema.js';
import { validateEnv } from './env.schema.js';
import { DocumentValidationError, loadYamlDocument } from './validate-document.js';

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  logLevel: string;
  /** poolSize: connections kept open to PostgreSQL (WAITWELL_DB_POOL_SIZE). */
  database: { url?: string; dataDir: string; poolSize: number };
  catalogue: CatalogueConfig;
  demo: { enabled: boolean; children: number; seed: number };
  pseudonymSecret: string;
  oidc: { issuer?: string; audience: string; localPort: number };
  corsOrigins: string[];
  sourcesFile: string;
  toolFile: string;
  /**
   * RTT clock rules per regime and report settings (WAITWELL_RTT_REPORTING_FILE; optional file),
   * read once: the RTT reports and the imports' clocks share them.
   */
  rttReporting: RttReportingSettings;
  /** The furthest ahead an override's review date may be, in days (WAITWELL_OVERRIDE_MAX_REVIEW_DAYS). */
  overrideMaxReviewDays: number;
  schedulerEnabled: boolean;
  rootDir: string;
  identity: {
    file: string;
    familyLinkSecret: string;
    rateLimits: { perMinute: number; signInPerMinute: number; familyPerMinute: number };
    /** Express "trust proxy": hop count or proxy addresses; false = the socket address is the client. */
    trustProxy: number | string | false;
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Builds the typed configuration from the environment. Throws a message naming each bad setting. */
export function loadAppConfig(
  env: NodeJS.ProcessEnv = process.env,
  rootDir = process.cwd(),
): AppConfig {
  const e = validateEnv(env);
  const nodeEnv = e.NODE_ENV ?? 'development';
  const dataDir = resolve(rootDir, e.WAITWELL_DATA_DIR ?? '.data');
  const catalogueFile = resolve(rootDir, e.WAITWELL_CATALOGUE_FILE ?? 'config/catalogue.yaml');
  const catalogue = loadYamlDocument(CatalogueConfig, catalogueFile);
  const problems = catalogueProblems(catalogue);
  if (problems.length > 0) throw new DocumentValidationError(catalogueFile, problems);
  if (nodeEnv === 'production' && !e.WAITWELL_PSEUDONYM_SECRET) {
    throw new DocumentValidationError('environment', [
      'WAITWELL_PSEUDONYM_SECRET is required in production',
    ]);
  }
  return {
    env: nodeEnv,
    port: e.PORT ?? 3000,
    logLevel: e.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    database: { url: e.DATABASE_URL, dataDir, poolSize: e.WAITWELL_DB_POOL_SIZE ?? 10 },
    catalogue,
    demo: {
      enabled: e.WAITWELL_DEMO ?? (!e.DATABASE_URL && nodeEnv !== 'test'),
      children: e.WAITWELL_DEMO_CHILDREN ?? 5000,
      seed: e.WAITWELL_DEMO_SEED ?? 20261125,
    },
    // Development default derived from the data folder so pseudonyms stay stable across restarts.
    pseudonymSecret:
      e.WAITWELL_PSEUDONYM_SECRET ??
      createHash('sha256').update(`waitwell-dev:${dataDir}`).digest('hex'),
    oidc: {
      issuer: e.WAITWELL_OIDC_ISSUER,
      audience: e.WAITWELL_OIDC_AUDIENCE ?? 'waitwell-api',
      localPort: e.WAITWELL_LOCAL_OIDC_PORT ?? (nodeEnv === 'test' ? 0 : 3001),
    },
    corsOrigins: (e.WAITWELL_CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    sourcesFile: resolve(rootDir, e.WAITWELL_SOURCES_FILE ?? 'config/sources.yaml'),
    toolFile: resolve(rootDir, e.WAITWELL_TOOL_FILE ?? 'config/prioritisation-tool.yaml'),
    rttReporting: loadRttReportingSettings(
      rootDir,
      resolve(rootDir, e.WAITWELL_RTT_REPORTING_FILE ?? 'config/rtt-reporting.yaml'),
    ),
    overrideMaxReviewDays: e.WAITWELL_OVERRIDE_MAX_REVIEW_DAYS ?? 365,
    schedulerEnabled: e.WAITWELL_SCHEDULER ?? nodeEnv !== 'test',
    rootDir,
    identity: {
      file: resolve(rootDir, e.WAITWELL_IDENTITY_FILE ?? 'config/identity.yaml'),
      familyLinkSecret:
        e.WAITWELL_FAMILY_LINK_SECRET ??
        createHash('sha256')
          .update(`waitwell-family-link:${e.WAITWELL_PSEUDONYM_SECRET ?? dataDir}`)
          .digest('hex'),
      // Tests run many requests from one address: unlimited unless a test sets a limit.
      rateLimits: {
        perMinute: e.WAITWELL_RATE_LIMIT_PER_MINUTE ?? (nodeEnv === 'test' ? 1_000_000 : 600),
        signInPerMinute:
          e.WAITWELL_RATE_LIMIT_SIGN_IN_PER_MINUTE ?? (nodeEnv === 'test' ? 1_000_000 : 10),
        familyPerMinute:
          e.WAITWELL_RATE_LIMIT_FAMILY_PER_MINUTE ?? (nodeEnv === 'test' ? 1_000_000 : 30),
      },
      trustProxy:
        e.WAITWELL_TRUST_PROXY === undefined
          ? false
          : /^\d+$/.test(e.WAITWELL_TRUST_PROXY)
            ? Number(e.WAITWELL_TRUST_PROXY)
            : e.WAITWELL_TRUST_PROXY,
    },
  };
}

function catalogueProblems(c: CatalogueConfig): string[] {
  const problems: string[] = [];
  const dup = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
  for (const code of dup(c.services.map((s) => s.code))) {
    problems.push(`services: code "${code}" appears twice`);
  }
  for (const code of dup(c.providers.map((p) => p.code))) {
    problems.push(`providers: code "${code}" appears twice`);
  }
  const commissioners = new Set(c.commissioners.map((x) => x.code));
  c.providers.forEach((p, i) => {
    if (!commissioners.has(p.commissioner)) {
      problems.push(
        `providers[${i}].commissioner: "${p.commissioner}" is not listed under commissioners`,
      );
    }
  });
  return problems;
}
