import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from './app-config.js';
import { ConfigValidationError, validateEnv } from './env.schema.js';
import { DocumentValidationError } from './validate-document.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigValidationError || error instanceof DocumentValidationError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('validateEnv', () => {
  it('should name an unknown WAITWELL_ setting instead of ignoring a typo', () => {
    expect(problemsOf(() => validateEnv({ WAITWELL_DEMO_CHILDRN: '10' }))).toEqual([
      'WAITWELL_DEMO_CHILDRN is not a WaitWell setting (check the spelling; see README "Configuration")',
    ]);
  });

  it('should name each invalid setting without echoing its value', () => {
    const problems = problemsOf(() =>
      validateEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://secret-password@db/x' }),
    );
    expect(problems).toHaveLength(2);
    expect(problems.join()).toMatch(/PORT is not valid/);
    expect(problems.join()).toMatch(/DATABASE_URL is not valid/);
    expect(problems.join()).not.toContain('secret-password');
  });

  it('should accept and convert valid settings, ignoring unrelated environment variables', () => {
    const env = validateEnv({
      PORT: '8080',
      WAITWELL_DEMO: 'false',
      WAITWELL_DEMO_CHILDREN: '20',
      HOME: '/root',
    });
    expect(env).toMatchObject({ PORT: 8080, WAITWELL_DEMO: false, WAITWELL_DEMO_CHILDREN: 20 });
  });
});

describe('loadAppConfig', () => {
  it('should keep 10 database connections unless WAITWELL_DB_POOL_SIZE says otherwise', () => {
    expect(loadAppConfig({ NODE_ENV: 'test' }).database.poolSize).toBe(10);
    expect(loadAppConfig({ NODE_ENV: 'test', WAITWELL_DB_POOL_SIZE: '5' }).database.poolSize).toBe(
      5,
    );
    // A full rescore holds four connections at once: a smaller pool would make it wait for itself.
    for (const size of ['0', '4']) {
      expect(problemsOf(() => validateEnv({ WAITWELL_DB_POOL_SIZE: size }))).toEqual([
        expect.stringMatching(/WAITWELL_DB_POOL_SIZE is not valid/),
      ]);
    }
  });

  it('should load the default catalogue with the four children services', () => {
    const config = loadAppConfig({ NODE_ENV: 'test' });
    expect(config.catalogue.services.map((s) => s.code)).toEqual([
      'neurodiversity',
      'slt',
      'community-paediatrics',
      'mental-health',
    ]);
    expect(config.catalogue.services.find((s) => s.code === 'slt')).toMatchObject({
      targetWeeks: 18,
      measurementRegime: 'AHP_RTT',
    });
  });

  it('should name the bad field of a catalogue', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waitwell-cat-'));
    const file = join(dir, 'catalogue.yaml');
    writeFileSync(
      file,
      [
        'services:',
        '  - { code: slt, name: SLT, publicName: Therapy, targetWeeks: 0, measurementRegime: RTT }',
        'providers:',
        '  - { code: RXA, name: A, commissioner: QXX }',
        'commissioners:',
        '  - { code: QZZ, name: ICB }',
      ].join('\n'),
    );
    const problems = problemsOf(() =>
      loadAppConfig({ NODE_ENV: 'test', WAITWELL_CATALOGUE_FILE: file }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^services\[0\]\.targetWeeks: /),
        expect.stringMatching(/^services\[0\]\.measurementRegime: /),
      ]),
    );
    const second = join(dir, 'catalogue2.yaml');
    writeFileSync(
      second,
      'services:\n  - { code: slt, name: SLT, publicName: T, targetWeeks: 18, measurementRegime: AHP_RTT }\nproviders:\n  - { code: RXA, name: A, commissioner: QXX }\ncommissioners:\n  - { code: QZZ, name: ICB }\n',
    );
    expect(
      problemsOf(() => loadAppConfig({ NODE_ENV: 'test', WAITWELL_CATALOGUE_FILE: second })),
    ).toEqual(['providers[0].commissioner: "QXX" is not listed under commissioners']);
  });

  it('should refuse to start in production without a pseudonym secret', () => {
    expect(problemsOf(() => loadAppConfig({ NODE_ENV: 'production' }))).toEqual([
      'WAITWELL_PSEUDONYM_SECRET is required in production',
    ]);
  });
});
