import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CatalogueModule } from './catalogue/catalogue.module.js';
import { ChildrenModule } from './children/children.module.js';
import { DomainEventsModule } from './common/events/domain-events.js';
import { LoggerModule } from './common/logging/logger.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DemoModule } from './demo/demo.module.js';
import { HealthModule } from './health/health.module.js';
import { IngestModule } from './ingest/ingest.module.js';
import { PrioritisationModule } from './prioritisation/prioritisation.module.js';
import { ReferralsModule } from './referrals/referrals.module.js';
import { RttReportingModule } from './rtt-reporting/rtt-reporting.module.js';

@Module({})
export class AppModule {
  /** `databaseUrl` is DATABASE_URL or the embedded server's URL (see main.ts). */
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(config),
        DatabaseModule.forRoot(databaseUrl),
        ScheduleModule.forRoot(),
        DomainEventsModule,
        AuditModule,
        AuthModule,
        CatalogueModule,
        HealthModule,
        ChildrenModule,
        ReferralsModule,
        IngestModule,
        DemoModule,
        RttReportingModule,
        PrioritisationModule,
      ],
    };
  }
}
