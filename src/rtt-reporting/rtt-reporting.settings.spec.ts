import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REGIME_RULES, loadRttReportingSettings } from './rtt-reporting.settings.js';

function rootWith(yaml: string | null): string {
  const root = mkdtempSync(join(tmpdir(), 'rtt-settings-'));
  mkdirSync(join(root, 'config'));
  if (yaml !== null) writeFileSync(join(root, 'config', 'rtt-reporting.yaml'), yaml);
  return root;
}

describe(loadRttReportingSettings.name, () => {
  it('should use the defaults when there is no settings file', () => {
    const s = loadRttReportingSettings(rootWith(null));
    expect(s).toMatchObject({
      regimes: DEFAULT_REGIME_RULES,
      chsServiceLines: {},
      snapshotDayOfMonth: 1,
      source: 'defaults',
    });
  });

  it('should apply a regime override and change the clock settings hash', () => {
    const base = loadRttReportingSettings(rootWith(null));
    const s = loadRttReportingSettings(
      rootWith(
        'regimes:\n  CYPMH: { nullifyFirstAppointmentDna: false }\nchsServiceLines: { neurodiversity: null }\nsnapshotDayOfMonth: 5\n',
      ),
    );
    expect(s.regimes.CYPMH.nullifyFirstAppointmentDna).toBe(false);
    expect(s.regimes.AHP_RTT.nullifyFirstAppointmentDna).toBe(true);
    expect(s.chsServiceLines).toEqual({ neurodiversity: null });
    expect(s.snapshotDayOfMonth).toBe(5);
    expect(s.clockSettingsHash).not.toBe(base.clockSettingsHash);
  });

  it('should refuse an invalid file, naming the field', () => {
    expect(() => loadRttReportingSettings(rootWith('snapshotDayOfMonth: 31\n'))).toThrow(
      /snapshotDayOfMonth/,
    );
    expect(() =>
      loadRttReportingSettings(
        rootWith('regimes:\n  AHP_RTT: { nullifyFirstAppointmentDna: maybe }\n'),
      ),
    ).toThrow(/nullifyFirstAppointmentDna/);
    expect(() => loadRttReportingSettings(rootWith('tolerances: true\n'))).toThrow(/tolerances/);
  });

  it('should load the shipped config/rtt-reporting.yaml with the default values', () => {
    const s = loadRttReportingSettings(process.cwd());
    expect(s.source).toBe('config/rtt-reporting.yaml');
    expect(s.clockSettingsHash).toBe(loadRttReportingSettings(rootWith(null)).clockSettingsHash);
  });
});
