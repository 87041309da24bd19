import {
  CHS_BANDS,
  LONG_WAIT_MIN_DAYS,
  RTT_BAND_COUNT,
  WITHIN_18_WEEKS_MAX_DAYS,
  chsBand,
  rttWeekBand,
  withinWeeks,
} from '../clock/waits.js';
import {
  PERCENTILE_METHODS,
  bandedPercentile,
  mergeDayCounts,
  patientLevelPercentile,
  type DayCounts,
} from './percentiles.js';
import type {
  ChsSitrepRow,
  CompletedFigures,
  CountAndPercent,
  GroupCounts,
  IncompleteFigures,
  ProviderInfo,
  ReportScope,
  RowLevel,
  RttReport,
  RttReportRow,
  ServiceInfo,
  SnapshotInfo,
} from './report.types.js';

export interface BuildReportInput {
  month: string;
  monthStart: string;
  censusDate: string;
  dataCutoff: string;
  generatedAt: string;
  provisional: boolean;
  scope: ReportScope;
  source: { kind: 'snapshot' | 'live'; snapshot: SnapshotInfo | null };
  clockRulesVersion: string;
  /** The census output; already restricted to the scope. */
  groups: GroupCounts[];
  services: ServiceInfo[];
  providers: ProviderInfo[];
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "2026-10" → "RTT-October-2026" (the Period column of NHS England's extract). */
export function periodLabel(month: string): string {
  return `RTT-${MONTHS[Number(month.slice(5, 7)) - 1]}-${month.slice(0, 4)}`;
}

const pct = (n: number, d: number): number | null =>
  d === 0 ? null : Math.round((n / d) * 1000) / 10;
const cp = (count: number, of: number): CountAndPercent => ({ count, percent: pct(count, of) });
const total = (h: DayCounts) => h.reduce((a, [, c]) => a + c, 0);
const countWhere = (h: DayCounts, f: (days: number) => boolean) =>
  h.reduce((a, [d, c]) => a + (f(d) ? c : 0), 0);

function toBands(h: DayCounts): number[] {
  const bands = new Array<number>(RTT_BAND_COUNT).fill(0);
  for (const [days, count] of h) bands[rttWeekBand(days) - 1] += count;
  return bands;
}

/**
 * Builds the monthly RTT report from the census histograms: incomplete pathways by NHS England
 * week band with 18-week and own-target performance, median and 92nd percentile (banded estimate and
 * patient-level value, both labelled), long waits; completed pathways in the month with median and
 * 95th percentile; new clock starts; and the CHS SitRep view. Pure and deterministic.
 */
export function buildRttReport(input: BuildReportInput): RttReport {
  const services = new Map(input.services.map((s) => [s.code, s]));
  const providers = new Map(input.providers.map((p) => [p.code, p]));
  const groups = [...input.groups].sort(
    (a, b) => a.service.localeCompare(b.service) || a.provider.localeCompare(b.provider),
  );
  const rows: RttReportRow[] = [];
  const add = (
    level: RowLevel,
    members: GroupCounts[],
    service: ServiceInfo | null,
    provider: ProviderInfo | null,
    commissioner: { code: string; name: string } | null,
  ) => {
    rows.push(figures(level, members, service, provider, commissioner, services));
  };

  for (const g of groups) {
    const p = providers.get(g.provider);
    add(
      'service-provider',
      [g],
      services.get(g.service) ?? null,
      p ?? null,
      p ? { code: p.commissionerCode, name: p.commissionerName } : null,
    );
  }
  for (const s of input.services) {
    add(
      'service',
      groups.filter((g) => g.service === s.code),
      s,
      null,
      null,
    );
  }
  for (const p of input.providers) {
    add(
      'provider',
      groups.filter((g) => g.provider === p.code),
      null,
      p,
      { code: p.commissionerCode, name: p.commissionerName },
    );
  }
  const commissioners = new Map(
    input.providers.map((p) => [p.commissionerCode, p.commissionerName]),
  );
  for (const [code, name] of commissioners) {
    const inIcb = groups.filter((g) => providers.get(g.provider)?.commissionerCode === code);
    for (const s of input.services) {
      add(
        'commissioner-service',
        inIcb.filter((g) => g.service === s.code),
        s,
        null,
        { code, name },
      );
    }
    add('commissioner', inIcb, null, null, { code, name });
  }
  add('total', groups, null, null, null);

  return {
    reportType: 'rtt-monthly',
    title: `Referral to treatment waiting times: ${MONTHS[Number(input.month.slice(5, 7)) - 1]} ${input.month.slice(0, 4)}`,
    period: periodLabel(input.month),
    month: input.month,
    monthStart: input.monthStart,
    censusDate: input.censusDate,
    dataCutoff: input.dataCutoff,
    generatedAt: input.generatedAt,
    provisional: input.provisional,
    scope: input.scope,
    source: input.source,
    method: {
      clockRules: `${input.clockRulesVersion}: clock periods rebuilt from the append-only clock events dated on or before the census date and recorded on or before the data cut-off (rules R1-R17 in src/rtt-reporting/clock/rtt-clock.ts; reference.md §1).`,
      waitingTime:
        'Days from clock start to the census date (incomplete) or to the clock stop (completed), in Europe/London calendar dates; weeks completed = floor(days / 7); band ">0-1" = days 0-7, band k = days 7(k-1)+1 to 7k, ">104" = 729 days or more (reference.md §1.8).',
      within18Weeks: 'Wait of 126 days or fewer, out of pathways with a known clock start.',
      withinTarget:
        "Wait of at most the service's target weeks x 7 days; rows spanning several services measure each pathway against its own service's target.",
      percentiles: PERCENTILE_METHODS,
      unknownClockStart:
        'Pathways whose clock start is not known are counted in "unknown clock start" and left out of bands, percentages and percentiles (as in the NHS England return).',
      services: input.services.map((s) => ({
        code: s.code,
        regime: s.measurementRegime,
        targetWeeks: s.targetWeeks,
        nullifyFirstAppointmentDna: s.nullifyFirstAppointmentDna,
      })),
    },
    rows,
    chsSitrep: chsView(groups, input.services, providers),
  };
}

function figures(
  level: RowLevel,
  members: GroupCounts[],
  service: ServiceInfo | null,
  provider: ProviderInfo | null,
  commissioner: { code: string; name: string } | null,
  services: Map<string, ServiceInfo>,
): RttReportRow {
  const inc = mergeDayCounts(...members.map((m) => m.incomplete));
  const n = total(inc);
  const target = (code: string) => services.get(code)?.targetWeeks ?? 18;
  const withinTarget = members.reduce(
    (a, m) => a + countWhere(m.incomplete, (d) => withinWeeks(d, target(m.service))),
    0,
  );
  const bands = toBands(inc);
  const unknown = members.reduce((a, m) => a + m.incompleteUnknownStart, 0);
  const over = (min: number) => countWhere(inc, (d) => d >= min);
  const incomplete: IncompleteFigures = {
    total: n,
    unknownClockStart: unknown,
    totalAll: n + unknown,
    bands,
    within18Weeks: cp(
      countWhere(inc, (d) => d <= WITHIN_18_WEEKS_MAX_DAYS),
      n,
    ),
    withinTarget: { targetWeeks: service ? service.targetWeeks : null, ...cp(withinTarget, n) },
    medianWeeks: {
      banded: bandedPercentile(bands, 50),
      patientLevel: patientLevelPercentile(inc, 50),
    },
    p92Weeks: {
      banded: bandedPercentile(bands, 92),
      patientLevel: patientLevelPercentile(inc, 92),
    },
    over52Weeks: over(LONG_WAIT_MIN_DAYS[52]),
    over65Weeks: over(LONG_WAIT_MIN_DAYS[65]),
    over78Weeks: over(LONG_WAIT_MIN_DAYS[78]),
    over104Weeks: over(LONG_WAIT_MIN_DAYS[104]),
    percentOver52Weeks: pct(over(LONG_WAIT_MIN_DAYS[52]), n),
  };
  const adm = mergeDayCounts(...members.map((m) => m.completedAdmitted));
  const non = mergeDayCounts(...members.map((m) => m.completedNonAdmitted));
  const all = mergeDayCounts(adm, non);
  const allBands = toBands(all);
  const admUnknown = members.reduce((a, m) => a + m.completedAdmittedUnknownStart, 0);
  const nonUnknown = members.reduce((a, m) => a + m.completedNonAdmittedUnknownStart, 0);
  const completed: CompletedFigures = {
    total: total(all) + admUnknown + nonUnknown,
    admitted: { total: total(adm), unknownClockStart: admUnknown, bands: toBands(adm) },
    nonAdmitted: { total: total(non), unknownClockStart: nonUnknown, bands: toBands(non) },
    medianWeeks: {
      banded: bandedPercentile(allBands, 50),
      patientLevel: patientLevelPercentile(all, 50),
    },
    p95Weeks: {
      banded: bandedPercentile(allBands, 95),
      patientLevel: patientLevelPercentile(all, 95),
    },
    within18Weeks: cp(
      countWhere(all, (d) => d <= WITHIN_18_WEEKS_MAX_DAYS),
      total(all),
    ),
  };
  const regimes = new Set(
    service
      ? [service.measurementRegime]
      : members.map((m) => services.get(m.service)?.measurementRegime ?? 'NONE'),
  );
  return {
    level,
    service: service
      ? {
          code: service.code,
          name: service.name,
          measurementRegime: service.measurementRegime,
          targetWeeks: service.targetWeeks,
          treatmentFunction: service.treatmentFunction,
        }
      : null,
    provider: provider ? { code: provider.code, name: provider.name } : null,
    commissioner,
    regime: regimes.size === 1 ? [...regimes][0] : regimes.size === 0 ? 'NONE' : 'MIXED',
    incomplete,
    completed,
    newClockStarts: members.reduce((a, m) => a + m.newClockStarts, 0),
    nullifiedInMonth: members.reduce((a, m) => a + m.nullifiedInMonth, 0),
    removedInMonth: members.reduce((a, m) => a + m.removedInMonth, 0),
  };
}

function chsView(
  groups: GroupCounts[],
  services: ServiceInfo[],
  providers: Map<string, ProviderInfo>,
): RttReport['chsSitrep'] {
  const lines = new Map<string, string[]>();
  const notInSitrep: Array<{ service: string; reason: string }> = [];
  for (const s of services) {
    if (!s.chsServiceLine) {
      notInSitrep.push({
        service: s.code,
        reason:
          s.measurementRegime === 'CYPMH'
            ? 'CYP mental health waits are reported through MHSDS, not the CHS SitRep.'
            : 'No CHS SitRep service line is configured for this service.',
      });
      continue;
    }
    lines.set(s.chsServiceLine, [...(lines.get(s.chsServiceLine) ?? []), s.code]);
  }
  const rows: ChsSitrepRow[] = [];
  const row = (
    line: string,
    codes: string[],
    members: GroupCounts[],
    provider: ProviderInfo | null,
  ): ChsSitrepRow => {
    const counts = new Array<number>(CHS_BANDS.length).fill(0);
    for (const m of members) for (const [d, c] of m.incomplete) counts[chsBand(d)] += c;
    return {
      serviceLine: line,
      services: codes,
      provider: provider ? { code: provider.code, name: provider.name } : null,
      commissioner: provider
        ? { code: provider.commissionerCode, name: provider.commissionerName }
        : null,
      bands: CHS_BANDS.map((b, i) => ({ label: b.label, count: counts[i] })),
      totalWaitingList: counts.reduce((a, b) => a + b, 0),
      unknownClockStart: members.reduce((a, m) => a + m.incompleteUnknownStart, 0),
    };
  };
  for (const [line, codes] of [...lines.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const inLine = groups.filter((g) => codes.includes(g.service));
    for (const code of [...new Set(inLine.map((g) => g.provider))].sort()) {
      rows.push(
        row(
          line,
          codes,
          inLine.filter((g) => g.provider === code),
          providers.get(code) ?? null,
        ),
      );
    }
    rows.push(row(line, codes, inLine, null));
  }
  return {
    method:
      'Incomplete pathways at the census date in the national CHS waiting-list bands (0-1 = days 0-7, >1-2 = 8-14, >2-4 = 15-28, >4-12 = 29-84, >12-18 = 85-126, >18-52 = 127-364, >52 = 365+), per CYP service line (reference.md §2.3); rows without a provider are the line across all providers in scope.',
    rows,
    notInSitrep,
  };
}
