import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import type { Role } from '../../src/auth/auth-user.js';
import { LocalOidcProvider } from '../../src/auth/local-oidc/local-oidc.provider.js';
import { loadAppConfig, type AppConfig } from '../../src/config/app-config.js';
import { demoTokenFor } from './local-tokens.js';
import { startTestIssuer, type TestIssuer } from './test-issuer.js';

export interface TestUser {
  role: Role;
  sub?: string;
  services?: string[];
  childId?: string;
  nhsNumber?: string;
  commissioner?: string;
}

export interface TestApp {
  app: INestApplication;
  http: ReturnType<INestApplication['getHttpServer']>;
  db: DataSource;
  config: AppConfig;
  /** The embedded OpenID provider the app trusts (tokens from `tokenFor` come from it). */
  oidc: LocalOidcProvider;
  /** An issuer the app does NOT trust: only for forging bad tokens in negative tests. */
  issuer: TestIssuer;
  /** A real token from the app's local OpenID provider for a user with the given role and claims. */
  tokenFor(user: TestUser): Promise<string>;
  close(): Promise<void>;
}

export const ALL_SERVICES = ['neurodiversity', 'slt', 'community-paediatrics', 'mental-health'];

/** The ICB of the default catalogue: test commissioners commission for it unless told otherwise. */
export const TEST_COMMISSIONER = 'QZZ';

/**
 * Boots the full AppModule against the run's throwaway PostgreSQL (migrations run at start-up). With
 * no WAITWELL_OIDC_ISSUER the app runs its local OpenID provider on a free port; `tokenFor` creates
 * the requested user there and obtains a token over HTTP with the demo-user grant.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const url = process.env.WAITWELL_TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'WAITWELL_TEST_DATABASE_URL is not set: run the tests through jest (globalSetup starts PostgreSQL)',
    );
  }
  const issuer = await startTestIssuer();
  const config = loadAppConfig({ NODE_ENV: 'test', WAITWELL_DEMO: 'false', ...env });
  const app = await createApp(config, url);
  await app.init();
  const db = app.get(DataSource);
  const oidc = app.get(LocalOidcProvider);
  // One at a time: an account's claims are read when its token is issued.
  let queue: Promise<unknown> = Promise.resolve();
  const tokenFor = (u: TestUser): Promise<string> => {
    const claims: Record<string, unknown> = {
      waitwell_role: u.role,
      waitwell_services: u.services ?? (u.role === 'clinician' ? ALL_SERVICES : []),
      ...(u.childId ? { waitwell_child_id: u.childId } : {}),
      ...(u.nhsNumber ? { nhs_number: u.nhsNumber } : {}),
      ...(u.commissioner || u.role === 'commissioner'
        ? { waitwell_commissioner: u.commissioner ?? TEST_COMMISSIONER }
        : {}),
    };
    const id = u.sub ?? `${u.role}-1`;
    const next = queue.then(() => {
      oidc.registerAccount({ id, description: 'test user', claims });
      return demoTokenFor(oidc.tokenEndpoint, id);
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    app,
    http: app.getHttpServer(),
    db,
    config,
    oidc,
    issuer,
    tokenFor,
    close: async () => {
      await app.close();
      await issuer.close();
    },
  };
}

/**
 * Empties every data table except the append-only audit (catalogue rows are re-synced at each app
 * start) and `priority_scores_present` (emptied only by a crash, as a test that means one does). Restarting identities needs the tables' owner, so this test-only step runs as the
 * connection's login user for the one statement, then returns to the application's role.
 */
export async function resetData(db: DataSource): Promise<void> {
  const tables: Array<{ tablename: string }> = await db.query(
    `select tablename from pg_tables where schemaname = 'public' and tablename not in ('migrations', 'service', 'provider', 'typeorm_metadata', 'audit_event', 'priority_scores_present')`,
  );
  if (tables.length === 0) return;
  await asOwner(db, (runner) =>
    runner.query(
      `truncate ${tables.map((t) => `"${t.tablename}"`).join(', ')} restart identity cascade`,
    ),
  );
}

/**
 * Runs `work` on one connection as the database's owner rather than the app's role (which may not,
 * for example, truncate tables or write the score tables), then goes back to the app's role.
 */
export async function asOwner<T>(
  db: DataSource,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    const [{ role }] = (await runner.query(`select current_user as role`)) as Array<{
      role: string;
    }>;
    await runner.query(`reset role`);
    try {
      return await work(runner);
    } finally {
      await runner.query(`set role "${role}"`);
    }
  } finally {
    await runner.release();
  }
}
