import type { DayCounts, PercentileValue } from './percentiles.js';

/**
 * What the census produced for one service at one provider: histograms of waits in days (never
 * patient-level rows), so every total, band and percentile can be rebuilt for any scope.
 */
export interface GroupCounts {
  service: string;
  provider: string;
  /** Incomplete pathways with a known clock start: wait to the census date. */
  incomplete: DayCounts;
  incompleteUnknownStart: number;
  /** Clock stopped in the month: wait to the stop. */
  completedAdmitted: DayCounts;
  completedNonAdmitted: DayCounts;
  completedAdmittedUnknownStart: number;
  completedNonAdmittedUnknownStart: number;
  newClockStarts: number;
  nullifiedInMonth: number;
  removedInMonth: number;
}

export interface ServiceInfo {
  code: string;
  name: string;
  measurementRegime: string;
  targetWeeks: number;
  treatmentFunction: string | null;
  nullifyFirstAppointmentDna: boolean;
  chsServiceLine: string | null;
}

export interface ProviderInfo {
  code: string;
  name: string;
  commissionerCode: string;
  commissionerName: string;
}

export type RowLevel =
  'service-provider' | 'service' | 'provider' | 'commissioner-service' | 'commissioner' | 'total';

export interface Percentiles {
  banded: PercentileValue;
  patientLevel: PercentileValue;
}

export interface CountAndPercent {
  count: number;
  /** One decimal; null when the denominator is 0. */
  percent: number | null;
}

export interface IncompleteFigures {
  /** Pathways with a known clock start (the sum of the bands; the denominator for every %). */
  total: number;
  unknownClockStart: number;
  /** total + unknownClockStart ("Total All"). */
  totalAll: number;
  /** 105 NHS England week bands, index 0 = ">0-1 weeks", index 104 = ">104 weeks". */
  bands: number[];
  within18Weeks: CountAndPercent;
  /** Against the service's own target; for rows spanning services, each pathway against its own service's target. */
  withinTarget: CountAndPercent & { targetWeeks: number | null };
  medianWeeks: Percentiles;
  p92Weeks: Percentiles;
  over52Weeks: number;
  over65Weeks: number;
  over78Weeks: number;
  over104Weeks: number;
  percentOver52Weeks: number | null;
}

export interface CompletedPart {
  total: number;
  unknownClockStart: number;
  bands: number[];
}

export interface CompletedFigures {
  total: number;
  admitted: CompletedPart;
  nonAdmitted: CompletedPart;
  medianWeeks: Percentiles;
  p95Weeks: Percentiles;
  within18Weeks: CountAndPercent;
}

export interface RttReportRow {
  level: RowLevel;
  service: Omit<ServiceInfo, 'chsServiceLine' | 'nullifyFirstAppointmentDna'> | null;
  provider: { code: string; name: string } | null;
  commissioner: { code: string; name: string } | null;
  /** The service's measurement regime, or "MIXED" for rows spanning services with different regimes. */
  regime: string;
  incomplete: IncompleteFigures;
  completed: CompletedFigures;
  newClockStarts: number;
  nullifiedInMonth: number;
  removedInMonth: number;
}

export interface ChsSitrepRow {
  serviceLine: string;
  services: string[];
  provider: { code: string; name: string } | null;
  commissioner: { code: string; name: string } | null;
  bands: Array<{ label: string; count: number }>;
  totalWaitingList: number;
  unknownClockStart: number;
}

export interface ReportScope {
  service: string | null;
  provider: string | null;
  commissioner: string | null;
}

export interface SnapshotInfo {
  id: string;
  version: number;
  createdAt: string;
  createdBy: string;
  trigger: string;
  dataCutoff: string;
  rulesVersion: string;
  data: SnapshotDataFacts;
}

/** Which data a report was made from. */
export interface SnapshotDataFacts {
  eventsIncluded: number;
  lastEventRecordedAt: string | null;
  importRuns: number;
}

export interface RttReport {
  reportType: 'rtt-monthly';
  title: string;
  /** NHS England period label, e.g. "RTT-October-2026". */
  period: string;
  month: string;
  monthStart: string;
  censusDate: string;
  dataCutoff: string;
  generatedAt: string;
  /** True for the current (unfinished) month or a live view of a month not yet snapshotted. */
  provisional: boolean;
  scope: ReportScope;
  source: { kind: 'snapshot' | 'live'; snapshot: SnapshotInfo | null };
  method: {
    clockRules: string;
    waitingTime: string;
    within18Weeks: string;
    withinTarget: string;
    percentiles: { banded: string; patientLevel: string };
    unknownClockStart: string;
    services: Array<{
      code: string;
      regime: string;
      targetWeeks: number;
      nullifyFirstAppointmentDna: boolean;
    }>;
  };
  rows: RttReportRow[];
  chsSitrep: {
    method: string;
    rows: ChsSitrepRow[];
    notInSitrep: Array<{ service: string; reason: string }>;
  };
}
