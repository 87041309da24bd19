// npm run bench:rescore — full rescore of 1,000,000 referrals (~400,000 children) with the default
// tool, in a fresh embedded PostgreSQL of its own, beside a naive single-statement SQL UPDATE of the
// same rows. Targets (issue 4): full rescore <= 10 s, peak RSS <= 400 MB.
// Options (env): BENCH_CHILDREN (400000), BENCH_REFERRALS (1000000).
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { AuditRepository } from '../src/audit/audit.repository.js';
import { AuditService } from '../src/audit/audit.service.js';
import { AppDatabaseRoleRepository } from '../src/audit/app-database-role.repository.js';
import { Logger } from '@nestjs/common';
import { CatalogueRepository } from '../src/catalogue/catalogue.repository.js';
import { CatalogueService } from '../src/catalogue/catalogue.service.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { RescoreRepository } from '../src/prioritisation/rescore/rescore.repository.js';
import { RescoreService, type RunReport } from '../src/prioritisation/rescore/rescore.service.js';
import { ToolVersionsRepository } from '../src/prioritisation/tool/tool-versions.repository.js';
import { ToolVersionsService } from '../src/prioritisation/tool/tool-versions.service.js';
import {
  benchConfig,
  cpuGauge,
  loadDemo,
  migrate,
  serviceNodeFlags,
  startBenchDb,
} from './prioritisation-bench-db.js';

const AS_AT = '2026-11-25';
const log = (s: string) => process.stdout.write(`${s}\n`);

interface ChildResult {
  runs: Array<{ label: string; report: RunReport; ms: number; rssPeakMb: number; cpuMs: number }>;
  maxRssMb: number;
}

/** The timed part runs in a child process so its peak RSS is the rescore's own. */
async function childPhase(url: string): Promise<void> {
  Logger.overrideLogger(['error', 'warn']);
  const ds = new DataSource({
    ...dataSourceOptions(url),
    extra: { max: 10, application_name: 'waitwell-bench-rescore' },
  });
  await ds.initialize();
  // Run as the application does: as waitwell_app (DML only, no DDL).
  new AppDatabaseRoleRepository(ds).switchPoolToAppRole((e) =>
    process.stderr.write(`set role failed: ${e.message}\n`),
  );
  const config = benchConfig();
  const audit = new AuditService(new AuditRepository(ds));
  const catalogue = new CatalogueService(config, new CatalogueRepository(ds));
  const tools = new ToolVersionsService(config, new ToolVersionsRepository(ds), catalogue, audit);
  const rescore = new RescoreService(new RescoreRepository(ds), tools, audit);
  await tools.active(); // installs the default tool (not timed)
  const [{ role }]: Array<{ role: string }> = await ds.query('select current_user as role');
  if (role !== 'waitwell_app') throw new Error(`expected to run as waitwell_app, not ${role}`);
  const runs: ChildResult['runs'] = [];
  let peak = 0;
  let heapPeak = 0;
  let externalPeak = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapTotal);
    externalPeak = Math.max(externalPeak, m.external);
  };
  sample();
  const before = process.memoryUsage().rss / 2 ** 20;
  const sampler = setInterval(sample, 20);
  for (const label of [
    'first full rescore (empty score tables)',
    'full rescore replacing live scores (nightly / activation)',
  ]) {
    peak = 0;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const report = await rescore.rescoreAll('benchmark', AS_AT);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    peak = Math.max(peak, process.memoryUsage().rss);
    runs.push({
      label,
      report,
      ms,
      rssPeakMb: peak / 2 ** 20,
      cpuMs: (cpu.user + cpu.system) / 1e3,
    });
  }
  clearInterval(sampler);
  process.stdout.write(
    `rescore process: RSS before the runs ${before.toFixed(0)} MB; peaks: V8 heap ${(heapPeak / 2 ** 20).toFixed(0)} MB, external ${(externalPeak / 2 ** 20).toFixed(0)} MB\n`,
  );
  await ds.destroy();
  // Disconnect once sent: an open IPC channel would keep both processes (and the bench lock) alive.
  process.send?.(
    { runs, maxRssMb: process.resourceUsage().maxRSS / 1024 } satisfies ChildResult,
    undefined,
    undefined,
    () => process.disconnect?.(),
  );
}

