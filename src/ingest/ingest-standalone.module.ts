import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AuditModule } from '../audit/audit.module.js';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { DomainEventsModule } from '../common/events/domain-events.js';
import { LoggerModule } from '../common/logging/logger.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { IngestModule } from './ingest.module.js';

/**
 * Just what a pull needs, without HTTP, sign-in or the other features: used by the import CLI and
 * the ingest benchmark. Migrations run at start-up as in the service.
 */
@Module({})
export class IngestStandaloneModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: IngestStandaloneModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(config),
        DatabaseModule.forRoot(databaseUrl),
        ScheduleModule.forRoot(),
        DomainEventsModule,
        AuditModule,
        CatalogueModule,
        IngestModule,
      ],
    };
  }
}
