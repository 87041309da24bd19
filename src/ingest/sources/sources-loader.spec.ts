import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from '../../config/app-config.js';
import { loadSources } from './sources-loader.js';

const catalogue = loadAppConfig({ NODE_ENV: 'test' }).catalogue;
const dir = mkdtempSync(join(tmpdir(), 'waitwell-sources-spec-'));
const csv = {
  dateFormat: 'dd/MM/yyyy',
  columns: {
    nhsNumber: 'NHS',
    dateOfBirth: 'DOB',
    referralId: 'Ref',
    referralReceivedDate: 'Received',
    priority: 'Priority',
  },
};
const write = (doc: unknown) => {
  const file = join(dir, `s-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
};
const good = {
  id: 'rxa-slt',
  provider: 'RXA',
  service: 'slt',
  kind: 'csv-file',
  location: 'drop/rxa-slt',
  mode: 'snapshot',
  schedule: '0 */30 * * * *',
  csv,
};

describe('loadSources', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should apply defaults and resolve drop folders inside the data folder', () => {
    const [s] = loadSources(
      write({ defaults: { retries: 5 }, sources: [good] }),
      catalogue,
      '/srv/waitwell-data',
    );
    expect(s).toMatchObject({
      id: 'rxa-slt',
      location: '/srv/waitwell-data/drop/rxa-slt',
      retries: 5,
      maxRejectRatio: 0.5,
      maxBytes: 1024 ** 3,
    });
    expect(s.csv).toMatchObject({
      encoding: 'utf-8',
      delimiter: ',',
      dateFormat: 'dd/MM/yyyy',
      codes: {},
    });
  });

  it('should treat a missing file as no sources', () => {
    expect(loadSources(join(dir, 'absent.yaml'), catalogue, dir)).toEqual([]);
  });

  it('should name every problem of a bad file', () => {
    const file = write({
      sources: [
        good,
        {
          ...good,
          provider: 'ZZZ',
          service: 'dentistry',
          schedule: 'every day',
          csv: {
            ...csv,
            dateFormat: 'dd/MM',
            columns: { nhsNumber: 'NHS', shoeSize: 'Shoe' },
            codes: { priority: { '1': 'whenever' } },
          },
        },
        { ...good, id: 'x-url', kind: 'csv-url', location: 'ftp://provider/list.csv' },
      ],
    });
    let message = '';
    try {
      loadSources(file, catalogue, dir);
    } catch (error) {
      message = (error as Error).message;
    }
    for (const expected of [
      'id "rxa-slt" appears twice',
      'provider: "ZZZ" is not in the catalogue',
      'service: "dentistry" is not in the catalogue',
      'schedule: "every day" is not a cron expression',
      'csv.dateFormat: date format "dd/MM" must contain yyyy',
      'csv.columns.shoeSize: not a WaitWell field',
      'csv.columns.referralId: is required',
      'csv.codes.priority.1: "whenever" is not one of routine, soon, urgent',
      'location: must be an http(s) URL',
    ]) {
      expect(message).toContain(expected);
    }
  });

  it('should refuse secrets in the file: credentials are names of environment variables only', () => {
    const file = write({
      sources: [
        { ...good, auth: { bearerTokenEnv: 'eyJhbGciOi.secret' } },
        { ...good, id: 'b', auth: { bearerTokenEnv: 'WAITWELL_TOKEN' } },
      ],
    });
    expect(() => loadSources(file, catalogue, dir)).toThrow(
      /sources\[0\]\.auth\.bearerTokenEnv: bearerTokenEnv must name an environment variable[\s\S]*sources\[1\]\.auth\.bearerTokenEnv/,
    );
  });

  it('should load the shipped config/sources.yaml (the demo sources)', () => {
    const sources = loadSources(join(process.cwd(), 'config/sources.yaml'), catalogue, dir);
    expect(sources.map((s) => `${s.provider}/${s.service}`).sort()).toEqual([
      'RXA/community-paediatrics',
      'RXA/neurodiversity',
      'RXA/slt',
      'RYB/mental-health',
      'RYB/slt',
    ]);
  });
});
