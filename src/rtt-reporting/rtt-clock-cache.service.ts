import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { CatalogueService } from '../catalogue/catalogue.service.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { buildClockVersions, type RecordedClockEvent } from './clock/clock-versions.js';
import type { ClockRules } from './clock/rtt-clock.js';
import {
  RttClockCacheRepository,
  type ClockPeriodRow,
  type PathwayEventRow,
} from './rtt-clock-cache.repository.js';
import { RTT_REPORTING_SETTINGS } from './rtt-reporting.tokens.js';
import type { RttReportingSettings } from './rtt-reporting.settings.js';

const BATCH = 10_000;

/**
 * Keeps the clock cache (rtt_clock_period) equal to what the pure clock engine computes from
 * clock_event. Pathways are queued by database triggers when their events change; `refresh()`
 * recomputes just those, with every recorded-at version, so reports for any data cut-off are a
 * single aggregation. A change of clock settings or of a service's regime recomputes everything.
 */
@Injectable()
export class RttClockCacheService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RttClockCacheService.name);
  private subscription?: Subscription;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repository: RttClockCacheRepository,
    private readonly catalogue: CatalogueService,
    private readonly events: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RTT_REPORTING_SETTINGS) private readonly settings: RttReportingSettings,
  ) {}

  /** With the scheduler on, recompute changed clocks in the background after each import. */
  onModuleInit(): void {
    if (!this.config.schedulerEnabled) return;
    this.subscription = this.events.on('import.completed').subscribe(() => {
      this.running = this.refresh().catch((error: unknown) => {
        this.logger.error(
          { errorType: (error as Error).name, code: (error as { code?: string }).code },
          'RTT clock cache refresh failed',
        );
      });
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.running;
  }

  private rulesByService(): Map<string, ClockRules> {
    return new Map(
      this.catalogue.services().map((s) => [s.code, this.settings.regimes[s.measurementRegime]]),
    );
  }

  /** The clock settings in force, including each service's regime; a change rebuilds the cache. */
  settingsHash(): string {
    const regimes = this.catalogue
      .services()
      .map((s) => `${s.code}:${s.measurementRegime}`)
      .sort()
      .join(',');
    return `${this.settings.clockSettingsHash}|${regimes}`;
  }

  /** Brings the cache up to date; returns how many pathways were recomputed. */
  async refresh(): Promise<{ pathways: number; ms: number }> {
    const t0 = Date.now();
    const hash = this.settingsHash();
    if ((await this.repository.settingsHash()) !== hash) {
      await this.repository.resetForSettings(hash);
    }
    const rules = this.rulesByService();
    let pathways = 0;
    for (;;) {
      const n = await this.repository.withDirtyBatch(BATCH, async (m, ids) => {
        const paths = await this.repository.pathways(m, ids);
        const events = await this.repository.events(m, ids);
        await this.repository.replacePeriods(m, ids, periodRows(paths, events, rules));
      });
      pathways += n;
      if (n === 0) break;
    }
    const ms = Date.now() - t0;
    if (pathways > 0) this.logger.log({ pathways, ms }, 'RTT clock cache refreshed');
    return { pathways, ms };
  }
}

/** Runs the engine for each pathway and flattens its versions into period rows. */
export function periodRows(
  paths: Array<{ id: string; serviceCode: string; providerCode: string }>,
  events: PathwayEventRow[],
  rules: Map<string, ClockRules>,
): ClockPeriodRow[] {
  const byPathway = new Map<string, RecordedClockEvent[]>();
  for (const e of events) {
    let list = byPathway.get(e.referralId);
    if (!list) byPathway.set(e.referralId, (list = []));
    list.push({
      type: e.type,
      date: e.date,
      seq: e.seq,
      admitted: e.admitted,
      ...(e.retracts === undefined ? {} : { retracts: e.retracts }),
      recordedKey: e.recordedKey,
    });
  }
  const out: ClockPeriodRow[] = [];
  for (const p of paths) {
    const list = byPathway.get(p.id);
    if (!list) continue;
    const r = rules.get(p.serviceCode) ?? { nullifyFirstAppointmentDna: true };
    for (const v of buildClockVersions(list, r)) {
      v.timeline.periods.forEach((period, seq) => {
        out.push({
          referralId: p.id,
          serviceCode: p.serviceCode,
          providerCode: p.providerCode,
          knownFromUs: String(BigInt(v.knownFrom)),
          knownToUs: v.knownTo === null ? null : String(BigInt(v.knownTo)),
          seq,
          openedOn: period.openedOn,
          clockStart: period.clockStart,
          startRule: period.startRule,
          endedOn: period.endedOn,
          endKind: period.end,
          stopRule: period.stopRule,
          admitted: period.admitted,
        });
      });
    }
  }
  return out;
}