async function main(): Promise<void> {
  const children = Number(process.env.BENCH_CHILDREN ?? 400_000);
  const referrals = Number(process.env.BENCH_REFERRALS ?? 1_000_000);
  log(
    `bench:rescore — ${referrals.toLocaleString('en-GB')} referrals for up to ${children.toLocaleString('en-GB')} children, as at ${AS_AT}`,
  );
  const db = await startBenchDb();
  try {
    const ds = await migrate(db.url);
    const t0 = Date.now();
    const loaded = await loadDemo(ds, children, referrals, AS_AT, log);
    const [{ open }]: Array<{ open: number }> = await ds.query(
      `select count(*)::int as open from referral where status = 'waiting'`,
    );
    log(
      `loaded ${loaded.children} children, ${loaded.referrals} referrals (${open} open) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );

    const gaugeBefore = await cpuGauge(ds);
    const result = await new Promise<ChildResult>((resolve, reject) => {
      // The rescore runs in the service's process in production: same Node flags here.
      const child = fork(fileURLToPath(import.meta.url), [], {
        execArgv: serviceNodeFlags(),
        env: { ...process.env, BENCH_RESCORE_CHILD: db.url },
        stdio: 'inherit',
      });
      child.once('message', (m) => resolve(m as ChildResult));
      child.once('error', reject);
      child.once('exit', (code) =>
        code ? reject(new Error(`rescore process exited with ${code}`)) : undefined,
      );
    });

    // Baseline: the naive approach, one SQL UPDATE recomputing the referral-level default factors
    // (waiting time and clinical priority only; no child factors, triggers, bands, breakdown or history).
    await ds.query('checkpoint');
    const b0 = process.hrtime.bigint();
    const [, updated]: [unknown, number] = await ds.query(
      `update referral_priority rp
          set points = least(60, floor(($1::date - r.clock_start_date) / 7) / s.target_weeks::float8 * 20)
                       + case r.priority when 'urgent' then 40 when 'soon' then 20 else 0 end
         from referral r join service s on s.code = r.service_code
        where r.id = rp.referral_id`,
      [AS_AT],
    );
    const baselineMs = Number(process.hrtime.bigint() - b0) / 1e6;
    const [{ n: history }]: Array<{ n: number }> = await ds.query(
      `select count(*)::int as n from child_priority_history`,
    );
    const gaugeAfter = await cpuGauge(ds);
    await ds.destroy();

    log('');
    log('| measurement | rows | time | peak RSS (Node) |');
    log('|---|---|---|---|');
    for (const r of result.runs) {
      log(
        `| WaitWell ${r.label} | ${r.report.childrenScored} children, ${r.report.referralsScored} referrals | ${(r.ms / 1000).toFixed(2)} s | ${r.rssPeakMb.toFixed(0)} MB |`,
      );
    }
    log(
      `| raw PostgreSQL baseline: one UPDATE of the same referral rows (2 factors, no breakdown) | ${updated} referrals | ${(baselineMs / 1000).toFixed(2)} s | - |`,
    );
    log('');
    const last = result.runs[result.runs.length - 1];
    for (const r of result.runs) {
      log(
        `${r.label}: phases (ms) ${JSON.stringify(r.report.phasesMs)}; CPU of the rescore process ${(r.cpuMs / 1000).toFixed(2)} s`,
      );
    }
    const gauge = (g: { postgresMs: number; nodeMs: number }) =>
      `PostgreSQL ${g.postgresMs.toFixed(0)} ms, Node ${g.nodeMs.toFixed(0)} ms`;
    log(
      `box CPU gauge (fixed work, lower is faster; see cpuGauge): before the runs ${gauge(gaugeBefore)}; after ${gauge(gaugeAfter)}`,
    );
    log(
      `rescore process peak RSS (getrusage maxRSS): ${result.maxRssMb.toFixed(0)} MB; children flagged: ${last.report.childrenFlagged}; problems: ${JSON.stringify(last.report.problems)}; history rows: ${history}`,
    );
    const ok = result.runs.every((r) => r.ms <= 10_000) && result.maxRssMb <= 400;
    log(`targets (<= 10 s, <= 400 MB): ${ok ? 'met' : 'NOT met'}`);
  } finally {
    await db.stop();
  }
}

if (process.env.BENCH_RESCORE_CHILD) {
  childPhase(process.env.BENCH_RESCORE_CHILD).catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
} else {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
