import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source-options.js';

/**
 * TypeORM on PostgreSQL. Migrations run at start-up (migrationsRun) so the schema is always the
 * one in migrations/; each feature registers its own entities (autoLoadEntities). The pool holds
 * WAITWELL_DB_POOL_SIZE connections.
 */
@Module({})
export class DatabaseModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => {
            const options = dataSourceOptions(url);
            return {
              ...options,
              extra: { ...options.extra, max: config.database.poolSize },
              migrationsRun: true,
              autoLoadEntities: true,
              retryAttempts: 3,
              retryDelay: 1000,
            };
          },
        }),
      ],
    };
  }
}
