import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { CatalogueService } from '../catalogue/catalogue.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { isIsoDate, londonDate, monthEnd } from '../common/time/calendar-date.js';
import { buildRttReport } from './report/build-report.js';
import type {
  GroupCounts,
  ProviderInfo,
  ReportScope,
  RttReport,
  ServiceInfo,
  SnapshotInfo,
} from './report/report.types.js';
import { RttCensusRepository } from './rtt-census.repository.js';
import { RttClockCacheService } from './rtt-clock-cache.service.js';
import { RttReportingError } from './rtt-reporting.errors.js';
import {
  RTT_RULES_VERSION,
  CHS_LINE_BY_TREATMENT_FUNCTION,
  type RttReportingSettings,
} from './rtt-reporting.settings.js';
import { RTT_REPORTING_SETTINGS } from './rtt-reporting.tokens.js';
import { RttSnapshotRepository, type SnapshotRecord } from './rtt-snapshot.repository.js';

export interface ReportRequest {
  month: string;
  service?: string;
  provider?: string;
  census?: string;
  dataCutoff?: string;
  version?: number;
  live?: boolean;
}

export interface ResolvedScope {
  scope: ReportScope;
  services: ServiceInfo[];
  providers: ProviderInfo[];
}

/**
 * Produces RTT reports: from the month's published snapshot when there is one (unless a live view,
 * another census date or another data cut-off is asked for), otherwise live from the clock cache
 * as at the data cut-off. Commissioners see only the providers their ICB commissions.
 */
