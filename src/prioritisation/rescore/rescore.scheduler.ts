import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import type { Subscription } from 'rxjs';
import { DomainEvents } from '../../common/events/domain-events.js';
import { londonDate } from '../../common/time/calendar-date.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { OverridesService } from '../overrides/overrides.service.js';
import { PrioritisationErrorCode } from '../prioritisation.errors.js';
import { RescoreRepository } from './rescore.repository.js';
import { RescoreService } from './rescore.service.js';

/**
 * When to rescore (prioritisation.md): after each import run and each triage decision (incrementally,
 * for the children they changed), nightly in full (waits grow; overrides reach their review date), and
 * once at start-up if today's full rescore has not run or a run since did not finish. Check-ins,
 * overrides and activation rescore directly in their own services. The score tables are UNLOGGED
 * (PostgreSQL empties them after a crash), so every minute, and at start-up, children waiting without
 * any score get a full rescore.
 */
@Injectable()
export class RescoreScheduler implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RescoreScheduler.name);
  private readonly subscriptions: Subscription[] = [];
  private startup?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: DomainEvents,
    private readonly rescore: RescoreService,
    private readonly repository: RescoreRepository,
    private readonly overrides: OverridesService,
  ) {}

  onModuleInit(): void {
    this.subscriptions.push(
      this.events
        .on('import.completed')
        .subscribe(
          (e) =>
            void this.safely(
              () => this.rescore.rescoreChildren(e.childIds, `import run ${e.runId}`),
              'import',
            ),
        ),
      this.events.on('children.changed').subscribe((e) => {
        // Check-ins and overrides were rescored synchronously where they were recorded.
        if (e.reason === 'check-in' || e.reason === 'override') return;
        void this.safely(
          () => this.rescore.rescoreChildren(e.childIds, `children changed (${e.reason})`),
          'children.changed',
        );
      }),
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled) return;
    // Give demo seeding a moment, then make sure today's scores exist.
    this.startup = setTimeout(() => void this.safely(() => this.catchUp(), 'start-up'), 5_000);
    this.startup.unref();
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    if (this.startup) clearTimeout(this.startup);
  }

  @Cron('0 30 1 * * *', { name: 'prioritisation-nightly', timeZone: 'Europe/London' })
  async scheduledNightly(): Promise<void> {
    if (!this.config.schedulerEnabled) return;
    await this.safely(() => this.nightly(), 'nightly');
  }

  @Cron('15 * * * * *', { name: 'prioritisation-scores-present' })
  async scheduledScoresCheck(): Promise<void> {
    if (!this.config.schedulerEnabled) return;
    await this.safely(() => this.restoreLostScores(), 'scores-check');
  }

  /**
   * A full rescore when children wait and the scores were lost (the score tables are emptied by a
   * PostgreSQL crash), even if an incremental rescore has scored a few children since. Returns
   * whether it rescored.
   */
  async restoreLostScores(today = londonDate()): Promise<boolean> {
    if (!(await this.repository.scoresLost())) return false;
    this.logger.warn('children are waiting without scores (database crash?): full rescore');
    await this.rescore.rescoreAll('scores lost', today);
    return true;
  }

  /** Ends overrides due today (notifying their clinicians), then rescores everyone. */
  async nightly(today = londonDate(), reason = 'nightly'): Promise<void> {
    await this.overrides.expireDue(today);
    await this.rescore.rescoreAll(reason, today);
  }

  /**
   * At start-up: the nightly work, unless today's full rescore completed and no run since has failed
   * or been cut off (by a shutdown or a crash); otherwise only lost scores are restored.
   */
  async catchUp(today = londonDate()): Promise<void> {
    if (await this.repository.scoresCurrent(today)) {
      await this.restoreLostScores(today);
      return;
    }
    await this.nightly(today, 'start-up catch-up');
  }

  private async safely(job: () => Promise<unknown>, what: string): Promise<void> {
    try {
      await job();
    } catch (error) {
      // Stopped by a shutdown: the rescore service has said so, and start-up catches up.
      if ((error as { code?: string }).code === PrioritisationErrorCode.ServiceStopping) return;
      // Type only: an error message could carry data.
      this.logger.error(
        { job: what, errorType: error instanceof Error ? error.name : typeof error },
        'rescore job failed',
      );
    }
  }
}
