// Ingest benchmark (npm run bench:ingest): a 250,000-row PTL CSV from the demo generator, imported
// end to end (parse, validate, link, upsert, clock events) into an empty database of its own, then
// again unchanged, beside a raw PostgreSQL COPY of the same file measured in the same run.
// Targets (issue 3): first import <= 3x raw COPY time, unchanged re-import <= 2x, peak RSS <= 400 MB.
import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { londonDate } from '../src/common/time/calendar-date.js';
import { loadAppConfig } from '../src/config/app-config.js';
import { startEmbeddedDatabase } from '../src/database/embedded-database.js';
import { PTL_CSV } from '../src/demo/ptl-source-mapping.js';
import { writeDemoCsv } from '../src/demo/demo-csv-writer.js';
import { generateDemoRows, PTL_COLUMNS } from '../src/demo/demo-generator.js';
import { IngestStandaloneModule } from '../src/ingest/ingest-standalone.module.js';
import { IngestService } from '../src/ingest/ingest.service.js';
import { copyValue } from '../src/ingest/pipeline/staged-row.js';
import { seedChildFromRow, seedReferralFromRow } from '../src/demo/ptl-row-mapping.js';

const ROWS = Number(process.argv.find((a) => a.startsWith('--rows='))?.slice(7) ?? 250_000);
const KEEP = process.argv.includes('--keep');

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const rate = (rows: number, ms: number) =>
  `${Math.round((rows / ms) * 1000).toLocaleString('en-GB')} rows/s`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'waitwell-bench-ingest-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its data folder
  const csv = join(dir, 'ptl.csv');
  const today = londonDate();
  let t = Date.now();
  // The untimed preparation (the CSV and the model-table COPY files) runs in a process of its own,
  // so the peak RSS printed below is that of the process doing the imports.
  const rows = await prepareInChild(dir, today);
  process.stdout.write(
    `generated ${rows.toLocaleString('en-GB')} PTL rows (${mb(statSync(csv).size)}) and the model-table COPY files in ${Date.now() - t} ms (separate process)\n`,
  );

  const db = await startBenchDatabase(join(dir, 'db'));
  const sourcesFile = join(dir, 'sources.yaml');
  writeFileSync(sourcesFile, benchSources(csv));
  const config = loadAppConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    WAITWELL_PSEUDONYM_SECRET: BENCH_SECRET,
    WAITWELL_SOURCES_FILE: sourcesFile,
    WAITWELL_SCHEDULER: 'false',
    WAITWELL_DEMO: 'false',
    WAITWELL_DATA_DIR: join(dir, 'data'),
  });
  const logger = new PhaseLogger({ logLevels: ['warn', 'error'] });
  const app = await NestFactory.createApplicationContext(
    IngestStandaloneModule.forRoot(config, db.url),
    { logger },
  );
  try {
    // Raw PostgreSQL COPY of the same file into a plain text table: the floor any import stands on.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(
      `create table bench_raw_ptl (${PTL_COLUMNS.map((c) => `${c} text`).join(', ')})`,
    );
    t = Date.now();
    await pipeline(
      createReadStream(csv),
      client.query(copyFrom(`copy bench_raw_ptl from stdin with (format csv, header true)`)),
    );
    const copyMs = Date.now() - t;
    await client.query(`drop table bench_raw_ptl`);
    // The same rows COPYed straight into the model's own tables (child, referral, clock_event, with
    // their indexes, constraints and triggers), in one transaction that is then rolled back: the
    // floor for writing these rows into WaitWell with no validation, linkage or idempotency.
    await client.query(
      `insert into service (code, name, public_name, target_weeks, measurement_regime) values ('slt', 'x', 'x', 18, 'AHP_RTT') on conflict do nothing`,
    );
    await client.query(
      `insert into provider (code, name, commissioner_code, commissioner_name) values ('RXA', 'x', 'QZZ', 'x') on conflict do nothing`,
    );
    const files = modelCopyFiles(dir);
    t = Date.now();
    await client.query('begin');
    await pipeline(
      createReadStream(files.child),
      client.query(
        copyFrom(
          `copy child (id, nhs_number, pseudonym, given_name, family_name, date_of_birth, address_lines, postcode, lsoa_code, locality, deprivation_decile, contact_email, contact_phone, preferred_channel, accessibility) from stdin`,
        ),
      ),
    );
    await pipeline(
      createReadStream(files.referral),
      client.query(
        copyFrom(
          `copy referral (id, child_id, service_code, provider_code, source_id, source_referral_id, received_date, priority, status, clock_start_date, clock_stop_date, clock_stop_reason) from stdin`,
        ),
      ),
    );
    await pipeline(
      createReadStream(files.event),
      client.query(
        copyFrom(
          `copy clock_event (referral_id, event_type, event_date, rtt_status, source) from stdin`,
        ),
      ),
    );
    const modelCopyMs = Date.now() - t;
    await client.query('rollback');
    await client.end();

    const ingest = app.get(IngestService);
    const actor = { subject: 'bench', role: 'system' };
    t = Date.now();
    const first = await ingest.pull('bench-ptl', { trigger: 'cli', actor });
    const firstMs = Date.now() - t;
    t = Date.now();
    const second = await ingest.pull('bench-ptl', { trigger: 'cli', actor });
    const secondMs = Date.now() - t;
    for (const r of [first, second]) {
      if (r.status !== 'succeeded') {
        throw new Error(`import failed: ${r.errorCode} ${r.errorMessage}`);
      }
    }

    const line = (label: string, ms: number, note = '') =>
      process.stdout.write(
        `${label.padEnd(34)} ${String(ms).padStart(7)} ms  ${rate(rows, ms).padStart(16)}${note}\n`,
      );
    process.stdout.write(
      `\nrows: ${rows.toLocaleString('en-GB')}  (children new: ${first.childrenNew.toLocaleString('en-GB')}, referrals new: ${first.rowsNew.toLocaleString('en-GB')}, rejected: ${first.rowsRejected})\n`,
    );
    line('raw COPY: CSV into a text table', copyMs);
    line(
      'raw COPY: rows into model tables',
      modelCopyMs,
      '  (child + referral + clock_event, rolled back)',
    );
    line(
      'first import (empty database)',
      firstMs,
      `  ${(firstMs / modelCopyMs).toFixed(2)}x model COPY (target <= 3x), ${(firstMs / copyMs).toFixed(1)}x text COPY`,
    );
    line(
      're-import, unchanged',
      secondMs,
      `  ${(secondMs / modelCopyMs).toFixed(2)}x model COPY (target <= 2x), ${(secondMs / copyMs).toFixed(1)}x text COPY; unchanged ${second.rowsUnchanged.toLocaleString('en-GB')}, updated ${second.rowsUpdated}, new ${second.rowsNew}`,
    );
    const [firstPhases, secondPhases] = logger.phases;
    process.stdout.write(
      `phases, first import:  ${describePhases(firstPhases)}\nphases, re-import:     ${describePhases(secondPhases)}\n`,
    );
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    process.stdout.write(
      `peak RSS (this process)            ${mb(peakRss)} (target <= 400 MB; maxRSS ${mb(process.resourceUsage().maxRSS * 1024)})\n`,
    );
    const vsModel = firstMs <= 3 * modelCopyMs && secondMs <= 2 * modelCopyMs;
    const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const rssOk = peakRss <= 400 * 1024 * 1024;
    process.stdout.write(
      `targets against the model-table COPY: ${met(vsModel)}; against the text-table COPY: first import ${met(firstMs <= 3 * copyMs)}, re-import ${met(secondMs <= 2 * copyMs)}; peak RSS: ${met(rssOk)}\n`,
    );
  } finally {
    clearInterval(sampler);
    await app.close();
    await db.stop();
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

/** Keeps the phase timings IngestService logs with each finished pull; shows only warnings and errors. */
class PhaseLogger extends ConsoleLogger {
  readonly phases: Array<Record<string, number>> = [];

  override log(message: unknown): void {
    const phases = (message as { phases?: Record<string, number> } | null)?.phases;
    if (phases) this.phases.push(phases);
  }
}

function describePhases(phases: Record<string, number> | undefined): string {
  if (!phases) return '(not logged)';
  const names: Record<string, string> = {
    knownMs: 'stored fingerprints',
    readMs: 'read (parse, compare, validate, stage)',
    copyMs: 'end COPY',
    referralsMs: 'apply referrals',
    linkageMs: 'linkage',
    restMs: 'rejects, run, audit, commit',
  };
  return Object.entries(phases)
    .map(([k, v]) => `${names[k] ?? k} ${v} ms`)
    .join(', ');
}

const BENCH_SECRET = 'bench-secret-0123456789';
const generatorOptions = (today: string) => ({
  children: Math.ceil(ROWS / 1.2), // ~1.36 referrals per child: enough children, stopped at ROWS rows
  seed: 20261125,
  today,
  maxRows: ROWS,
});

function modelCopyFiles(dir: string): { child: string; referral: string; event: string } {
  return {
    child: join(dir, 'child.copy'),
    referral: join(dir, 'referral.copy'),
    event: join(dir, 'event.copy'),
  };
}

/** Runs this script with --prepare in a child process; resolves with the number of CSV rows. */
async function prepareInChild(dir: string, today: string): Promise<number> {
  const child = fork(fileURLToPath(import.meta.url), [
    `--prepare=${dir}`,
    `--today=${today}`,
    `--rows=${ROWS}`,
  ]);
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`benchmark preparation exited with ${String(code)}`);
    }),
  ])) as [{ rows: number }];
  await once(child, 'exit');
  return message.rows;
}

