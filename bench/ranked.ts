// npm run bench:ranked — GET /api/ranked under 20 concurrent clients (autocannon on 127.0.0.1): first
// pages and deep keyset pages, as a commissioner (pseudonymised) and as a clinician (one service,
// identity, audited), beside the same keyset SQL run straight on PostgreSQL by 20 clients.
// Target (issue 4): p95 <= 50 ms. Options (env): BENCH_CHILDREN (400000), BENCH_REFERRALS (1000000),
// BENCH_SECONDS per scenario (5). Before the measured scenarios, each API instance serves all five
// scenarios' requests for 2 s each, unmeasured (a running service is warm).
import 'reflect-metadata';
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pg from 'pg';
import { createApp } from '../src/app.factory.js';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_USER_GRANT,
  LocalOidcProvider,
} from '../src/auth/local-oidc/local-oidc.provider.js';
import { encodeCursor } from '../src/common/pagination/keyset.js';
import { loadAppConfig } from '../src/config/app-config.js';
import { RescoreService } from '../src/prioritisation/rescore/rescore.service.js';
import {
  cpuGauge,
  loadDemo,
  migrate,
  serviceNodeFlags,
  startBenchDb,
} from './prioritisation-bench-db.js';

const AS_AT = '2026-11-25';
const CONNECTIONS = 20;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARM_UP_SECONDS = 2;
const log = (s: string) => process.stdout.write(`${s}\n`);

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] ?? NaN;
}
function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
/** A share as a whole percentage; blank when not measured. */
function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? '' : `${Math.round(share * 100)}%`;
}
function p50(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function token(
  endpoint: string,
  oidc: LocalOidcProvider,
  id: string,
  claims: Record<string, unknown>,
): Promise<string> {
  oidc.registerAccount({ id, description: 'bench user', claims });
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: DEMO_USER_GRANT, username: id }).toString(),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error('no token from the local provider');
  return body.access_token;
}

/** One autocannon run; every response's latency is pushed onto `times`. */
async function cannon(
  url: string,
  auth: string,
  paths: string[],
  connections: number,
  seconds: number,
  times: number[],
): Promise<{ requests: number; non2xx: number }> {
  let i = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        headers: { authorization: `Bearer ${auth}` },
        requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
      },
      (err: unknown, res) =>
        err ? reject(err instanceof Error ? err : new Error('autocannon failed')) : resolve(res),
    );
    instance.on('response', (_c, _status, _bytes, ms) => times.push(ms));
  });
  return { requests: result.requests.total, non2xx: result.non2xx };
}

/** CONNECTIONS clients spread evenly over the API instances for `seconds`, not measured. */
async function warmUp(bases: string[], auth: string, paths: string[], seconds: number) {
  const per = CONNECTIONS / bases.length;
  await Promise.all(bases.map((b) => cannon(b, auth, paths, per, seconds, [])));
}

/**
 * CONNECTIONS clients spread evenly over the given API instances (as a load balancer spreads
 * connections), after a one-second warm-up that is not measured (JIT, connection pools).
 */
async function load(
  bases: string[],
  auth: string,
  paths: string[],
): Promise<{ requests: number; non2xx: number; p50: number; p95: number }> {
  const per = CONNECTIONS / bases.length;
  await warmUp(bases, auth, paths, 1);
  const times: number[] = [];
  const runs = await Promise.all(bases.map((b) => cannon(b, auth, paths, per, SECONDS, times)));
  return {
    requests: runs.reduce((n, r) => n + r.requests, 0),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    p50: p50(times),
    p95: p95(times),
  };
}

