import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { buildRttReport, periodLabel, type BuildReportInput } from './build-report.js';
import { diffReports } from './report-diff.js';
import type { GroupCounts, ProviderInfo, ServiceInfo } from './report.types.js';
import { renderWeekBandChart } from './rtt-chart-svg.js';
import { RTT_CSV_COLUMNS, neutraliseCell, toChsSitrepCsv, toRttCsv } from './rtt-csv.js';

const SERVICES: ServiceInfo[] = [
  {
    code: 'slt',
    name: 'Speech and language therapy',
    measurementRegime: 'AHP_RTT',
    targetWeeks: 18,
    treatmentFunction: '652',
    nullifyFirstAppointmentDna: true,
    chsServiceLine: '(CYP) Therapy interventions: Speech and language',
  },
  {
    code: 'neurodiversity',
    name: '=HYPERLINK("http://x")',
    measurementRegime: 'NONE',
    targetWeeks: 13,
    treatmentFunction: '291',
    nullifyFirstAppointmentDna: true,
    chsServiceLine: '(CYP) Community paediatric service',
  },
  {
    code: 'mental-health',
    name: 'CYP mental health',
    measurementRegime: 'CYPMH',
    targetWeeks: 4,
    treatmentFunction: '711',
    nullifyFirstAppointmentDna: true,
    chsServiceLine: null,
  },
];
const PROVIDERS: ProviderInfo[] = [
  { code: 'RXA', name: 'Northshire', commissionerCode: 'QZZ', commissionerName: 'Demo ICB' },
  { code: 'RYB', name: '@Southvale', commissionerCode: 'QZZ', commissionerName: 'Demo ICB' },
];

function group(service: string, provider: string, o: Partial<GroupCounts> = {}): GroupCounts {
  return {
    service,
    provider,
    incomplete: [],
    incompleteUnknownStart: 0,
    completedAdmitted: [],
    completedNonAdmitted: [],
    completedAdmittedUnknownStart: 0,
    completedNonAdmittedUnknownStart: 0,
    newClockStarts: 0,
    nullifiedInMonth: 0,
    removedInMonth: 0,
    ...o,
  };
}

function input(groups: GroupCounts[]): BuildReportInput {
  return {
    month: '2026-10',
    monthStart: '2026-10-01',
    censusDate: '2026-10-31',
    dataCutoff: '2026-11-01T02:30:00.000000Z',
    generatedAt: '2026-11-01T02:30:01.000Z',
    provisional: false,
    scope: { service: null, provider: null, commissioner: null },
    source: { kind: 'live', snapshot: null },
    clockRulesVersion: 'rtt-clock-v3',
    groups,
    services: SERVICES,
    providers: PROVIDERS,
  };
}

