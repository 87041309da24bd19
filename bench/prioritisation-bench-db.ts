// Shared by bench/rescore.ts and bench/ranked.ts: a fresh embedded PostgreSQL of the benchmark's
// own, migrated, with the catalogue and demo children loaded in bulk (COPY-free unnest batches).
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CatalogueRepository } from '../src/catalogue/catalogue.repository.js';
import { loadAppConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { startEmbeddedDatabase } from '../src/database/embedded-database.js';
import { generateDemoRows, type PtlRow } from '../src/demo/demo-generator.js';
import { seedChildFromRow, seedReferralFromRow } from '../src/demo/ptl-row-mapping.js';

export interface BenchDb {
  url: string;
  stop(): Promise<void>;
}

/** PostgreSQL for the benchmark box (2 cores): durable (fsync on), bigger buffers and WAL. */
export async function startBenchDb(): Promise<BenchDb> {
  const dir = join(tmpdir(), `waitwell-bench-pg-${process.pid}-${Date.now()}`);
  const db = await startEmbeddedDatabase(dir, {
    persistent: false,
    settings: {
      shared_buffers: '512MB',
      max_wal_size: '4GB',
      checkpoint_timeout: '30min',
      max_connections: 60,
    },
  });
  return {
    url: db.url,
    stop: async () => {
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function benchConfig() {
  return loadAppConfig(
    {
      NODE_ENV: 'production',
      WAITWELL_DEMO: 'false',
      WAITWELL_SCHEDULER: 'false',
      WAITWELL_PSEUDONYM_SECRET: 'bench-secret-0123456789',
      LOG_LEVEL: 'warn',
    },
    process.cwd(),
  );
}

export async function migrate(url: string): Promise<DataSource> {
  const ds = new DataSource({
    ...dataSourceOptions(url),
    extra: { max: 20, application_name: 'waitwell-bench' },
  });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await new CatalogueRepository(ds).upsertCatalogue(benchConfig().catalogue);
  return ds;
}

function columns(rows: unknown[][], width: number): unknown[][] {
  const out: unknown[][] = Array.from({ length: width }, () => []);
  for (const row of rows) row.forEach((v, i) => out[i].push(v ?? null));
  return out;
}

/**
 * Loads `children` demo children, then adds referrals from further generator passes (other seeds,
 * same children) until `referrals` referrals exist: the demo generator alone gives ~1.35 referrals
 * per child, the benchmark asks for 1,000,000 referrals for about 400,000 children. Clock events are
 * not loaded (rescoring reads the referral's current clock).
 */
export async function loadDemo(
  ds: DataSource,
  children: number,
  referrals: number,
  today: string,
  log: (s: string) => void,
): Promise<{ children: number; referrals: number }> {
  const secret = 'bench-secret-0123456789';
  const ids = new Map<string, string>();
  let refCount = 0;
  let batchC: ReturnType<typeof seedChildFromRow>[] = [];
  let batchR: Array<ReturnType<typeof seedReferralFromRow>> = [];
  const flushChildren = async () => {
    if (!batchC.length) return;
    const rows: Array<{ id: string; nhs_number: string }> = await ds.query(
      `insert into child (nhs_number, pseudonym, given_name, family_name, date_of_birth, address_lines, postcode, lsoa_code, locality,
                          deprivation_decile, contact_email, contact_phone, preferred_channel, accessibility)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::jsonb[], $7::text[], $8::text[], $9::text[],
                            $10::smallint[], $11::text[], $12::text[], $13::text[], $14::jsonb[]) returning id, nhs_number`,
      columns(
        batchC.map((c) => [
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
        ]),
        14,
      ),
    );
    for (const r of rows) ids.set(r.nhs_number, r.id);
    const flags = batchC.flatMap((c) =>
      c.flags.map((f) => [ids.get(c.nhsNumber), f.code, f.detail, 'demo', f.recordedOn]),
    );
    if (flags.length) {
      await ds.query(
        `insert into child_flag (child_id, code, detail, source, recorded_on) select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[])`,
        columns(flags, 5),
      );
    }
    batchC = [];
  };
  const flushReferrals = async (source: string) => {
    if (!batchR.length) return;
    await ds.query(
      `insert into referral (child_id, service_code, provider_code, source_id, source_referral_id, received_date, priority, status,
                             clock_start_date, clock_stop_date, clock_stop_reason)
       select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::text[], $8::text[], $9::date[], $10::date[], $11::text[])`,
      columns(
        batchR.map((r) => [
          ids.get(r.nhsNumber),
          r.serviceCode,
          r.providerCode,
          source,
          r.sourceReferralId,
          r.receivedDate,
          r.priority,
          r.status,
          r.clockStartDate,
          r.clockStopDate,
          r.clockStopReason,
        ]),
        11,
      ),
    );
    batchR = [];
  };
  for (let pass = 0; refCount < referrals && pass < 10; pass++) {
    const source = `demo-${pass}`;
    let last = '';
    for (const row of generateDemoRows({
      children,
      seed: 20261125 + pass * 7919,
      today,
    }) as Iterable<PtlRow>) {
      if (refCount >= referrals) break;
      if (pass === 0 && row.nhs_number !== last) {
        if (batchC.length >= 5000) {
          await flushChildren();
          await flushReferrals(source);
        }
        batchC.push(seedChildFromRow(row, secret));
        last = row.nhs_number;
      }
      batchR.push(seedReferralFromRow(row));
      refCount++;
      if (pass > 0 && batchR.length >= 20000) await flushReferrals(source);
    }
    await flushChildren();
    await flushReferrals(source);
    log(`  pass ${pass + 1}: ${ids.size} children, ${refCount} referrals`);
  }
  await ds.query('vacuum analyze');
  return { children: ids.size, referrals: refCount };
}

/**
 * How fast the box's CPU is right now, for reading a run's figures beside another's: the same fixed
 * work on PostgreSQL (hashing 2,000,000 numbers in one backend) and in Node (300,000 chained SHA-256s of
 * a short text), best of three. This shared 2-core box has run the same rescore 30-80% slower from one
 * hour to the next; the naive UPDATE baseline waits on the disk as much as on the CPU, so it does not
 * show this. Lower is faster.
 */
export async function cpuGauge(ds: DataSource): Promise<{ postgresMs: number; nodeMs: number }> {
  let postgresMs = Infinity;
  let nodeMs = Infinity;
  for (let round = 0; round < 3; round++) {
    let t0 = process.hrtime.bigint();
    await ds.query(`select sum(hashint8(g)) from generate_series(1, 2000000) g`);
    postgresMs = Math.min(postgresMs, Number(process.hrtime.bigint() - t0) / 1e6);
    t0 = process.hrtime.bigint();
    let h = '';
    for (let i = 0; i < 300_000; i++) h = createHash('sha256').update(`${i}${h}`).digest('hex');
    nodeMs = Math.min(nodeMs, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { postgresMs, nodeMs };
}

/**
 * The Node flags the service runs with (`npm run start:prod`, as the Dockerfile), so a benchmark's
 * API or rescoring process is tuned as the real one is.
 */
export function serviceNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    scripts: Record<string, string>;
  };
  const m = /^node((?: --\S+)*) dist\/src\/main\.js$/.exec(pkg.scripts['start:prod']);
  if (!m) throw new Error('package.json start:prod is not "node [flags] dist/src/main.js"');
  return m[1].trim().split(' ').filter(Boolean);
}
