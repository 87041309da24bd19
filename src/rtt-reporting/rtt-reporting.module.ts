import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { RttCensusRepository } from './rtt-census.repository.js';
import { RttClockCacheRepository } from './rtt-clock-cache.repository.js';
import { RttClockCacheService } from './rtt-clock-cache.service.js';
import { RttExportService } from './rtt-export.service.js';
import { RttReportService } from './rtt-report.service.js';
import { RttReportingController } from './rtt-reporting.controller.js';
import { RTT_REPORTING_SETTINGS } from './rtt-reporting.tokens.js';
import { RttSnapshotJob } from './rtt-snapshot.job.js';
import { RttSnapshotRepository } from './rtt-snapshot.repository.js';
import { RttSnapshotService } from './rtt-snapshot.service.js';

/** 18-week RTT reporting: clock engine over clock events, as-at census, reports, snapshots, exports. */
@Module({
  controllers: [RttReportingController],
  providers: [
    {
      provide: RTT_REPORTING_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => c.rttReporting,
    },
    RttClockCacheRepository,
    RttCensusRepository,
    RttSnapshotRepository,
    RttClockCacheService,
    RttReportService,
    RttSnapshotService,
    RttExportService,
    RttSnapshotJob,
  ],
  exports: [RttReportService, RttSnapshotService, RttExportService, RttClockCacheService],
})
export class RttReportingModule {}
