import { Module } from '@nestjs/common';
import { LinkageModule } from '../linkage/linkage.module.js';
import { ImportRunRepository } from './import-run.repository.js';
import { ImportsController } from './imports.controller.js';
import { ImportsService } from './imports.service.js';
import { IngestScheduler } from './ingest.scheduler.js';
import { IngestService } from './ingest.service.js';
import { SourcesController } from './sources.controller.js';
import { SourcesService } from './sources/sources.service.js';
import { StagingRepository } from './staging.repository.js';

/**
 * Pulls referral lists from providers' systems (CSV files, CSV over HTTP(S), FHIR R4) on a schedule
 * or on demand, into the waiting list, with import runs, kept rejects and linkage of children.
 */
@Module({
  imports: [LinkageModule],
  controllers: [SourcesController, ImportsController],
  providers: [
    SourcesService,
    ImportRunRepository,
    StagingRepository,
    IngestService,
    ImportsService,
    IngestScheduler,
  ],
  exports: [IngestService, SourcesService],
})
export class IngestModule {}