/** The repository's keyset query, straight on PostgreSQL, 20 clients at once. */
async function rawBaseline(
  url: string,
  service: string | null,
  cursors: Array<[string, string] | null>,
): Promise<{ requests: number; p50: number; p95: number }> {
  const pool = new pg.Pool({ connectionString: url, max: CONNECTIONS });
  // A service's rank keys start with its number (rescore/rank-key.ts), as the repository bounds them.
  const first = service
    ? BigInt(
        (
          await pool.query<{ number: number }>(`select number from service where code = $1`, [
            service,
          ])
        ).rows[0].number,
      ) << 56n
    : 0n;
  const last = String(first + (1n << 56n) - 1n);
  const times: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  let i = 0;
  const worker = async () => {
    while (Date.now() < end) {
      const c = cursors[i++ % cursors.length];
      const t0 = process.hrtime.bigint();
      if (service) {
        await pool.query(
          `select rp.referral_id, cp.child_id, cp.pseudonym, cp.score, cp.band, rp.rank_score, rp.weeks from referral_priority rp join child_priority cp on cp.child_id = rp.child_id
            where ${c ? 'rp.rank_key <= $1::int8 and (rp.rank_key, rp.referral_id) > ($2::int8, $3::uuid)' : 'rp.rank_key between $2::int8 and $1::int8'}
            order by rp.rank_key, rp.referral_id limit 51`,
          c ? [last, ...c] : [last, String(first)],
        );
      } else {
        await pool.query(
          `select child_id, pseudonym, score, band, max_weeks, top_reasons from child_priority
            ${c ? 'where (rank_key, child_id) > ($1::int8, $2::uuid)' : ''}
            order by rank_key, child_id limit 51`,
          (c ?? []) as unknown[],
        );
      }
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  await pool.end();
  return { requests: times.length, p50: p50(times), p95: p95(times) };
}

/** What an API process reports of itself (see serverPhase). */
interface ApiCounters {
  cpuMicros: number;
  loopActiveMs: number;
  loopIdleMs: number;
  /** Linux only (schedstat); null elsewhere. */
  coreWaitMs: number | null;
}

/** Time the main thread has spent runnable but waiting for a core (ms), from Linux's schedstat. */
function mainThreadCoreWaitMs(): number | null {
  try {
    const [, waitNs] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    return Number(waitNs) / 1e6;
  } catch {
    return null;
  }
}

interface ServerReady {
  base: string;
  issuer: string;
  commissioner: string;
  clinician: string;
  childKeys: Array<[string, string]>;
  sltKeys: Array<[string, string]>;
  scored: string;
}

/**
 * The API runs in its own process, so autocannon's work is not counted against it. A second
 * instance (BENCH_RANKED_ISSUER set) shares the database and trusts the first one's sign-in
 * provider, as a second replica behind a load balancer would trust the ICB's identity provider.
 */
async function serverPhase(url: string): Promise<void> {
  const issuer = process.env.BENCH_RANKED_ISSUER;
  const config = loadAppConfig(
    {
      NODE_ENV: 'test',
      WAITWELL_DEMO: 'false',
      WAITWELL_SCHEDULER: 'false',
      WAITWELL_RATE_LIMIT_PER_MINUTE: '100000000',
      WAITWELL_PSEUDONYM_SECRET: 'bench-secret-0123456789',
      ...(issuer ? { WAITWELL_OIDC_ISSUER: issuer } : {}),
    },
    process.cwd(),
  );
  const app = await createApp(config, url);
  app.useLogger(['error']);
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  // 'cpu': the API process's CPU time so far (user + system, µs), to report CPU per request, with
  // its event loop's busy and idle time and its main thread's time waiting for a core (ms).
  process.on('message', (m) => {
    if (m === 'cpu') {
      const { user, system } = process.cpuUsage();
      const { active, idle } = performance.eventLoopUtilization();
      process.send?.({
        cpuMicros: user + system,
        loopActiveMs: active,
        loopIdleMs: idle,
        coreWaitMs: mainThreadCoreWaitMs(),
      } satisfies ApiCounters);
    } else {
      void app.close().then(() => process.exit(0));
    }
  });
  if (issuer) {
    process.send?.({ base });
    return;
  }
  const t0 = Date.now();
  const run = await app.get(RescoreService).rescoreAll('benchmark', AS_AT);
  const scored = `scored ${run.childrenScored} children, ${run.referralsScored} referrals in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const oidc = app.get(LocalOidcProvider);
  const commissioner = await token(oidc.tokenEndpoint, oidc, 'bench-commissioner', {
    waitwell_role: 'commissioner',
    waitwell_services: [],
    waitwell_commissioner: 'QZZ',
  });
  const clinician = await token(oidc.tokenEndpoint, oidc, 'bench-clinician', {
    waitwell_role: 'clinician',
    waitwell_services: ['slt'],
  });
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  // Deep pages: the keyset of rows 10,000 … 300,000 down the list (and 5,000 … 150,000 down the SLT list).
  const childKeys: ServerReady['childKeys'] = [];
  for (const offset of [10_000, 50_000, 100_000, 200_000, 300_000]) {
    const {
      rows: [r],
    } = await db.query<{ rank_key: string; child_id: string }>(
      `select rank_key::text, child_id from child_priority order by rank_key, child_id offset $1 limit 1`,
      [offset],
    );
    if (r) childKeys.push([r.rank_key, r.child_id]);
  }
  const sltKeys: ServerReady['sltKeys'] = [];
  for (const offset of [5_000, 25_000, 50_000, 100_000, 150_000]) {
    const {
      rows: [r],
    } = await db.query<{ rank_key: string; referral_id: string }>(
      `select rank_key::text, referral_id from referral_priority where service_code = 'slt' order by rank_key, referral_id offset $1 limit 1`,
      [offset],
    );
    if (r) sltKeys.push([r.rank_key, r.referral_id]);
  }
  await db.end();
  process.send?.({
    base,
    issuer: oidc.issuer!,
    commissioner,
    clinician,
    childKeys,
    sltKeys,
    scored,
  } satisfies ServerReady);
}

async function main(): Promise<void> {
  const children = Number(process.env.BENCH_CHILDREN ?? 400_000);
  const referrals = Number(process.env.BENCH_REFERRALS ?? 1_000_000);
  log(
    `bench:ranked — ${referrals.toLocaleString('en-GB')} referrals for up to ${children.toLocaleString('en-GB')} children; ${CONNECTIONS} concurrent clients, ${SECONDS} s per scenario`,
  );
  const db = await startBenchDb();
  try {
    const ds = await migrate(db.url);
    await loadDemo(ds, children, referrals, AS_AT, log);
    const gauge = await cpuGauge(ds);
    await ds.destroy();
    const startApi = (issuer?: string) => {
      const child = fork(fileURLToPath(import.meta.url), [], {
        execArgv: serviceNodeFlags(),
        env: {
          ...process.env,
          BENCH_RANKED_SERVER: db.url,
          ...(issuer ? { BENCH_RANKED_ISSUER: issuer } : {}),
        },
        stdio: 'inherit',
      });
      const ready = new Promise<ServerReady>((resolve, reject) => {
        child.once('message', (m) => resolve(m as ServerReady));
        child.once('exit', (code) => reject(new Error(`API process exited with ${code}`)));
      });
      return { child, ready };
    };
    const first = startApi();
    const ready = await first.ready;
    const servers = [first.child];
    log(ready.scored);
    const deep = (path: string, keys: ServerReady['childKeys']) =>
      keys.map((k) => `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeCursor(k)}`);
    const { commissioner, clinician, childKeys, sltKeys } = ready;
    const bases = [ready.base];
    const rows: string[] = [];
    const row = (
      what: string,
      r: {
        requests: number;
        p50: number;
        p95: number;
        non2xx?: number;
        cpuMs?: number;
        loopBusy?: number;
        coreWait?: number | null;
      },
    ) =>
      rows.push(
        `| ${what} | ${r.requests} | ${r.p50.toFixed(1)} ms | ${r.p95.toFixed(1)} ms | ${r.cpuMs === undefined ? '' : `${r.cpuMs.toFixed(2)} ms`} | ${percent(r.loopBusy)} | ${percent(r.coreWait)} |${r.non2xx ? ` ${r.non2xx} non-2xx |` : ''}`,
      );
    /** What each running API process reports of itself so far. */
    const apiCounters = async () => {
      const all: ApiCounters[] = [];
      for (const server of servers) {
        all.push(
          await new Promise<ApiCounters>((resolve) => {
            server.once('message', (m) => resolve(m as ApiCounters));
            server.send('cpu');
          }),
        );
      }
      return all;
    };
    /**
     * autocannon against the API instance(s), with the API processes' CPU time per request, how busy
     * their event loops were, and how long their main threads waited for a core (averaged over the
     * instances, as shares of the scenario's time).
     */
    const api = async (auth: string, paths: string[]) => {
      const before = await apiCounters();
      const t0 = performance.now();
      const r = await load(bases, auth, paths);
      const wallMs = performance.now() - t0;
      const after = await apiCounters();
      const deltas = after.map((a, i) => ({
        cpuMicros: a.cpuMicros - before[i].cpuMicros,
        active: a.loopActiveMs - before[i].loopActiveMs,
        idle: a.loopIdleMs - before[i].loopIdleMs,
        wait:
          a.coreWaitMs === null || before[i].coreWaitMs === null
            ? null
            : a.coreWaitMs - before[i].coreWaitMs,
      }));
      const waits = deltas.map((d) => d.wait);
      return {
        ...r,
        cpuMs: deltas.reduce((t, d) => t + d.cpuMicros, 0) / 1000 / Math.max(1, r.requests),
        loopBusy: mean(deltas.map((d) => d.active / Math.max(1e-9, d.active + d.idle))),
        coreWait: waits.every((w) => w !== null) ? mean(waits) / wallMs : null,
      };
    };
    const list: Array<[string, string, string[]]> = [
      ['commissioner, first page (50 rows)', commissioner, ['/api/ranked?limit=50']],
      [
        'commissioner, deep keyset pages (rows 10k-300k)',
        commissioner,
        deep('/api/ranked?limit=50', childKeys),
      ],
      [
        'commissioner, filtered first page (locality + multi-need)',
        commissioner,
        ['/api/ranked?limit=50&locality=Eastfield&multiNeed=true'],
      ],
      [
        'clinician (SLT), first page of the SLT list, identity + audit',
        clinician,
        ['/api/ranked?limit=50&service=slt'],
      ],
      [
        'clinician (SLT), deep keyset pages of the SLT list, identity + audit',
        clinician,
        deep('/api/ranked?limit=50&service=slt', sltKeys),
      ],
    ];
    const scenarios = async (label: string) => {
      // A running service is warm: before anything is measured, every scenario's requests are served
      // for WARM_UP_SECONDS, unmeasured (JIT, each pooled connection's prepared statements), so the
      // first measured scenario does not pay for the start-up alone.
      for (const [, auth, paths] of list) await warmUp(bases, auth, paths, WARM_UP_SECONDS);
      for (const [what, auth, paths] of list) row(`${label}${what}`, await api(auth, paths));
    };
    await scenarios('one instance: ');
    // The same load spread over two instances of the service on the same database (10 + 10
    // connections, as a load balancer in front of two replicas would spread them): on this 2-core
    // box the API can then use the core PostgreSQL leaves idle.
    const second = startApi(ready.issuer);
    bases.push((await second.ready).base);
    servers.push(second.child);
    await scenarios('two instances: ');
    for (const server of servers) {
      server.send('stop');
      await new Promise((r) => server.once('exit', r));
    }
    row(
      'raw PostgreSQL baseline: child list first page (same keyset SQL)',
      await rawBaseline(db.url, null, [null]),
    );
    row(
      'raw PostgreSQL baseline: child list deep pages',
      await rawBaseline(db.url, null, childKeys),
    );
    row('raw PostgreSQL baseline: SLT list deep pages', await rawBaseline(db.url, 'slt', sltKeys));
    log('');
    log(
      '| scenario (20 concurrent clients) | requests | p50 | p95 | API CPU per request | API event loop busy | its main thread waiting for a core |',
    );
    log('|---|---|---|---|---|---|---|');
    for (const r of rows) log(r);
    log('');
    log(
      `box CPU gauge before the scenarios (fixed work, lower is faster; see cpuGauge): PostgreSQL ${gauge.postgresMs.toFixed(0)} ms, Node ${gauge.nodeMs.toFixed(0)} ms`,
    );
  } finally {
    await db.stop();
  }
}

(process.env.BENCH_RANKED_SERVER ? serverPhase(process.env.BENCH_RANKED_SERVER) : main()).catch(
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  },
);
