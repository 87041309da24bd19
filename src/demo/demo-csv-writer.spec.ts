import { afterAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDemoCsv, writeDemoCsvPerSource } from './demo-csv-writer.js';
import { generateDemoRows, PTL_COLUMNS } from './demo-generator.js';

const dir = mkdtempSync(join(tmpdir(), 'waitwell-demo-csv-spec-'));
const options = { children: 400, seed: 11, today: '2026-11-25' };

describe('demo CSV writer', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should write the generator rows as a PTL CSV that reads back identically', async () => {
    const file = join(dir, 'all.csv');
    const written = await writeDemoCsv(options, file);
    const records = parse<Record<string, string>>(readFileSync(file, 'utf8'), { columns: true });
    const expected = [...generateDemoRows(options)];
    expect(written).toBe(expected.length);
    expect(Object.keys(records[0])).toEqual(PTL_COLUMNS);
    expect(records).toEqual(expected.map((r) => ({ ...r })));
  });

  it('should stop at exactly maxRows rows', async () => {
    expect(await writeDemoCsv({ ...options, maxRows: 123 }, join(dir, 'some.csv'))).toBe(123);
    expect(readFileSync(join(dir, 'some.csv'), 'utf8').trimEnd().split('\r\n')).toHaveLength(124);
  });

  it('should write one file per provider and service, leaving out pairs without a target', async () => {
    const written = await writeDemoCsvPerSource(options, (provider, service) =>
      service === 'mental-health' ? undefined : join(dir, 'per', `${provider}-${service}.csv`),
    );
    const all = [...generateDemoRows(options)];
    expect([...written.keys()].sort()).toEqual([
      'RXA/community-paediatrics',
      'RXA/neurodiversity',
      'RXA/slt',
      'RYB/slt',
    ]);
    for (const [key, rows] of written) {
      const [provider, service] = key.split('/');
      expect(rows).toBe(all.filter((r) => r.provider === provider && r.service === service).length);
      const records = parse<Record<string, string>>(
        readFileSync(join(dir, 'per', `${provider}-${service}.csv`), 'utf8'),
        { columns: true },
      );
      expect(new Set(records.map((r) => `${r.provider}/${r.service}`))).toEqual(new Set([key]));
    }
  });
});
