import { rttBandLabel } from '../clock/waits.js';
import type { RttReport, RttReportRow, SnapshotDataFacts } from './report.types.js';

export interface ReportChange {
  /** Which row, e.g. "service-provider slt/RYB" or "total". */
  row: string;
  measure: string;
  from: number | string | null;
  to: number | string | null;
}

export interface ReportDiff {
  summary: string;
  previousDataCutoff: string;
  dataCutoff: string;
  eventsAdded: number | null;
  changes: ReportChange[];
}

export function rowKey(r: RttReportRow): string {
  const parts = [
    r.commissioner && r.level.startsWith('commissioner') ? r.commissioner.code : null,
    r.service?.code,
    r.provider?.code,
  ].filter(Boolean);
  return parts.length ? `${r.level} ${parts.join('/')}` : r.level;
}

const MEASURES: Array<[string, (r: RttReportRow) => number | string | null]> = [
  ['incomplete.total', (r) => r.incomplete.total],
  ['incomplete.unknownClockStart', (r) => r.incomplete.unknownClockStart],
  ['incomplete.within18Weeks', (r) => r.incomplete.within18Weeks.count],
  ['incomplete.withinTarget', (r) => r.incomplete.withinTarget.count],
  ['incomplete.medianWeeks.banded', (r) => r.incomplete.medianWeeks.banded.display],
  ['incomplete.p92Weeks.banded', (r) => r.incomplete.p92Weeks.banded.display],
  ['incomplete.medianWeeks.patientLevel', (r) => r.incomplete.medianWeeks.patientLevel.display],
  ['incomplete.p92Weeks.patientLevel', (r) => r.incomplete.p92Weeks.patientLevel.display],
  ['incomplete.over52Weeks', (r) => r.incomplete.over52Weeks],
  ['incomplete.over65Weeks', (r) => r.incomplete.over65Weeks],
  ['incomplete.over78Weeks', (r) => r.incomplete.over78Weeks],
  ['incomplete.over104Weeks', (r) => r.incomplete.over104Weeks],
  ['completed.total', (r) => r.completed.total],
  ['completed.medianWeeks.banded', (r) => r.completed.medianWeeks.banded.display],
  ['completed.p95Weeks.banded', (r) => r.completed.p95Weeks.banded.display],
  ['newClockStarts', (r) => r.newClockStarts],
  ['nullifiedInMonth', (r) => r.nullifiedInMonth],
  ['removedInMonth', (r) => r.removedInMonth],
];

/**
 * What changed between two versions of the same month's report: every headline figure and every
 * incomplete week band that differs, row by row, plus how much new data the later cut-off took in.
 */
export function diffReports(
  previous: RttReport,
  next: RttReport,
  prevData?: SnapshotDataFacts,
  nextData?: SnapshotDataFacts,
): ReportDiff {
  const before = new Map(previous.rows.map((r) => [rowKey(r), r]));
  const changes: ReportChange[] = [];
  for (const r of next.rows) {
    const key = rowKey(r);
    const p = before.get(key);
    before.delete(key);
    if (!p) {
      changes.push({ row: key, measure: 'row', from: null, to: 'added' });
      continue;
    }
    for (const [measure, get] of MEASURES) {
      const a = get(p);
      const b = get(r);
      if (a !== b) changes.push({ row: key, measure, from: a, to: b });
    }
    r.incomplete.bands.forEach((n, i) => {
      if (n !== p.incomplete.bands[i]) {
        changes.push({
          row: key,
          measure: `incomplete.band ${rttBandLabel(i + 1)}`,
          from: p.incomplete.bands[i],
          to: n,
        });
      }
    });
  }
  for (const key of before.keys()) {
    changes.push({ row: key, measure: 'row', from: 'present', to: null });
  }
  const eventsAdded =
    prevData && nextData ? nextData.eventsIncluded - prevData.eventsIncluded : null;
  const rowsChanged = new Set(changes.map((c) => c.row)).size;
  const summary =
    changes.length === 0
      ? `No figures changed${eventsAdded ? ` (${eventsAdded} more clock events were included, none changing this month)` : ''}.`
      : `${changes.length} figure${changes.length === 1 ? '' : 's'} changed in ${rowsChanged} row${rowsChanged === 1 ? '' : 's'}${eventsAdded !== null ? `; ${eventsAdded} more clock events were included` : ''}.`;
  return {
    summary,
    previousDataCutoff: previous.dataCutoff,
    dataCutoff: next.dataCutoff,
    eventsAdded,
    changes,
  };
}
