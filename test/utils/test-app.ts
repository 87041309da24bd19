import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import type { Role } from '../../src/auth/auth-user.js';
import { loadAppConfig, type AppConfig } from '../../src/config/app-config.js';
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
  issuer: TestIssuer;
  /** A real signed token for a user with the given role and claims. */
  tokenFor(user: TestUser): Promise<string>;
  close(): Promise<void>;
}

export const ALL_SERVICES = ['neurodiversity', 'slt', 'community-paediatrics', 'mental-health'];

/** Boots the full AppModule against the run's throwaway PostgreSQL (migrations run at start-up). */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const url = process.env.WAITWELL_TEST_DATABASE_URL;
  if (!url) throw new Error('WAITWELL_TEST_DATABASE_URL is not set: run the tests through jest (globalSetup starts PostgreSQL)');
  const issuer = await startTestIssuer();
  const config = loadAppConfig({ NODE_ENV: 'test', WAITWELL_OIDC_ISSUER: issuer.url, WAITWELL_DEMO: 'false', ...env });
  const app = await createApp(config, url);
  await app.init();
  const db = app.get(DataSource);
  return {
    app,
    http: app.getHttpServer(),
    db,
    config,
    issuer,
    tokenFor: (u) =>
      issuer.sign({
        sub: u.sub ?? `${u.role}-1`,
        waitwell_role: u.role,
        waitwell_services: u.services ?? (u.role === 'clinician' ? ALL_SERVICES : []),
        ...(u.childId ? { waitwell_child_id: u.childId } : {}),
        ...(u.nhsNumber ? { nhs_number: u.nhsNumber } : {}),
        ...(u.commissioner ? { waitwell_commissioner: u.commissioner } : {}),
      }),
    close: async () => {
      await app.close();
      await issuer.close();
    },
  };
}

/** Empties every data table except the append-only audit (catalogue rows are re-synced at each app start). */
export async function resetData(db: DataSource): Promise<void> {
  const tables: Array<{ tablename: string }> = await db.query(
    `select tablename from pg_tables where schemaname = 'public' and tablename not in ('migrations', 'service', 'provider', 'typeorm_metadata', 'audit_event')`,
  );
  if (tables.length) await db.query(`truncate ${tables.map((t) => `"${t.tablename}"`).join(', ')} restart identity cascade`);
}
