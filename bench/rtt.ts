// RTT reporting benchmark: loads N pathways (default 1,000,000) with their clock events into a fresh
// embedded PostgreSQL of its own, then times the monthly report for all services and providers beside
// a raw SQL aggregation of the same week bands, in the same run. Not part of `npm test`.
//
//   npm run bench:rtt                       # 1,000,000 pathways
//   RTT_BENCH_PATHWAYS=200000 npm run bench:rtt
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pseudonymFor } from '../src/common/identity/pseudonym.js';
import { addDays, londonDate, monthEnd } from '../src/common/time/calendar-date.js';
import { loadAppConfig } from '../src/config/app-config.js';
import { startEmbeddedDatabase } from '../src/database/embedded-database.js';
import { generateDemoRows, MAX_DEMO_CHILDREN } from '../src/demo/demo-generator.js';
import { seedReferralFromRow } from '../src/demo/ptl-row-mapping.js';
import { RttCensusRepository } from '../src/rtt-reporting/rtt-census.repository.js';
import { RttClockCacheService } from '../src/rtt-reporting/rtt-clock-cache.service.js';
import { RttReportService } from '../src/rtt-reporting/rtt-report.service.js';
import { RttStandaloneModule } from '../src/rtt-reporting/rtt-reporting.standalone.js';

const PATHWAYS = Number(process.env.RTT_BENCH_PATHWAYS ?? 1_000_000);
const RUNS = Number(process.env.RTT_BENCH_RUNS ?? 5);
const BATCH = 20_000;

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number) => `${x.toFixed(0).padStart(7)} ms`;

async function load(
  pool: pg.Pool,
  today: string,
): Promise<{ pathways: number; events: number; children: number }> {
  let children: unknown[][] = [[], [], [], []];
  let refs: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
  let evs: unknown[][] = [[], [], [], []];
  let nChildren = 0;
  let nPathways = 0;
  let nEvents = 0;
  let lastNhs = '';
  let childId = '';
  const flush = async () => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(
        `insert into child (id, nhs_number, pseudonym, date_of_birth) select * from unnest($1::uuid[], $2::text[], $3::text[], $4::date[])`,
        children,
      );
      await client.query(
        `insert into referral (id, child_id, service_code, provider_code, source_id, source_referral_id, received_date, priority, status,
                               clock_start_date, clock_stop_date)
         select i, c, s, p, 'bench', sr, rd, pr, st, cs, ce
           from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::date[], $7::text[], $8::text[], $9::date[], $10::date[])
                as t(i, c, s, p, sr, rd, pr, st, cs, ce)`,
        refs,
      );
      await client.query(
        `insert into clock_event (referral_id, event_type, event_date, rtt_status, source) select r, t, d, s, 'bench' from unnest($1::uuid[], $2::text[], $3::date[], $4::text[]) as x(r, t, d, s)`,
        evs,
      );
      await client.query('commit');
    } finally {
      client.release();
    }
    children = [[], [], [], []];
    refs = [[], [], [], [], [], [], [], [], [], []];
    evs = [[], [], [], []];
  };
  for (const row of generateDemoRows({ children: MAX_DEMO_CHILDREN, seed: 20261125, today })) {
    if (nPathways >= PATHWAYS) break;
    if (row.nhs_number !== lastNhs) {
      if (refs[0].length >= BATCH) await flush();
      lastNhs = row.nhs_number;
      childId = randomUUID();
      children[0].push(childId);
      children[1].push(row.nhs_number);
      children[2].push(pseudonymFor(row.nhs_number, 'bench-secret'));
      children[3].push(row.date_of_birth);
      nChildren++;
    }
    const p = seedReferralFromRow(row);
    const id = randomUUID();
    for (const [i, v] of [
      id,
      childId,
      p.serviceCode,
      p.providerCode,
      p.sourceReferralId,
      p.receivedDate,
      p.priority,
      p.status,
      p.clockStartDate,
      p.clockStopDate,
    ].entries()) {
      refs[i].push(v);
    }
    for (const e of p.events) {
      evs[0].push(id);
      evs[1].push(e.type);
      evs[2].push(e.date);
      evs[3].push(e.rttStatus);
      nEvents++;
    }
    nPathways++;
    if (nPathways % 200_000 === 0) process.stdout.write(`  … ${nPathways} pathways generated\n`);
  }
  await flush();
  return { pathways: nPathways, events: nEvents, children: nChildren };
}

