import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { londonDate, monthEnd } from '../common/time/calendar-date.js';
import { diffReports } from './report/report-diff.js';
import { RttCensusRepository } from './rtt-census.repository.js';
import { RttClockCacheService } from './rtt-clock-cache.service.js';
import { RttReportService } from './rtt-report.service.js';
import { RttReportingError } from './rtt-reporting.errors.js';
import { RTT_RULES_VERSION } from './rtt-reporting.settings.js';
import {
  RttSnapshotRepository,
  type SnapshotRecord,
  type SnapshotSummary,
} from './rtt-snapshot.repository.js';

export interface SnapshotActor {
  subject: string;
  role: string;
}

/**
 * Published monthly snapshots. A snapshot is the full report for a finished month, made from the
 * clock events recorded up to its data cut-off; it is never changed. Regenerating adds a new
 * version that records what changed since the previous one.
 */
@Injectable()
export class RttSnapshotService {
  constructor(
    private readonly reports: RttReportService,
    private readonly cache: RttClockCacheService,
    private readonly census: RttCensusRepository,
    private readonly snapshots: RttSnapshotRepository,
    private readonly audit: AuditService,
  ) {}

  async create(
    month: string,
    actor: SnapshotActor,
    trigger: 'schedule' | 'manual' | 'cli',
    today = londonDate(),
  ): Promise<SnapshotRecord> {
    this.reports.validateMonth(month, today);
    const censusDate = monthEnd(month);
    if (censusDate >= today) throw RttReportingError.monthNotFinished(month);
    await this.cache.refresh();
    const dataCutoff = await this.census.now();
    const resolved = this.reports.resolveScope({}, null);
    const groups = await this.reports.censusFor(resolved, censusDate, `${month}-01`, dataCutoff);
    const data = await this.census.dataFacts(dataCutoff);
    const record = await this.snapshots.insert({
      month,
      censusDate,
      dataCutoff,
      createdBy: actor.subject,
      trigger,
      rulesVersion: RTT_RULES_VERSION,
      settingsHash: this.cache.settingsHash(),
      data,
      histograms: groups,
      report: (meta) =>
        this.reports.build(
          month,
          censusDate,
          dataCutoff,
          groups,
          resolved,
          {
            kind: 'snapshot',
            snapshot: {
              id: meta.id,
              version: meta.version,
              createdAt: meta.createdAt,
              createdBy: actor.subject,
              trigger,
              dataCutoff,
              rulesVersion: RTT_RULES_VERSION,
              data,
            },
          },
          false,
          meta.createdAt,
        ),
      changes: (previous, report) =>
        previous ? diffReports(previous.report, report, previous.data, data) : null,
      audit: (m, id, version) =>
        this.audit.record(
          {
            action: 'create',
            resource: 'rtt-report-snapshot',
            purpose: 'commissioning',
            detail: { month, version, snapshotId: id, trigger },
            actor,
          },
          m,
        ),
    });
    return record;
  }

  async list(month?: string): Promise<SnapshotSummary[]> {
    if (month) this.reports.validateMonth(month);
    return this.snapshots.list(month);
  }

  async exists(month: string): Promise<boolean> {
    return (await this.snapshots.latest(month)) !== null;
  }
}
