import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Roles } from '../auth/auth.decorators.js';
import { AuditService } from './audit.service.js';
import { AcknowledgeAlertRequest } from './dto/acknowledge-alert.request.dto.js';
import { AlertIdParams } from './dto/alert-id.params.js';
import { AcknowledgeAlertResponse, AuditAlertPage } from './dto/audit-alert.response.dto.js';
import { AuditEventPage } from './dto/audit-event.response.dto.js';
import { ListAlertsQuery } from './dto/list-alerts.query.js';
import { SearchAuditQuery } from './dto/search-audit.query.js';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit trail, newest first, filtered by time, who, role, action, resource, child or request. */
  @Get()
  @Roles('auditor')
  search(@Query() query: SearchAuditQuery): Promise<AuditEventPage> {
    return this.audit.search(query);
  }

  /** Break-glass alerts (open by default). */
  @Get('alerts')
  @Roles('auditor')
  alerts(@Query() query: ListAlertsQuery): Promise<AuditAlertPage> {
    return this.audit.alerts(query);
  }

  @Post('alerts/:id/acknowledge')
  @HttpCode(200)
  @Roles('auditor')
  acknowledge(
    @Param() params: AlertIdParams,
    @Body() body: AcknowledgeAlertRequest,
    @CurrentUser() user: AuthUser,
  ): Promise<AcknowledgeAlertResponse> {
    return this.audit.acknowledgeAlert(params.id, body, user);
  }
}
