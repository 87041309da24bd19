// Identity and audit benchmark (issue 5): the cost of sign-in checks and of the tamper-evident audit,
// each beside a raw-PostgreSQL (or raw-jose) baseline doing the same work without WaitWell around it.
// Runs on a fresh embedded PostgreSQL of its own; bounded for a 2-core box; not part of `npm test`.
//
//   npm run bench:identity
//   IDENTITY_BENCH_SECONDS=10 IDENTITY_BENCH_CHILDREN=5000 IDENTITY_BENCH_AUDIT_ROWS=500000 npm run bench:identity
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import autocannon from 'autocannon';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createApp } from '../src/app.factory.js';
import { auditHash, type AuditHashInput } from '../src/audit/audit-hash.js';
import { verifyAuditChain } from '../src/audit/audit-verification.js';
import { AuditService } from '../src/audit/audit.service.js';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_USER_GRANT,
  LocalOidcProvider,
} from '../src/auth/local-oidc/local-oidc.provider.js';
import { londonDate } from '../src/common/time/calendar-date.js';
import { loadAppConfig } from '../src/config/app-config.js';
import { startEmbeddedDatabase } from '../src/database/embedded-database.js';
import { DemoSeeder } from '../src/demo/demo-seeder.service.js';

const SECONDS = Number(process.env.IDENTITY_BENCH_SECONDS ?? 5);
const CHILDREN = Number(process.env.IDENTITY_BENCH_CHILDREN ?? 2000);
const AUDIT_ROWS = Number(process.env.IDENTITY_BENCH_AUDIT_ROWS ?? 200_000);
const CONNECTIONS = 8;

interface Figure {
  what: string;
  waitwell: string;
  baseline: string;
}
const figures: Figure[] = [];
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const rate = (n: number, ms: number) => `${Math.round((n * 1000) / ms).toLocaleString('en-GB')}/s`;

