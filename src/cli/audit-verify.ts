import { parseArgs } from 'node:util';
import pg from 'pg';
import { describeReport } from '../audit/audit-chain.js';
import { parseCheckpoint, verifyAuditChain } from '../audit/audit-verification.js';
import { cliConfig, cliDatabase, refuseIfDatabaseInUse, type CliDatabase } from './cli-database.js';

const USAGE = `Usage: npm run audit:verify -- [--checkpoint ID:HASH] [--json]

Checks the hash chain of the audit trail (audit_event) from the first row to the last and reports
the first broken row: an edited row ("content changed") or a removed one ("broken link").
  --checkpoint  an id and hash printed by an earlier run (keep them outside the database): also
                proves that the rows up to it were not cut off or rewritten
  --json        print the report as JSON
Exit status: 0 chain intact, 1 chain broken, 2 could not check, 64 bad usage, 75 a running
WaitWell holds the embedded database.
Uses DATABASE_URL, or the embedded PostgreSQL in WAITWELL_DATA_DIR (stop the server first: one
PostgreSQL per data folder). Reading needs no more than SELECT on audit_event.`;

export async function main(argv: string[]): Promise<number> {
  let values: { checkpoint?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        checkpoint: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 64;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const checkpoint =
    values.checkpoint === undefined ? undefined : parseCheckpoint(values.checkpoint);
  if (checkpoint === null) {
    process.stderr.write(
      `--checkpoint must be ID:HASH as printed by an earlier run (e.g. 1234:9f86d0…)\n`,
    );
    return 64;
  }
  const config = cliConfig();
  const refused = refuseIfDatabaseInUse(config, 'Stop the service and run this command again.');
  if (refused !== null) return refused;
  let database: CliDatabase | undefined;
  let client: pg.Client | undefined;
  try {
    database = await cliDatabase(config);
    client = new pg.Client({
      connectionString: database.url,
      application_name: 'waitwell-audit-verify',
    });
    await client.connect();
    const t0 = Date.now();
    const report = await verifyAuditChain(client, { checkpoint });
    const seconds = (Date.now() - t0) / 1000;
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ ...report, seconds })}\n`
        : `${describeReport(report)} [${seconds.toFixed(1)} s]\n`,
    );
    return report.ok ? 0 : 1;
  } catch (error) {
    // Type and code only: a connection error may carry the URL and its password.
    const code = (error as { code?: unknown }).code;
    if (code === '42P01') {
      process.stderr.write(
        `audit:verify found no audit_event table: point DATABASE_URL at WaitWell's database, or start WaitWell once so its migrations run\n`,
      );
      return 2;
    }
    process.stderr.write(
      `audit:verify could not check the chain: ${(error as Error).name} ${typeof code === 'string' ? code : ''}\n`,
    );
    return 2;
  } finally {
    await client?.end().catch(() => undefined);
    await database?.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  () => {
    process.stderr.write('audit:verify could not check the chain.\n');
    process.exit(2);
  },
);
