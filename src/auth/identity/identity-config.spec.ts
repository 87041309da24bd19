import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocumentValidationError } from '../../config/validate-document.js';
import { loadIdentityConfig } from './identity-config.js';

function write(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'waitwell-identity-')), 'identity.yaml');
  writeFileSync(file, content);
  return file;
}

function problemsOf(file: string): string[] {
  try {
    loadIdentityConfig(file);
  } catch (error) {
    if (error instanceof DocumentValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('loadIdentityConfig', () => {
  it('should load the shipped config/identity.yaml with WaitWell defaults', () => {
    const config = loadIdentityConfig(join(process.cwd(), 'config/identity.yaml'));
    expect(config).toMatchObject({
      clockSkewSeconds: 30,
      familyLinkDays: 14,
      familySessionMinutes: 30,
      breakGlassRoles: ['commissioner', 'clinician'],
      additionalIssuers: [],
    });
  });

  it('should name every bad field at boot, without echoing values', () => {
    const problems = problemsOf(
      write(
        [
          'primary:',
          '  claims: { role: "bad claim!" }',
          '  roleValues: { "R1": superuser }',
          'additionalIssuers:',
          '  - { issuer: not-a-url, fixedRole: king }',
          '  - { issuer: "https://login.example", colour: blue }',
          'clockSkewSeconds: 3600',
          'breakGlassRoles: [family]',
        ].join('\n'),
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^primary\.claims\.role: must be a claim name/),
        expect.stringMatching(/^additionalIssuers\[0\]\.issuer: /),
        expect.stringMatching(/^additionalIssuers\[0\]\.fixedRole: fixedRole must be one of/),
        expect.stringMatching(/^additionalIssuers\[1\]\.colour: /),
        expect.stringMatching(/^clockSkewSeconds: /),
        expect.stringMatching(
          /^breakGlassRoles: breakGlassRoles may hold commissioner and clinician only/,
        ),
      ]),
    );
  });

  it('should refuse role values that are not WaitWell roles and issuers listed twice', () => {
    const problems = problemsOf(
      write(
        [
          'primary:',
          '  roleValues: { "R1": superuser }',
          'additionalIssuers:',
          '  - { issuer: "https://a.example", fixedRole: family }',
          '  - { issuer: "https://a.example", fixedRole: family }',
        ].join('\n'),
      ),
    );
    expect(problems).toEqual([
      'primary.roleValues.R1: "superuser" is not a WaitWell role (commissioner, clinician, admin, family, auditor)',
      'additionalIssuers: "https://a.example" appears twice',
    ]);
  });
});
