import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { ReportDiff } from './report/report-diff.js';
import type { GroupCounts, RttReport, SnapshotDataFacts } from './report/report.types.js';

export interface NewSnapshot {
  month: string;
  censusDate: string;
  dataCutoff: string;
  createdBy: string;
  trigger: 'schedule' | 'manual' | 'cli';
  rulesVersion: string;
  settingsHash: string;
  data: SnapshotDataFacts;
  histograms: GroupCounts[];
  /** Builds the stored report once the version number and id are known. */
  report: (meta: { id: string; version: number; createdAt: string }) => RttReport;
  changes: (previous: SnapshotRecord | null, report: RttReport) => ReportDiff | null;
  /** Writes the audit record in the snapshot's transaction. */
  audit: (m: EntityManager, id: string, version: number) => Promise<void>;
}

export interface SnapshotSummary {
  id: string;
  month: string;
  version: number;
  censusDate: string;
  dataCutoff: string;
  createdAt: string;
  createdBy: string;
  trigger: string;
  rulesVersion: string;
  settingsHash: string;
  data: SnapshotDataFacts;
  changes: ReportDiff | null;
  previousId: string | null;
}

export interface SnapshotRecord extends SnapshotSummary {
  histograms: GroupCounts[];
  report: RttReport;
}

const ISO = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const SUMMARY_COLUMNS = `id, month, version, to_char(census_date, 'YYYY-MM-DD') as "censusDate", ${ISO('data_cutoff')} as "dataCutoff",
  ${ISO('created_at')} as "createdAt", created_by as "createdBy", trigger, rules_version as "rulesVersion",
  settings_hash as "settingsHash", data, changes, previous_id as "previousId"`;

/** Immutable report snapshots (a trigger refuses UPDATE and DELETE); new versions only. */
@Injectable()
export class RttSnapshotRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Inserts the next version for the month (versions are serialised per month). */
  async insert(s: NewSnapshot): Promise<SnapshotRecord> {
    return this.db.transaction(async (m) => {
      await m.query(`select pg_advisory_xact_lock(hashtext('rtt-snapshot:' || $1))`, [s.month]);
      const prev: SnapshotRecord[] = await m.query(
        `select ${SUMMARY_COLUMNS}, histograms, report from rtt_report_snapshot where month = $1 order by version desc limit 1`,
        [s.month],
      );
      const previous = prev[0] ?? null;
      const meta: Array<{ id: string; createdAt: string }> = await m.query(
        `select gen_random_uuid() as id, ${ISO('now()')} as "createdAt"`,
      );
      const version = (previous?.version ?? 0) + 1;
      const report = s.report({ id: meta[0].id, version, createdAt: meta[0].createdAt });
      const changes = s.changes(previous, report);
      await m.query(
        `insert into rtt_report_snapshot (id, month, version, census_date, data_cutoff, created_at, created_by, trigger, rules_version,
                                          settings_hash, data, histograms, report, changes, previous_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          meta[0].id,
          s.month,
          version,
          s.censusDate,
          s.dataCutoff,
          meta[0].createdAt,
          s.createdBy,
          s.trigger,
          s.rulesVersion,
          s.settingsHash,
          JSON.stringify(s.data),
          JSON.stringify(s.histograms),
          JSON.stringify(report),
          changes ? JSON.stringify(changes) : null,
          previous?.id ?? null,
        ],
      );
      await s.audit(m, meta[0].id, version);
      return {
        id: meta[0].id,
        month: s.month,
        version,
        censusDate: s.censusDate,
        dataCutoff: report.dataCutoff,
        createdAt: meta[0].createdAt,
        createdBy: s.createdBy,
        trigger: s.trigger,
        rulesVersion: s.rulesVersion,
        settingsHash: s.settingsHash,
        data: s.data,
        changes,
        previousId: previous?.id ?? null,
        histograms: s.histograms,
        report,
      };
    });
  }

  async latest(month: string): Promise<SnapshotRecord | null> {
    const rows: SnapshotRecord[] = await this.db.query(
      `select ${SUMMARY_COLUMNS}, histograms, report from rtt_report_snapshot where month = $1 order by version desc limit 1`,
      [month],
    );
    return rows[0] ?? null;
  }

  async byVersion(month: string, version: number): Promise<SnapshotRecord | null> {
    const rows: SnapshotRecord[] = await this.db.query(
      `select ${SUMMARY_COLUMNS}, histograms, report from rtt_report_snapshot where month = $1 and version = $2`,
      [month, version],
    );
    return rows[0] ?? null;
  }

  async list(month?: string): Promise<SnapshotSummary[]> {
    return this.db.query(
      `select ${SUMMARY_COLUMNS} from rtt_report_snapshot ${month ? 'where month = $1' : ''} order by month desc, version desc limit 500`,
      month ? [month] : [],
    );
  }
}
