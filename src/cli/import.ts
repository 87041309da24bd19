import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DomainError } from '../common/errors/domain-error.js';
import { cliConfig, cliDatabase, refuseIfDatabaseInUse, type CliDatabase } from './cli-database.js';
import { IngestStandaloneModule } from '../ingest/ingest-standalone.module.js';
import { IngestService } from '../ingest/ingest.service.js';

const USAGE = `Usage: npm run import -- --source <id> [--file path]

  --source  a source id from config/sources.yaml (WAITWELL_SOURCES_FILE)
  --file    import this CSV file instead of the source's file, drop folder or URL (CSV sources only)

Pulls one source now, exactly as the scheduler would (validation, rejects, linkage, one atomic apply),
and prints the run. Uses DATABASE_URL, or the embedded PostgreSQL in the data folder (WAITWELL_DATA_DIR);
if a running WaitWell holds that embedded database, stop it or pull through its API instead:
POST /api/sources/<id>/pulls (admin). Exit code 0 when the run succeeded, 1 when it failed.`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      source: { type: 'string' },
      file: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.source) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 64; // EX_USAGE
  }
  const config = cliConfig();
  let database: CliDatabase | undefined;
  let app: INestApplicationContext | undefined;
  try {
    const refused = refuseIfDatabaseInUse(
      config,
      `Pull through the running service instead: POST /api/sources/${values.source}/pulls with an admin token\n` +
        `(or stop the service and run this command again).`,
    );
    if (refused !== null) return refused;
    database = await cliDatabase(config);
    app = await NestFactory.createApplicationContext(
      IngestStandaloneModule.forRoot(config, database.url),
      { logger: ['error', 'warn'] },
    );
    const run = await app.get(IngestService).pull(values.source, {
      trigger: 'cli',
      actor: { subject: `cli:${userInfo().username}`, role: 'admin' },
      file: values.file ? resolve(values.file) : undefined,
    });
    process.stdout.write(
      `${run.status === 'succeeded' ? 'Import succeeded' : 'Import FAILED'}: run ${run.id} (source ${run.sourceId})\n` +
        `  read ${run.rowsRead}, new ${run.rowsNew}, updated ${run.rowsUpdated}, unchanged ${run.rowsUnchanged}, ` +
        `removed from source ${run.rowsRemoved}, rejected ${run.rowsRejected}; children new ${run.childrenNew}, changed ${run.childrenChanged}\n` +
        (run.errorMessage ? `  ${run.errorCode}: ${run.errorMessage}\n` : '') +
        (run.rowsRejected > 0
          ? `  Rejected rows and their reasons: GET /api/imports/${run.id}/rejects (admin)\n`
          : ''),
    );
    return run.status === 'succeeded' ? 0 : 1;
  } catch (error) {
    // Domain errors are sentences meant for people; anything else is reported by type only.
    process.stderr.write(
      `${error instanceof DomainError ? error.message : `The import could not run (${(error as Error).name}).`}\n`,
    );
    return 1;
  } finally {
    await app?.close();
    await database?.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`The import could not run (${(error as Error).name}).\n`);
    process.exit(1);
  },
);
