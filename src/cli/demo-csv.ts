import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { londonDate } from '../common/time/calendar-date.js';
import { writeDemoCsv } from '../demo/demo-csv-writer.js';
import { MAX_DEMO_CHILDREN } from '../demo/demo-generator.js';

const USAGE = `Usage: npm run demo:csv -- --children <n> --out <file.csv> [--seed n] [--today YYYY-MM-DD] [--rows n]

Writes synthetic demo children as a PTL CSV (the WaitWell standard PTL layout of config/sources.yaml),
streamed, so any size fits in bounded memory. No real patient data: NHS numbers from the 999 test range.
  --rows  stop after exactly this many rows (one row per referral; about 1.36 per child)`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      children: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '20261125' },
      today: { type: 'string' },
      rows: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const children = Number(values.children);
  if (
    values.help ||
    !values.out ||
    !Number.isInteger(children) ||
    children < 1 ||
    children > MAX_DEMO_CHILDREN
  ) {
    process.stderr.write(`${USAGE}\n(--children: 1 to ${MAX_DEMO_CHILDREN})\n`);
    return values.help ? 0 : 64;
  }
  const t0 = Date.now();
  const out = resolve(values.out);
  const rows = await writeDemoCsv(
    {
      children,
      seed: Number(values.seed),
      today: values.today ?? londonDate(),
      maxRows: values.rows ? Number(values.rows) : undefined,
    },
    out,
  );
  process.stdout.write(
    `Wrote ${rows} rows for ${children} children to ${out} in ${Date.now() - t0} ms\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo:csv failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
