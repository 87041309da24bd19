import { stringify } from 'csv-stringify/sync';
import { CHS_BANDS, RTT_BAND_COUNT, rttBandColumn } from '../clock/waits.js';
import type { RttReport, RttReportRow } from './report.types.js';

/** The 121 columns of NHS England's "Full CSV" RTT extract (reference.md §2.1). */
export const RTT_CSV_COLUMNS: string[] = [
  'Period',
  'Provider Parent Org Code',
  'Provider Parent Name',
  'Provider Org Code',
  'Provider Org Name',
  'Commissioner Parent Org Code',
  'Commissioner Parent Name',
  'Commissioner Org Code',
  'Commissioner Org Name',
  'RTT Part Type',
  'RTT Part Description',
  'Treatment Function Code',
  'Treatment Function Name',
  ...Array.from({ length: RTT_BAND_COUNT }, (_, i) => rttBandColumn(i + 1)),
  'Total',
  'Patients with unknown clock start date',
  'Total All',
];

export const CHS_CSV_COLUMNS: string[] = [
  'Period',
  'Commissioner Org Code',
  'Commissioner Org Name',
  'Provider Org Code',
  'Provider Org Name',
  'Service Line',
  ...CHS_BANDS.map((b) => b.label),
  'Total waiting list',
  'Patients with unknown clock start date',
];

type Cell = string | number;

/**
 * Makes a cell safe to open in Excel and other spreadsheets: text starting with = + - @ (or a tab
 * or carriage return) would be read as a formula, so it is prefixed with an apostrophe (OWASP CSV
 * injection advice). Numbers are written as numbers.
 */
export function neutraliseCell(value: Cell): Cell {
  if (typeof value === 'number') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csv(columns: string[], rows: Cell[][]): string {
  // UTF-8 with a byte order mark so Excel reads names such as "Children's" correctly.
  return stringify(
    rows.map((r) => r.map(neutraliseCell)),
    { header: true, columns, bom: true, record_delimiter: 'windows' },
  );
}

const PARTS = [
  { type: 'Part_1A', description: 'Completed Pathways For Admitted Patients' },
  { type: 'Part_1B', description: 'Completed Pathways For Non-Admitted Patients' },
  { type: 'Part_2', description: 'Incomplete Pathways' },
  { type: 'Part_3', description: 'New RTT Periods - All Patients' },
] as const;

function partCells(row: RttReportRow, part: (typeof PARTS)[number]['type']): Cell[] {
  switch (part) {
    case 'Part_1A':
    case 'Part_1B': {
      const p = part === 'Part_1A' ? row.completed.admitted : row.completed.nonAdmitted;
      return [...p.bands, p.total, p.unknownClockStart, p.total + p.unknownClockStart];
    }
    case 'Part_2':
      return [
        ...row.incomplete.bands,
        row.incomplete.total,
        row.incomplete.unknownClockStart,
        row.incomplete.totalAll,
      ];
    case 'Part_3':
      // New periods are a count only: week bands do not apply.
      return [
        ...new Array<Cell>(RTT_BAND_COUNT).fill(''),
        row.newClockStarts,
        0,
        row.newClockStarts,
      ];
    default: {
      const unreachable: never = part;
      throw new Error(`unknown part ${String(unreachable)}`);
    }
  }
}

/**
 * The report in the layout of NHS England's monthly RTT extract: one row per provider, RTT part and
 * treatment function (each service's own function, "C_<code>"), plus a "C_999" total per provider.
 * Parts 1A, 1B, 2 and 3 are produced; Part 2A (incomplete with a decision to admit) is not recorded
 * in community services and is left out. The parent-organisation columns carry the provider's ICB.
 */
export function toRttCsv(report: RttReport): string {
  const rows: Cell[][] = [];
  const providerRows = report.rows.filter((r) => r.level === 'provider' && r.provider);
  for (const total of providerRows) {
    const perService = report.rows.filter(
      (r) => r.level === 'service-provider' && r.provider?.code === total.provider?.code,
    );
    const icb = total.commissioner ?? { code: '', name: '' };
    for (const part of PARTS) {
      for (const r of [...perService, total]) {
        const tf =
          r.level === 'provider'
            ? 'C_999'
            : r.service?.treatmentFunction
              ? `C_${r.service.treatmentFunction}`
              : 'X06';
        const tfName = r.level === 'provider' ? 'Total' : (r.service?.name ?? '');
        rows.push([
          report.period,
          icb.code,
          icb.name,
          total.provider?.code ?? '',
          total.provider?.name ?? '',
          icb.code,
          icb.name,
          icb.code,
          icb.name,
          part.type,
          part.description,
          tf,
          tfName,
          ...partCells(r, part.type),
        ]);
      }
    }
  }
  return csv(RTT_CSV_COLUMNS, rows);
}

/** The CHS SitRep view as CSV: one row per CYP service line and provider (and the line's total). */
export function toChsSitrepCsv(report: RttReport): string {
  const rows: Cell[][] = report.chsSitrep.rows.map((r) => [
    report.period,
    r.commissioner?.code ?? '',
    r.commissioner?.name ?? '',
    r.provider?.code ?? 'ALL',
    r.provider?.name ?? 'All providers',
    r.serviceLine,
    ...r.bands.map((b) => b.count),
    r.totalWaitingList,
    r.unknownClockStart,
  ]);
  return csv(CHS_CSV_COLUMNS, rows);
}