describe(buildRttReport.name, () => {
  const groups = [
    // slt at RYB: waits 0, 126 (exactly 18 weeks), 127, 400 days; one unknown start.
    group('slt', 'RYB', {
      incomplete: [
        [0, 1],
        [126, 1],
        [127, 1],
        [400, 1],
      ],
      incompleteUnknownStart: 1,
      completedNonAdmitted: [[30, 2]],
      newClockStarts: 3,
    }),
    group('slt', 'RXA', { incomplete: [[10, 2]], completedAdmitted: [[100, 1]] }),
    // neurodiversity target 13 weeks = 91 days: 91 within, 92 not.
    group('neurodiversity', 'RXA', {
      incomplete: [
        [91, 1],
        [92, 1],
        [800, 1],
      ],
      nullifiedInMonth: 1,
    }),
  ];
  const report = buildRttReport(input(groups));
  const row = (level: string, service?: string, provider?: string) =>
    report.rows.find(
      (r) =>
        r.level === level &&
        (r.service?.code ?? undefined) === service &&
        (r.provider?.code ?? undefined) === provider,
    )!;

  it('should band incomplete pathways and count 126 days as within 18 weeks', () => {
    const r = row('service-provider', 'slt', 'RYB');
    expect(r.regime).toBe('AHP_RTT');
    expect(r.incomplete).toMatchObject({
      total: 4,
      unknownClockStart: 1,
      totalAll: 5,
      within18Weeks: { count: 2, percent: 50 },
      over52Weeks: 1,
      over65Weeks: 0,
    });
    expect(r.incomplete.bands[0]).toBe(1);
    expect(r.incomplete.bands[17]).toBe(1);
    expect(r.incomplete.bands[18]).toBe(1);
    expect(r.incomplete.bands[57]).toBe(1); // 400 days = band 58
    expect(r.incomplete.bands.reduce((a, b) => a + b, 0)).toBe(r.incomplete.total);
  });

  it("should measure each service against its own target, and mixed rows against each pathway's own target", () => {
    expect(row('service', 'neurodiversity').incomplete.withinTarget).toEqual({
      targetWeeks: 13,
      count: 1,
      percent: 33.3,
    });
    // RXA: slt 10,10 within 18; neurodiversity 91 within 13 → 3 of 5.
    expect(row('provider', undefined, 'RXA').incomplete.withinTarget).toEqual({
      targetWeeks: null,
      count: 3,
      percent: 60,
    });
    expect(row('provider', undefined, 'RXA').regime).toBe('MIXED');
    expect(row('total').incomplete.total).toBe(9);
    expect(row('total').incomplete.over104Weeks).toBe(1);
  });

  it('should give banded and patient-level percentiles, labelled, and completed-pathway figures', () => {
    const r = row('service-provider', 'slt', 'RYB');
    expect(r.incomplete.medianWeeks.patientLevel.weeks).toBe(18.1); // (126 + 127) / 2 / 7
    expect(r.incomplete.medianWeeks.banded.weeks).toBe(18); // target 2 reached at the top of band 18
    expect(report.method.percentiles.banded).toMatch(/grouped-data/);
    const t = row('total');
    expect(t.completed).toMatchObject({
      total: 3,
      admitted: { total: 1 },
      nonAdmitted: { total: 2 },
    });
    expect(t.completed.p95Weeks.patientLevel.weeks).toBe(13.3); // waits 30, 30, 100: h = 1.9 → 30 + 0.9 x 70 = 93 days = 13.29 weeks
    expect(t.newClockStarts).toBe(3);
    expect(t.nullifiedInMonth).toBe(1);
  });

  it('should produce the CHS SitRep view per CYP service line and leave CYP mental health to MHSDS', () => {
    const slt = report.chsSitrep.rows.find(
      (r) => r.serviceLine.includes('Speech') && r.provider === null,
    )!;
    expect(slt.bands.map((b) => b.count)).toEqual([1, 2, 0, 0, 1, 1, 1]);
    expect(slt.totalWaitingList).toBe(6);
    expect(report.chsSitrep.notInSitrep).toEqual([
      expect.objectContaining({ service: 'mental-health', reason: expect.stringMatching(/MHSDS/) }),
    ]);
  });

  it('should write the NHS England CSV layout with a BOM, no executable cells, and totals that parse back', () => {
    const csv = toRttCsv(report);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const records: string[][] = parse(csv, { bom: true });
    expect(records[0]).toEqual(RTT_CSV_COLUMNS);
    expect(records[0]).toHaveLength(121);
    const body = records.slice(1);
    for (const cells of body) {
      expect(cells).toHaveLength(121);
      for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
    const part2 = body.find((c) => c[3] === 'RYB' && c[9] === 'Part_2' && c[11] === 'C_999')!;
    expect(part2[0]).toBe(periodLabel('2026-10'));
    expect(part2[4]).toBe("'@Southvale");
    expect(Number(part2[118])).toBe(4);
    expect(Number(part2[119])).toBe(1);
    expect(Number(part2[120])).toBe(5);
    expect(body.find((c) => c[11] === 'C_291')![12]).toBe(`'=HYPERLINK("http://x")`);
    expect(neutraliseCell('-1')).toBe("'-1");
    expect(neutraliseCell(-1)).toBe(-1);
    const chs: string[][] = parse(toChsSitrepCsv(report), { bom: true, columns: false });
    expect(chs[0]).toContain('Waiting >52 weeks');
  });

  it('should draw an SVG chart with the 18-week line and the service target line, escaping text', () => {
    const svg = renderWeekBandChart({
      title: 'Waits <slt> & more',
      subtitle: 'October 2026',
      bands: row('service', 'neurodiversity').incomplete.bands,
      targetWeeks: 13,
    });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('18 weeks');
    expect(svg).toContain('Target 13 weeks');
    expect(svg).toContain('Waits &lt;slt&gt; &amp; more');
    expect(svg).not.toContain('<slt>');
    expect((svg.match(/<rect x=/g) ?? []).length).toBe(3); // one bar per non-empty band
  });

  it('should say what changed between two versions', () => {
    const later = buildRttReport({
      ...input([
        ...groups.slice(0, 2),
        group('neurodiversity', 'RXA', {
          incomplete: [
            [91, 1],
            [800, 1],
          ],
          nullifiedInMonth: 1,
        }),
      ]),
      dataCutoff: '2026-11-20T00:00:00Z',
    });
    const diff = diffReports(
      report,
      later,
      { eventsIncluded: 10, lastEventRecordedAt: null, importRuns: 1 },
      { eventsIncluded: 12, lastEventRecordedAt: null, importRuns: 2 },
    );
    expect(diff.eventsAdded).toBe(2);
    expect(diff.changes).toEqual(
      expect.arrayContaining([
        { row: 'service-provider neurodiversity/RXA', measure: 'incomplete.total', from: 3, to: 2 },
      ]),
    );
    expect(diff.summary).toMatch(/figures changed/);
    expect(diffReports(report, report).changes).toEqual([]);
  });
});
