import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../database/data-source-options.js';
import { cliConfig, cliDatabase, refuseIfDatabaseInUse, type CliDatabase } from './cli-database.js';

const USAGE = `Usage: npm run migration:run | npm run migration:revert

Applies the migrations in migrations/ that have not run yet (run), or undoes the last one (revert).
Uses DATABASE_URL, or the embedded PostgreSQL in WAITWELL_DATA_DIR (stop the server first).
The service also runs pending migrations at start-up.`;

async function main(command: string | undefined): Promise<number> {
  if (command !== 'run' && command !== 'revert') {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const config = cliConfig();
  const refused = refuseIfDatabaseInUse(
    config,
    'The service applies pending migrations itself at start-up; to run or revert them by hand,\n' +
      'stop the service and run this command again.',
  );
  if (refused !== null) return refused;
  let database: CliDatabase | undefined;
  let db: DataSource | undefined;
  try {
    database = await cliDatabase(config);
    db = await new DataSource(dataSourceOptions(database.url)).initialize();
    if (command === 'run') {
      const applied = await db.runMigrations({ transaction: 'each' });
      process.stdout.write(
        applied.length
          ? applied.map((m) => `applied ${m.name}\n`).join('')
          : 'nothing to apply: the schema is up to date\n',
      );
    } else {
      await db.undoLastMigration({ transaction: 'each' });
      process.stdout.write('reverted the last migration\n');
    }
    return 0;
  } catch (error) {
    process.stderr.write(`Migration failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await db?.destroy();
    await database?.stop();
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Migration failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
