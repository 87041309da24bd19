import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { londonDate } from '../common/time/calendar-date.js';
import type { RttReport } from './report/report.types.js';
import { renderWeekBandChart } from './report/rtt-chart-svg.js';
import { toChsSitrepCsv, toRttCsv } from './report/rtt-csv.js';
import { RttReportService, type ReportRequest } from './rtt-report.service.js';

export interface ExportFile {
  filename: string;
  contentType: string;
  body: string;
}

/** CSV and SVG exports of the RTT report; every export is audited (aggregate data only). */
@Injectable()
export class RttExportService {
  constructor(
    private readonly reports: RttReportService,
    private readonly audit: AuditService,
  ) {}

  async report(req: ReportRequest, user: AuthUser, today = londonDate()): Promise<RttReport> {
    const report = await this.reports.report(req, user, today);
    await this.audit.record({
      action: 'read',
      resource: 'rtt-report',
      purpose: 'commissioning',
      detail: this.detail(report),
    });
    return report;
  }

  async csv(
    req: ReportRequest & { layout?: 'rtt' | 'chs-sitrep' },
    user: AuthUser | null,
    today = londonDate(),
  ): Promise<ExportFile> {
    const report = await this.reports.report(req, user, today);
    const layout = req.layout ?? 'rtt';
    const body = layout === 'rtt' ? toRttCsv(report) : toChsSitrepCsv(report);
    await this.audit.record({
      action: 'export',
      resource: `rtt-report-csv`,
      purpose: 'commissioning',
      detail: { ...this.detail(report), layout },
    });
    return {
      filename: `${layout === 'rtt' ? 'rtt' : 'chs-sitrep'}-${report.month}${this.suffix(report)}.csv`,
      contentType: 'text/csv; charset=utf-8',
      body,
    };
  }

  async chart(
    req: ReportRequest,
    user: AuthUser | null,
    today = londonDate(),
  ): Promise<ExportFile> {
    const report = await this.reports.report(req, user, today);
    const level =
      report.scope.service && report.scope.provider
        ? 'service-provider'
        : report.scope.service
          ? 'service'
          : report.scope.provider
            ? 'provider'
            : 'total';
    // A scope with no pathways has no service-provider row; its "total" row is the same scope (all zero).
    const row =
      report.rows.find((r) => r.level === level) ?? report.rows.find((r) => r.level === 'total')!;
    const what =
      [row.service?.name ?? report.scope.service, row.provider?.name ?? report.scope.provider]
        .filter(Boolean)
        .join(' at ') || 'All services';
    const body = renderWeekBandChart({
      title: `${what}: incomplete pathways by weeks waited`,
      subtitle: `Census ${report.censusDate} (${report.period})${report.provisional ? ', provisional' : ''}`,
      bands: row.incomplete.bands,
      targetWeeks: row.incomplete.withinTarget.targetWeeks,
      footnote: `Regime ${row.regime}. Data recorded up to ${report.dataCutoff}${report.source.snapshot ? `, snapshot version ${report.source.snapshot.version}` : ', live'}. Median ${row.incomplete.medianWeeks.banded.display} weeks, 92nd percentile ${row.incomplete.p92Weeks.banded.display} weeks (banded estimates).`,
    });
    await this.audit.record({
      action: 'export',
      resource: 'rtt-report-chart',
      purpose: 'commissioning',
      detail: this.detail(report),
    });
    return {
      filename: `rtt-${report.month}${this.suffix(report)}.svg`,
      contentType: 'image/svg+xml; charset=utf-8',
      body,
    };
  }

  private detail(r: RttReport): Record<string, unknown> {
    return {
      month: r.month,
      census: r.censusDate,
      scope: r.scope,
      source: r.source.kind,
      snapshotVersion: r.source.snapshot?.version ?? null,
    };
  }

  private suffix(r: RttReport): string {
    return [r.scope.service, r.scope.provider]
      .filter(Boolean)
      .map((x) => `-${x}`)
      .join('');
  }
}