/** The --prepare process: the PTL CSV and the model-table COPY files of exactly the same rows. */
async function prepare(dir: string, today: string): Promise<void> {
  const rows = await writeDemoCsv(generatorOptions(today), join(dir, 'ptl.csv'));
  await prepareModelCopy(dir, generatorOptions(today), BENCH_SECRET);
  process.send?.({ rows });
}

/** COPY text files for child, referral and clock_event holding exactly the benchmark's rows (prepared untimed). */
async function prepareModelCopy(
  dir: string,
  o: { children: number; seed: number; today: string; maxRows: number },
  secret: string,
): Promise<{ child: string; referral: string; event: string }> {
  const paths = modelCopyFiles(dir);
  const out = {
    child: createWriteStream(paths.child),
    referral: createWriteStream(paths.referral),
    event: createWriteStream(paths.event),
  };
  const buf = { child: '', referral: '', event: '' };
  const put = async (k: keyof typeof out, line: string) => {
    buf[k] += line;
    if (buf[k].length > 256 * 1024) {
      const ok = out[k].write(buf[k]);
      buf[k] = '';
      if (!ok) await once(out[k], 'drain');
    }
  };
  const v = (x: string | number | null) => copyValue(x);
  let rows = 0;
  let childId = '';
  let lastNhs = '';
  for (const r of generateDemoRows(o)) {
    if (rows++ >= o.maxRows) break;
    if (r.nhs_number !== lastNhs) {
      lastNhs = r.nhs_number;
      childId = randomUUID();
      const c = seedChildFromRow(r, secret);
      await put(
        'child',
        [
          childId,
          c.nhsNumber,
          c.pseudonym,
          c.givenName,
          c.familyName,
          c.dateOfBirth,
          JSON.stringify(c.addressLines),
          c.postcode,
          c.lsoaCode,
          c.locality,
          c.deprivationDecile,
          c.contactEmail,
          c.contactPhone,
          c.preferredChannel,
          JSON.stringify(c.accessibility),
        ]
          .map(v)
          .join('\t') + '\n',
      );
    }
    const ref = seedReferralFromRow(r);
    const referralId = randomUUID();
    await put(
      'referral',
      [
        referralId,
        childId,
        'slt',
        'RXA',
        'bench-ptl',
        ref.sourceReferralId,
        ref.receivedDate,
        ref.priority,
        ref.status,
        ref.clockStartDate,
        ref.clockStopDate,
        ref.clockStopReason,
      ]
        .map(v)
        .join('\t') + '\n',
    );
    for (const e of ref.events) {
      await put(
        'event',
        [referralId, e.type, e.date, e.rttStatus, 'bench-ptl'].map(v).join('\t') + '\n',
      );
    }
  }
  for (const k of ['child', 'referral', 'event'] as const) {
    out[k].end(buf[k]);
    await once(out[k], 'finish');
  }
  return paths;
}

/**
 * A fresh PostgreSQL of the benchmark's own, durable (fsync and synchronous commit on) with buffers
 * and WAL sized for a bulk load, as a production server would be; the baselines run on it too.
 */
function startBenchDatabase(dataDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  return startEmbeddedDatabase(dataDir, {
    persistent: false,
    settings: { shared_buffers: '256MB', max_wal_size: '4GB', checkpoint_timeout: '30min' },
  });
}

function benchSources(file: string): string {
  return JSON.stringify({
    sources: [
      {
        id: 'bench-ptl',
        provider: 'RXA',
        service: 'slt',
        kind: 'csv-file',
        location: file,
        mode: 'snapshot',
        csv: PTL_CSV,
      },
    ],
  });
}

const prepareDir = process.argv.find((a) => a.startsWith('--prepare='))?.slice(10);
const run = prepareDir
  ? prepare(prepareDir, process.argv.find((a) => a.startsWith('--today='))!.slice(8))
  : main();
run.then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
