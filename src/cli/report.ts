import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { AuthUser } from '../auth/auth-user.js';
import { runWithRequestContext } from '../common/context/request-context.js';
import { DomainError } from '../common/errors/domain-error.js';
import { cliConfig, cliDatabase, refuseIfDatabaseInUse, type CliDatabase } from './cli-database.js';
import { RttExportService } from '../rtt-reporting/rtt-export.service.js';
import { RttStandaloneModule } from '../rtt-reporting/rtt-reporting.standalone.js';
import { RttSnapshotService } from '../rtt-reporting/rtt-snapshot.service.js';

const USAGE = `Usage: npm run report -- rtt --month YYYY-MM [--out file] [--format csv|chs-csv|json|svg]
                         [--service CODE] [--provider ODS] [--live] [--snapshot]

  --month     report month (census = the month end; the current month = month to date)
  --out       write to this file (default: standard output)
  --format    csv (NHS England RTT extract layout, default), chs-csv (CHS SitRep bands), json, svg (chart)
  --service   one service code; --provider one provider ODS code
  --live      compute from the data now even if the month has a published snapshot
  --snapshot  publish (or regenerate) the month's snapshot first, then report from it

Uses DATABASE_URL, or the embedded PostgreSQL in WAITWELL_DATA_DIR (stop the server first: one
PostgreSQL per data folder). Exports are audited as a local administrator (cli:<os user>).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      month: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      service: { type: 'string' },
      provider: { type: 'string' },
      live: { type: 'boolean', default: false },
      snapshot: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals[0] !== 'rtt' || !values.month) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 64; // EX_USAGE
  }
  const format = values.format ?? 'csv';
  if (!['csv', 'chs-csv', 'json', 'svg'].includes(format)) {
    process.stderr.write(`--format must be csv, chs-csv, json or svg\n`);
    return 64;
  }
  const config = cliConfig();
  const refused = refuseIfDatabaseInUse(
    config,
    `Get the report from the running service instead: GET /api/reports/rtt/csv?month=${values.month}\n` +
      `(or /api/reports/rtt, /api/reports/rtt/chart) with an admin or commissioner token,\n` +
      `or stop the service and run this command again.`,
  );
  if (refused !== null) return refused;
  let database: CliDatabase | undefined;
  let app: INestApplicationContext | undefined;
  try {
    database = await cliDatabase(config);
    app = await NestFactory.createApplicationContext(
      RttStandaloneModule.forRoot(config, database.url),
      { logger: ['error', 'warn'] },
    );
    const user: AuthUser = { subject: `cli:${userInfo().username}`, role: 'admin', services: [] };
    const body = await runWithRequestContext({ user }, async () => {
      if (values.snapshot) {
        const s = await app!.get(RttSnapshotService).create(values.month!, user, 'cli');
        process.stderr.write(
          `Published ${s.month} snapshot version ${s.version} (data cut-off ${s.dataCutoff}). ${s.changes?.summary ?? ''}\n`,
        );
      }
      const exports = app!.get(RttExportService);
      const req = {
        month: values.month!,
        service: values.service,
        provider: values.provider,
        live: values.live,
      };
      if (format === 'json') return `${JSON.stringify(await exports.report(req, user), null, 2)}\n`;
      if (format === 'svg') return (await exports.chart(req, user)).body;
      return (
        await exports.csv({ ...req, layout: format === 'chs-csv' ? 'chs-sitrep' : 'rtt' }, user)
      ).body;
    });
    if (values.out) {
      writeFileSync(values.out, body);
      process.stderr.write(`Wrote ${values.out}\n`);
    } else process.stdout.write(body);
    return 0;
  } catch (error) {
    // Domain errors carry actionable messages without patient data; anything else is reported by type.
    process.stderr.write(
      error instanceof DomainError
        ? `${error.message}\n`
        : `Report failed: ${(error as Error).message}\n`,
    );
    return error instanceof DomainError && error.kind === 'validation' ? 65 : 1;
  } finally {
    await app?.close();
    await database?.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Report failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
