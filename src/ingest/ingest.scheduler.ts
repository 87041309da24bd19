import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { IngestErrorCode } from './ingest.errors.js';
import { IngestService } from './ingest.service.js';
import { SourcesService } from './sources/sources.service.js';

const SYSTEM = { subject: 'scheduler', role: 'system' };

/**
 * Pulls each source on its cron (Europe/London). Several instances may share one database: the
 * source's advisory lock lets exactly one of them pull, the others skip that tick.
 */
@Injectable()
export class IngestScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(IngestScheduler.name);
  private readonly names: string[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sources: SourcesService,
    private readonly ingest: IngestService,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled) return;
    for (const source of this.sources.all()) {
      if (!source.schedule) continue;
      const name = `ingest:${source.id}`;
      const job = CronJob.from({
        cronTime: source.schedule,
        timeZone: 'Europe/London',
        start: false,
        onTick: () => void this.tick(source.id),
      });
      this.registry.addCronJob(name, job);
      job.start();
      this.names.push(name);
    }
    if (this.names.length) {
      this.logger.log({ sources: this.names.length }, 'scheduled pulls registered');
    }
  }

  // Stop pulls before the database goes away. The schedule module may already have cleared its
  // registry during shutdown, so only jobs still registered are stopped.
  onModuleDestroy(): void {
    for (const name of this.names) {
      if (!this.registry.doesExist('cron', name)) continue;
      void this.registry.getCronJob(name).stop();
      this.registry.deleteCronJob(name);
    }
    this.names.length = 0;
  }

  private async tick(sourceId: string): Promise<void> {
    try {
      await this.ingest.pull(sourceId, { trigger: 'schedule', actor: SYSTEM });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === IngestErrorCode.PullInProgress) {
        this.logger.debug({ sourceId }, 'scheduled pull skipped: already running');
      } else if (code === IngestErrorCode.Stopping) {
        this.logger.debug({ sourceId }, 'scheduled pull skipped: the service is stopping');
      } else {
        this.logger.error(
          { sourceId, errorType: (error as Error).name, code },
          'scheduled pull could not start',
        );
      }
    }
  }
}
