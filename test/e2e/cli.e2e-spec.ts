import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedDatabase } from '../../src/database/embedded-database.js';
import { testDatabaseUrlFor, withClient } from '../utils/test-database.js';
import { tempDir } from './ingest-support.js';

// The README's command-line tools, run as the README runs them (the built JavaScript, as separate
// processes) against a database of their own on the test server. `npm test` builds first.
jest.setTimeout(120_000);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const cli = (name: string) => join(ROOT, 'dist/src/cli', `${name}.js`);
const database = `waitwell_cli_${process.pid}`;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

describe('command-line tools (README "Command-line tools")', () => {
  const dir = mkdtempSync(join(tmpdir(), 'waitwell-cli-'));
  const run = (
    name: string,
    args: string[],
    env: Record<string, string> = {
      DATABASE_URL: testDatabaseUrlFor(database),
      WAITWELL_DATA_DIR: join(dir, 'data'),
    },
  ): Promise<Ran> =>
    new Promise((done) => {
      execFile(
        process.execPath,
        [cli(name), ...args],
        {
          cwd: ROOT,
          env: {
            // As a person's shell would have it: not the test run's own WAITWELL_TEST_* variables
            // (an unknown WAITWELL_* setting stops every WaitWell command).
            ...Object.fromEntries(
              Object.entries(process.env).filter(
                ([k]) => !k.startsWith('WAITWELL_') && k !== 'DATABASE_URL',
              ),
            ),
            ...env,
          },
          timeout: 90_000,
        },
        (error, stdout, stderr) =>
          done({ code: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    if (!existsSync(cli('import'))) {
      throw new Error('dist/ is missing: run the tests with `npm test`, which builds first');
    }
    await withClient(testDatabaseUrlFor('postgres'), (c) => c.query(`create database ${database}`));
  });
  afterAll(async () => {
    await withClient(testDatabaseUrlFor('postgres'), (c) =>
      c.query(`drop database if exists ${database} with (force)`),
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('should apply the migrations, pull a CSV twice, write the RTT return and verify the audit chain', async () => {
    const migrated = await run('migrate', ['run']);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/applied/);

    const csv = join(dir, 'export.csv');
    const written = await run('demo-csv', ['--children', '40', '--out', csv, '--seed', '7']);
    expect(written.code).toBe(0);

    const first = await run('import', ['--source', 'rxa-slt', '--file', csv]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Import succeeded: run /);
    const read = Number(/read (\d+), new (\d+)/.exec(first.stdout)?.[1]);
    const rejected = Number(/rejected (\d+);/.exec(first.stdout)?.[1]);
    expect(read).toBeGreaterThan(40);
    const stored = await withClient(testDatabaseUrlFor(database), (c) =>
      c.query<{ n: number }>(`select count(*)::int as n from referral where source_id = 'rxa-slt'`),
    );
    expect(stored.rows[0].n).toBe(read - rejected);

    const again = await run('import', ['--source', 'rxa-slt', '--file', csv]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`new 0, updated 0, unchanged ${read - rejected}`);

    const out = join(dir, 'rtt.csv');
    const report = await run('report', ['rtt', '--month', '2026-10', '--out', out]);
    expect(report.code).toBe(0);
    expect(report.stderr).toContain(`Wrote ${out}`);
    const lines = readFileSync(out, 'utf8').trim().split(/\r?\n/);
    expect(lines.length).toBeGreaterThan(1);

    const verified = await run('audit-verify', []);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^audit chain OK: [1-9]\d* rows verified/);
  });

  it('should refuse an unknown source with a message that names it, and exit non-zero', async () => {
    const result = await run('import', ['--source', 'no-such-source']);
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('no-such-source');
  });

  it('should say what to do instead, and exit 75, when a running WaitWell holds the embedded database', async () => {
    // As `npm start` leaves it: a PostgreSQL of the service's own serving the data folder. A second
    // one cannot start there; the report and audit:verify used to fail without saying why.
    // tempDir: readable by the postgres user PostgreSQL runs as when the tests run as root.
    const held = tempDir('waitwell-cli-held-');
    const running = await startEmbeddedDatabase(held);
    try {
      const env = { WAITWELL_DATA_DIR: held };
      const commands: [string, string[], string][] = [
        ['import', ['--source', 'rxa-slt'], 'POST /api/sources/rxa-slt/pulls'],
        ['report', ['rtt', '--month', '2026-10'], 'GET /api/reports/rtt/csv?month=2026-10'],
        ['audit-verify', [], 'Stop the service and run this command again.'],
        ['migrate', ['run'], 'stop the service and run this command again.'],
      ];
      for (const [name, args, instead] of commands) {
        const result = await run(name, args, env);
        expect({ name, code: result.code }).toEqual({ name, code: 75 });
        expect(result.stderr).toContain(
          `The embedded database in ${held} is in use by a running WaitWell`,
        );
        expect(result.stderr).toContain(instead);
        expect(result.stdout).toBe('');
      }
    } finally {
      await running.stop();
      rmSync(held, { recursive: true, force: true });
    }
  });
});
