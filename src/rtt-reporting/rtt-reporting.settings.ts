import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsObject, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { MeasurementRegime } from '../config/catalogue.schema.js';
import { loadYamlDocument } from '../config/validate-document.js';
import type { ClockRules } from './clock/rtt-clock.js';

/**
 * Version of the clock rules (rtt-clock.ts R1-R17); stored on every snapshot, and part of the
 * clock cache's settings hash, so a new version rebuilds the cache. v2 added R16 (a referral back
 * on the provider's list after a validation removal waits on); v3 R17 (what a source's list no
 * longer says, such as a missed first appointment corrected to attended, is taken back).
 */
export const RTT_RULES_VERSION = 'rtt-clock-v3';

export class RegimeRulesSettings {
  /** Rule 5e / §1.4: a first-appointment DNA stops and nullifies the clock. */
  @IsBoolean() nullifyFirstAppointmentDna: boolean;
}

export class RegimesSettings {
  @IsOptional()
  @ValidateNested()
  @Type(() => RegimeRulesSettings)
  CONSULTANT_RTT?: RegimeRulesSettings;
  @IsOptional() @ValidateNested() @Type(() => RegimeRulesSettings) AHP_RTT?: RegimeRulesSettings;
  @IsOptional() @ValidateNested() @Type(() => RegimeRulesSettings) CYPMH?: RegimeRulesSettings;
  @IsOptional() @ValidateNested() @Type(() => RegimeRulesSettings) NONE?: RegimeRulesSettings;
}

/** config/rtt-reporting.yaml (optional): every field has a default below. */
export class RttReportingSettingsDocument {
  @IsOptional() @ValidateNested() @Type(() => RegimesSettings) regimes?: RegimesSettings;
  /** Service code → CHS SitRep CYP service line label, or null to leave the service out of the SitRep view. */
  @IsOptional() @IsObject() chsServiceLines?: Record<string, string | null>;
  /** Day of the month (London) from which the scheduled job snapshots the previous month. */
  @IsOptional() @IsInt() @Min(1) @Max(28) snapshotDayOfMonth?: number;
}

export interface RttReportingSettings {
  regimes: Record<MeasurementRegime, ClockRules>;
  chsServiceLines: Record<string, string | null>;
  snapshotDayOfMonth: number;
  /** Hash of everything that changes clock periods: a change rebuilds the clock cache. */
  clockSettingsHash: string;
  source: string;
}

/**
 * Defaults. Nullification is verified for consultant-led RTT (Rule 5e) and AHP RTT (Data Dictionary,
 * reference.md §1.12(b)); for CYPMH and NONE it is an assumption [U], so it is configurable.
 */
export const DEFAULT_REGIME_RULES: Record<MeasurementRegime, ClockRules> = {
  CONSULTANT_RTT: { nullifyFirstAppointmentDna: true },
  AHP_RTT: { nullifyFirstAppointmentDna: true },
  CYPMH: { nullifyFirstAppointmentDna: true },
  NONE: { nullifyFirstAppointmentDna: true },
};

/**
 * CHS SitRep CYP service lines (reference.md §2.3, [V2]) by treatment function, used when the
 * settings do not name a line for a service. There is no neurodevelopmental line: autism and ADHD
 * assessments sit in community paediatrics. CYP mental health (711) reports through MHSDS, not the SitRep.
 */
export const CHS_LINE_BY_TREATMENT_FUNCTION: Record<string, string | null> = {
  '290': '(CYP) Community paediatric service',
  '291': '(CYP) Community paediatric service',
  '420': '(CYP) Community paediatric service',
  '650': '(CYP) Therapy interventions: Physiotherapy',
  '651': '(CYP) Therapy interventions: Occupational therapy',
  '652': '(CYP) Therapy interventions: Speech and language',
  '654': '(CYP) Therapy interventions: Dietetics',
  '840': '(CYP) Audiology',
  '711': null,
};

export function loadRttReportingSettings(
  rootDir: string,
  file = join(rootDir, 'config', 'rtt-reporting.yaml'),
): RttReportingSettings {
  const doc = existsSync(file)
    ? loadYamlDocument(RttReportingSettingsDocument, file)
    : new RttReportingSettingsDocument();
  const regimes = { ...DEFAULT_REGIME_RULES };
  for (const key of Object.keys(regimes) as MeasurementRegime[]) {
    const given = doc.regimes?.[key];
    if (given) regimes[key] = { nullifyFirstAppointmentDna: given.nullifyFirstAppointmentDna };
  }
  return {
    regimes,
    chsServiceLines: doc.chsServiceLines ?? {},
    snapshotDayOfMonth: doc.snapshotDayOfMonth ?? 1,
    clockSettingsHash: createHash('sha256')
      .update(JSON.stringify({ RTT_RULES_VERSION, regimes }))
      .digest('hex')
      .slice(0, 16),
    source: existsSync(file) ? relative(rootDir, file) : 'defaults',
  };
}