async function main(): Promise<void> {
  // RTT_BENCH_DATA_DIR keeps the loaded database between runs (for profiling); default: throwaway.
  const keep = process.env.RTT_BENCH_DATA_DIR;
  const dir = keep ?? join(tmpdir(), `waitwell-bench-rtt-${process.pid}-${Date.now()}`);
  const server = await startEmbeddedDatabase(dir, {
    persistent: Boolean(keep),
    database: 'waitwell_bench',
    settings: {
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      shared_buffers: '1GB',
      work_mem: '64MB',
      max_wal_size: '4GB',
      max_parallel_workers_per_gather: 2,
    },
  });
  let app: INestApplicationContext | undefined;
  let pool: pg.Pool | undefined;
  try {
    const url = server.url;
    const config = loadAppConfig({
      NODE_ENV: 'production',
      WAITWELL_PSEUDONYM_SECRET: 'bench-secret-bench-secret',
      WAITWELL_DEMO: 'false',
      WAITWELL_SCHEDULER: 'false',
      LOG_LEVEL: 'warn',
      DATABASE_URL: url,
    });
    app = await NestFactory.createApplicationContext(RttStandaloneModule.forRoot(config, url), {
      logger: ['error', 'warn'],
    });
    pool = new pg.Pool({ connectionString: url, max: 2 });

    const today = londonDate();
    const month = addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7);
    process.stdout.write(
      `RTT benchmark: ${PATHWAYS} pathways, report month ${month} (census ${monthEnd(month)}), PostgreSQL in ${dir}\n`,
    );
    let t0 = process.hrtime.bigint();
    const existing = Number(
      (await pool.query<{ n: string }>(`select count(*) as n from referral`)).rows[0].n,
    );
    if (existing === 0) {
      const loaded = await load(pool, today);
      await pool.query('vacuum analyze');
      const loadMs = ms(t0);
      process.stdout.write(
        `Loaded ${loaded.pathways} pathways, ${loaded.events} clock events, ${loaded.children} children in ${(loadMs / 1000).toFixed(1)} s\n`,
      );
    } else process.stdout.write(`Reusing ${existing} pathways already loaded in ${dir}\n`);

    t0 = process.hrtime.bigint();
    const refreshed = await app.get(RttClockCacheService).refresh();
    const cacheMs = ms(t0);
    await pool.query('vacuum analyze rtt_clock_period');
    process.stdout.write(
      `Clock engine over every pathway (cache build after the import): ${refreshed.pathways} pathways in ${(cacheMs / 1000).toFixed(1)} s\n`,
    );

    const reports = app.get(RttReportService);
    const census = app.get(RttCensusRepository);
    const reportTimes: number[] = [];
    const rawTimes: number[] = [];
    let totals = { report: 0, raw: 0, rows: 0 };
    for (let i = 0; i < RUNS; i++) {
      t0 = process.hrtime.bigint();
      const r = await reports.report({ month, live: true }, null, today);
      reportTimes.push(ms(t0));
      t0 = process.hrtime.bigint();
      const raw = await census.rawIncompleteBands(monthEnd(month));
      rawTimes.push(ms(t0));
      totals = {
        report: r.rows.find((x) => x.level === 'total')!.incomplete.total,
        raw: raw.reduce((a, b) => a + b.n, 0),
        rows: r.rows.length,
      };
    }
    process.stdout.write(
      [
        '',
        `Monthly RTT report, all services and providers (${totals.rows} rows: service x provider, service, provider, ICB, total; bands, targets, percentiles, completed, new starts, CHS view)`,
        `  report (as-at census from the clock cache + builder)  median ${fmt(median(reportTimes))}   max ${fmt(Math.max(...reportTimes))}   target <= 3000 ms`,
        `  raw SQL baseline (same incomplete bands from referral) median ${fmt(median(rawTimes))}   max ${fmt(Math.max(...rawTimes))}`,
        `  incomplete pathways: report ${totals.report}, raw ${totals.raw} (the raw query cannot see nullified clocks before their DNA or as-at history)`,
        `  runs: ${RUNS}; ${reportTimes.map((x) => x.toFixed(0)).join(', ')} ms vs ${rawTimes.map((x) => x.toFixed(0)).join(', ')} ms`,
        '',
      ].join('\n'),
    );
  } finally {
    await pool?.end();
    await app?.close();
    await server.stop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
