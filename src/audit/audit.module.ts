import { Global, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { APP_DATABASE_ROLE, AppDatabaseRoleRepository } from './app-database-role.repository.js';
import { AuditController } from './audit.controller.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';

@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditRepository, AuditService, AppDatabaseRoleRepository],
  exports: [AuditService],
})
export class AuditModule implements OnModuleInit {
  private readonly logger = new Logger(AuditModule.name);

  constructor(private readonly role: AppDatabaseRoleRepository) {}

  /** Migrations have run by now: from here on the application holds only waitwell_app's privileges. */
  async onModuleInit(): Promise<void> {
    if (!(await this.role.canUseAppRole())) {
      throw new Error(
        `the database user cannot SET ROLE ${APP_DATABASE_ROLE}, so audit rows would not be protected: run "GRANT ${APP_DATABASE_ROLE} TO <the DATABASE_URL user>" as the database owner`,
      );
    }
    this.role.switchPoolToAppRole((error) =>
      this.logger.error(
        { errorType: error.name },
        `SET ROLE ${APP_DATABASE_ROLE} failed on a connection`,
      ),
    );
    const role = await this.role.currentRole();
    if (role !== APP_DATABASE_ROLE) {
      throw new Error(`expected to run as ${APP_DATABASE_ROLE} but the database says ${role}`);
    }
    this.logger.log({ role }, 'database role set: audit rows are append-only for this application');
  }
}
