import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { addDays, londonDate } from '../common/time/calendar-date.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { RTT_REPORTING_SETTINGS } from './rtt-reporting.tokens.js';
import type { RttReportingSettings } from './rtt-reporting.settings.js';
import { RttSnapshotService } from './rtt-snapshot.service.js';

export type SnapshotJobOutcome =
  | { outcome: 'created'; month: string; version: number }
  | { outcome: 'skipped'; month: string; reason: string };

/**
 * After each month ends, publishes that month's RTT snapshot (once; later versions are made by
 * an admin regenerating it). Runs daily at 02:30 London time from the configured day of the month,
 * so a missed run is caught up the next day. Only when the scheduler is enabled (off in tests).
 */
@Injectable()
export class RttSnapshotJob {
  private readonly logger = new Logger(RttSnapshotJob.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RTT_REPORTING_SETTINGS) private readonly settings: RttReportingSettings,
    private readonly snapshots: RttSnapshotService,
  ) {}

  @Cron('30 2 * * *', { name: 'rtt-monthly-snapshot', timeZone: 'Europe/London' })
  async onSchedule(): Promise<void> {
    if (!this.config.schedulerEnabled) return;
    try {
      const result = await this.run(londonDate());
      this.logger.log(result, 'RTT snapshot job');
    } catch (error) {
      this.logger.error(
        { errorType: (error as Error).name, code: (error as { code?: string }).code },
        'RTT snapshot job failed',
      );
    }
  }

  /** Snapshots the month before `today` if it has no snapshot yet. */
  async run(today: string): Promise<SnapshotJobOutcome> {
    const month = addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7);
    if (Number(today.slice(8, 10)) < this.settings.snapshotDayOfMonth) {
      return {
        outcome: 'skipped',
        month,
        reason: `waiting until day ${this.settings.snapshotDayOfMonth} of the month`,
      };
    }
    if (await this.snapshots.exists(month)) {
      return { outcome: 'skipped', month, reason: 'already published' };
    }
    const s = await this.snapshots.create(
      month,
      { subject: 'system:rtt-snapshot-job', role: 'system' },
      'schedule',
      today,
    );
    return { outcome: 'created', month, version: s.version };
  }
}