@Injectable()
export class RttReportService {
  constructor(
    private readonly catalogue: CatalogueService,
    private readonly census: RttCensusRepository,
    private readonly cache: RttClockCacheService,
    private readonly snapshots: RttSnapshotRepository,
    @Inject(RTT_REPORTING_SETTINGS) private readonly settings: RttReportingSettings,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks the month: a real YYYY-MM, not after the current London month. */
  validateMonth(month: string, today = londonDate()): void {
    const m = /^(\d{4})-(\d{2})$/.exec(month);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[1]) < 1900) {
      throw RttReportingError.invalidMonth(month);
    }
    if (month > today.slice(0, 7)) throw RttReportingError.futureMonth(month, today.slice(0, 7));
  }

  serviceInfos(): ServiceInfo[] {
    return this.catalogue.services().map((s) => ({
      code: s.code,
      name: s.name,
      measurementRegime: s.measurementRegime,
      targetWeeks: s.targetWeeks,
      treatmentFunction: s.treatmentFunction ?? null,
      nullifyFirstAppointmentDna:
        this.settings.regimes[s.measurementRegime].nullifyFirstAppointmentDna,
      chsServiceLine:
        s.code in this.settings.chsServiceLines
          ? this.settings.chsServiceLines[s.code]
          : s.treatmentFunction
            ? (CHS_LINE_BY_TREATMENT_FUNCTION[s.treatmentFunction] ?? null)
            : null,
    }));
  }

  providerInfos(): ProviderInfo[] {
    const icbs = new Map(this.config.catalogue.commissioners.map((c) => [c.code, c.name]));
    return this.catalogue.providers().map((p) => ({
      code: p.code,
      name: p.name,
      commissionerCode: p.commissioner,
      commissionerName: icbs.get(p.commissioner) ?? p.commissioner,
    }));
  }

  /** The services and providers a request covers, after checking codes and the caller's ICB. */
  resolveScope(req: { service?: string; provider?: string }, user: AuthUser | null): ResolvedScope {
    let services = this.serviceInfos();
    let providers = this.providerInfos();
    if (req.service) {
      if (!services.some((s) => s.code === req.service)) {
        throw RttReportingError.unknownService(
          req.service,
          services.map((s) => s.code),
        );
      }
      services = services.filter((s) => s.code === req.service);
    }
    if (req.provider && !providers.some((p) => p.code === req.provider)) {
      throw RttReportingError.unknownProvider(
        req.provider,
        providers.map((p) => p.code),
      );
    }
    const icb = user?.role === 'commissioner' ? (user.commissionerCode ?? null) : null;
    if (icb) {
      if (
        req.provider &&
        providers.find((p) => p.code === req.provider)?.commissionerCode !== icb
      ) {
        throw RttReportingError.providerNotCommissioned(req.provider);
      }
      providers = providers.filter((p) => p.commissionerCode === icb);
    }
    if (req.provider) providers = providers.filter((p) => p.code === req.provider);
    return {
      scope: { service: req.service ?? null, provider: req.provider ?? null, commissioner: icb },
      services,
      providers,
    };
  }

  async report(
    req: ReportRequest,
    user: AuthUser | null,
    today = londonDate(),
  ): Promise<RttReport> {
    this.validateMonth(req.month, today);
    const resolved = this.resolveScope(req, user);
    const live = req.live === true || req.census !== undefined || req.dataCutoff !== undefined;
    if (!live) {
      const snap = req.version
        ? await this.snapshots.byVersion(req.month, req.version)
        : await this.snapshots.latest(req.month);
      if (snap) return this.fromSnapshot(snap, resolved);
      if (req.version) throw RttReportingError.snapshotNotFound(req.month, req.version);
    }
    return this.live(req, resolved, today);
  }

  /** A live report: the clock cache brought up to date, then the census as at the data cut-off. */
  async live(
    req: ReportRequest,
    resolved: ResolvedScope,
    today = londonDate(),
  ): Promise<RttReport> {
    const latest = monthEnd(req.month) < today ? monthEnd(req.month) : today;
    const censusDate = req.census ?? latest;
    if (!isIsoDate(censusDate) || censusDate.slice(0, 7) !== req.month || censusDate > latest) {
      throw RttReportingError.censusOutsideMonth(censusDate, req.month, latest);
    }
    await this.cache.refresh();
    const now = await this.census.now();
    const dataCutoff = req.dataCutoff ? await this.census.normaliseInstant(req.dataCutoff) : now;
    if (dataCutoff > now) throw RttReportingError.futureCutoff();
    const groups = await this.censusFor(resolved, censusDate, `${req.month}-01`, dataCutoff);
    return this.build(
      req.month,
      censusDate,
      dataCutoff,
      groups,
      resolved,
      { kind: 'live', snapshot: null },
      monthEnd(req.month) >= today,
    );
  }

  async censusFor(
    resolved: ResolvedScope,
    censusDate: string,
    monthStart: string,
    dataCutoff: string,
  ): Promise<GroupCounts[]> {
    return this.census.census({
      census: censusDate,
      monthStart,
      dataCutoff,
      services: resolved.services.map((s) => s.code),
      providers: resolved.providers.map((p) => p.code),
    });
  }

  build(
    month: string,
    censusDate: string,
    dataCutoff: string,
    groups: GroupCounts[],
    resolved: ResolvedScope,
    source: { kind: 'snapshot' | 'live'; snapshot: SnapshotInfo | null },
    provisional: boolean,
    generatedAt = new Date().toISOString(),
  ): RttReport {
    return buildRttReport({
      month,
      monthStart: `${month}-01`,
      censusDate,
      dataCutoff,
      generatedAt,
      provisional,
      scope: resolved.scope,
      source,
      clockRulesVersion: RTT_RULES_VERSION,
      groups,
      services: resolved.services,
      providers: resolved.providers,
    });
  }

  /** A published snapshot, narrowed to the requested scope from its stored histograms. */
  private fromSnapshot(snap: SnapshotRecord, resolved: ResolvedScope): RttReport {
    const full =
      !resolved.scope.service && !resolved.scope.provider && !resolved.scope.commissioner;
    if (full) return snap.report;
    const services = new Set(resolved.services.map((s) => s.code));
    const providers = new Set(resolved.providers.map((p) => p.code));
    const groups = snap.histograms.filter(
      (g) => services.has(g.service) && providers.has(g.provider),
    );
    const stored = snap.report;
    return {
      ...this.build(
        stored.month,
        stored.censusDate,
        stored.dataCutoff,
        groups,
        resolved,
        stored.source,
        stored.provisional,
        stored.generatedAt,
      ),
      method: {
        ...stored.method,
        services: stored.method.services.filter((s) => services.has(s.code)),
      },
    };
  }
}
