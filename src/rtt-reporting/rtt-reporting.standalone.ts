import { Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { DomainEventsModule } from '../common/events/domain-events.js';
import type { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { RttReportingModule } from './rtt-reporting.module.js';

/**
 * RTT reporting without the HTTP server, sign-in provider, demo seeding or scheduler: for the
 * report CLI and the benchmark (NestFactory.createApplicationContext).
 */
@Module({})
export class RttStandaloneModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: RttStandaloneModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(databaseUrl),
        DomainEventsModule,
        AuditModule,
        CatalogueModule,
        RttReportingModule,
      ],
    };
  }
}
