import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDatabaseUrlFor, withClient } from '../utils/test-database.js';

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
  const run = (name: string, args: string[]): Promise<Ran> =>
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
              Object.entries(process.env).filter(([k]) => !k.startsWith('WAITWELL_')),
            ),
            DATABASE_URL: testDatabaseUrlFor(database),
            WAITWELL_DATA_DIR: join(dir, 'data'),
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
});