async function startDb(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = join(tmpdir(), `waitwell-identity-bench-${process.pid}-${Date.now()}`);
  const db = await startEmbeddedDatabase(dir, {
    persistent: false,
    settings: { shared_buffers: '256MB', max_connections: 60 },
  });
  return {
    url: db.url,
    stop: async () => {
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function tokenFor(
  oidc: LocalOidcProvider,
  id: string,
  claims: Record<string, unknown>,
): Promise<string> {
  oidc.registerAccount({ id, description: 'bench', claims });
  const res = await fetch(oidc.tokenEndpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: DEMO_USER_GRANT, username: id }).toString(),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function cannon(base: string, token: string, paths: string[]): Promise<autocannon.Result> {
  let i = 0;
  return autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${token}` },
    requests: [
      { method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) },
    ],
  });
}

/** Runs `op` from CONNECTIONS concurrent workers for SECONDS; returns ops/s and latency percentiles. */
async function loop(
  op: (worker: number) => Promise<void>,
): Promise<{ perSecond: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, w) => {
      while (Date.now() < end) {
        const s = process.hrtime.bigint();
        await op(w);
        latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
    }),
  );
  return {
    perSecond: (latencies.length * 1000) / (Date.now() - t0),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

async function main(): Promise<void> {
  const db = await startDb();
  let app: INestApplication | undefined;
  const raw = new pg.Pool({ connectionString: db.url, max: CONNECTIONS + 2 });
  raw.on('error', (e: Error & { code?: string }) =>
    process.stderr.write(`baseline pool: idle connection lost (${e.code ?? e.name})\n`),
  );
  try {
    const config = loadAppConfig({
      NODE_ENV: 'development',
      LOG_LEVEL: 'error',
      WAITWELL_DEMO: 'false',
      WAITWELL_SCHEDULER: 'false',
      WAITWELL_LOCAL_OIDC_PORT: '0',
      WAITWELL_DATA_DIR: join(tmpdir(), `waitwell-identity-bench-data-${process.pid}`),
      WAITWELL_RATE_LIMIT_PER_MINUTE: '100000000',
      WAITWELL_RATE_LIMIT_FAMILY_PER_MINUTE: '100000000',
      WAITWELL_RATE_LIMIT_SIGN_IN_PER_MINUTE: '100000000',
    });
    app = await createApp(config, db.url);
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
    // Baseline: the same audit columns in a plain table (no chain, no lock, no hash).
    await raw.query(
      `create table bench_audit_plain (id bigint generated always as identity primary key, occurred_at timestamptz not null, actor_subject text not null,
                                       action text not null, resource text not null, child_ids uuid[] not null, detail jsonb not null)`,
    );
    const t0 = Date.now();
    const referrals = await app.get(DemoSeeder).seed(CHILDREN, 20261125, londonDate());
    process.stdout.write(
      `seeded ${CHILDREN} children, ${referrals} referrals in ${Date.now() - t0} ms\n`,
    );
    const oidc = app.get(LocalOidcProvider);
    const clinician = await tokenFor(oidc, 'bench-clinician', {
      waitwell_role: 'clinician',
      waitwell_services: ['neurodiversity', 'slt', 'community-paediatrics', 'mental-health'],
    });
    const ids = (await raw.query(`select id from child order by id limit 500`)).rows.map(
      (r: { id: string }) => r.id,
    );

    // 1. Sign-in check alone: a verified JWT (RS256 via JWKS) and the role decision, no database.
    const me = await cannon(base, clinician, ['/api/auth/me']);
    const jwks = createRemoteJWKSet(new URL(`${oidc.issuer}/jwks`));
    const verify = await loop(async () => {
      await jwtVerify(clinician, jwks, { issuer: oidc.issuer, audience: config.oidc.audience });
    });
    figures.push({
      what: `GET /api/auth/me (${CONNECTIONS} connections)`,
      waitwell: `${Math.round(me.requests.average)} req/s, p50 ${me.latency.p50} ms, p99 ${me.latency.p99} ms, non-2xx ${me.non2xx}`,
      baseline: `jose jwtVerify in-process: ${Math.round(verify.perSecond)}/s, p99 ${verify.p99.toFixed(2)} ms`,
    });

    // 2. An identifiable read end to end: sign-in, role/scope decision, 3 queries, one chained audit row.
    const read = await cannon(
      base,
      clinician,
      ids.map((id) => `/api/children/${id}`),
    );
    let n = 0;
    const rawRead = await loop(async () => {
      const id = ids[n++ % ids.length];
      const c = await raw.connect();
      try {
        await c.query(`select * from child where id = $1`, [id]);
        await c.query(
          `select code, detail from child_flag where child_id = $1 and ended_on is null`,
          [id],
        );
        await c.query(
          `select r.*, s.name, p.name from referral r join service s on s.code = r.service_code join provider p on p.code = r.provider_code where r.child_id = $1`,
          [id],
        );
        await c.query(
          `insert into bench_audit_plain (occurred_at, actor_subject, action, resource, child_ids, detail) values (now(), 'bench', 'read', 'child', array[$1::uuid], '{}')`,
          [id],
        );
      } finally {
        c.release();
      }
    });
    figures.push({
      what: `GET /api/children/:id (${CONNECTIONS} connections)`,
      waitwell: `${Math.round(read.requests.average)} req/s, p50 ${read.latency.p50} ms, p99 ${read.latency.p99} ms, non-2xx ${read.non2xx}`,
      baseline: `raw SQL (same 3 selects + 1 plain insert): ${Math.round(rawRead.perSecond)}/s, p50 ${rawRead.p50.toFixed(1)} ms, p99 ${rawRead.p99.toFixed(1)} ms`,
    });

    // 3. Audit appends: chained (advisory lock, previous hash, SHA-256) vs a plain insert, 8 writers.
    const audit = app.get(AuditService);
    const chained = await loop(async () => {
      await audit.record({
        action: 'read',
        resource: 'bench',
        childIds: [ids[0]],
        purpose: 'bench',
        actor: { subject: 'bench', role: 'system' },
      });
    });
    const plain = await loop(async () => {
      await raw.query(
        `insert into bench_audit_plain (occurred_at, actor_subject, action, resource, child_ids, detail) values (now(), 'bench', 'read', 'bench', array[$1::uuid], '{}')`,
        [ids[0]],
      );
    });
    figures.push({
      what: `audit append, ${CONNECTIONS} concurrent writers`,
      waitwell: `${Math.round(chained.perSecond)} rows/s, p50 ${chained.p50.toFixed(1)} ms, p99 ${chained.p99.toFixed(1)} ms`,
      baseline: `plain INSERT (no chain): ${Math.round(plain.perSecond)} rows/s, p50 ${plain.p50.toFixed(1)} ms, p99 ${plain.p99.toFixed(1)} ms`,
    });

    // 4. audit:verify over AUDIT_ROWS rows vs reading the same rows without checking them.
    await app.close();
    app = undefined;
    await bulkChain(raw, AUDIT_ROWS);
    const [{ total }] = (await raw.query(`select count(*)::int as total from audit_event`))
      .rows as Array<{ total: number }>;
    const v0 = Date.now();
    const report = await verifyAuditChain(raw);
    const verifyMs = Date.now() - v0;
    const r0 = Date.now();
    let after = '0';
    let read2 = 0;
    for (;;) {
      const { rows } = await raw.query(
        `select a.id::text as id, occurred_at, actor_subject, actor_role, action, resource, child_ids::text[], purpose, request_id, detail, source_ip, prev_hash, hash from audit_event a where a.id > $1::bigint order by a.id limit 5000`,
        [after],
      );
      read2 += rows.length;
      if (rows.length < 5000) break;
      after = (rows[rows.length - 1] as { id: string }).id;
    }
    const readMs = Date.now() - r0;
    figures.push({
      what: `audit:verify over ${total.toLocaleString('en-GB')} rows (${report.ok ? 'intact' : `BROKEN at ${report.firstBreak?.id} ${report.firstBreak?.problem}`})`,
      waitwell: `${verifyMs} ms (${rate(report.rows, verifyMs)})`,
      baseline: `same keyset read, no hashing: ${readMs} ms (${rate(read2, readMs)})`,
    });
  } finally {
    await app?.close();
    await raw.end();
    await db.stop();
  }
  const w = Math.max(...figures.map((f) => f.what.length));
  process.stdout.write(
    `\nIdentity and audit benchmark (${SECONDS} s per load test, ${CONNECTIONS} connections, ${CHILDREN} children)\n`,
  );
  for (const f of figures) {
    process.stdout.write(
      `${f.what.padEnd(w)}  WaitWell: ${f.waitwell}\n${''.padEnd(w)}  baseline: ${f.baseline}\n`,
    );
  }
}

/** Appends `count` chained rows in batches (as the benchmark's superuser: bulk loading, not the app path). */
async function bulkChain(db: pg.Pool, count: number): Promise<void> {
  const last = (await db.query(`select hash from audit_event order by id desc limit 1`))
    .rows as Array<{ hash: string }>;
  let prev: string | null = last[0]?.hash ?? null;
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let done = 0; done < count;) {
    const batch = Math.min(5000, count - done);
    const cols: unknown[][] = [[], [], [], [], [], [], []];
    for (let i = 0; i < batch; i++) {
      const e: AuditHashInput = {
        occurredAt: new Date(start + (done + i) * 1000).toISOString(),
        actorSubject: `clinician-${(done + i) % 50}`,
        actorRole: 'clinician',
        action: 'read',
        resource: 'child',
        childIds: [],
        purpose: 'direct-care',
        requestId: null,
        detail: { n: done + i },
        sourceIp: '127.0.0.1',
      };
      const hash = auditHash(prev, e);
      [
        e.occurredAt,
        e.actorSubject,
        JSON.stringify(e.detail),
        e.sourceIp,
        prev,
        hash,
        e.purpose,
      ].forEach((v, k) => cols[k].push(v));
      prev = hash;
    }
    await db.query(
      `insert into audit_event (occurred_at, actor_subject, actor_role, action, resource, child_ids, purpose, request_id, detail, source_ip, prev_hash, hash)
       select o::timestamptz, s, 'clinician', 'read', 'child', '{}', p, null, d::jsonb, ip, ph, h
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) as t(o, s, d, ip, ph, h, p)
        order by o`,
      cols,
    );
    done += batch;
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:identity failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
