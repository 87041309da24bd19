import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../auth/auth-user.js';
import { CurrentUser, Roles } from '../../auth/auth.decorators.js';
import { EquityReport } from './dto/equity.response.dto.js';
import { EquityService } from './equity.service.js';

@ApiTags('prioritisation')
@ApiBearerAuth()
@Controller('api/prioritisation/equity')
export class EquityController {
  constructor(private readonly equity: EquityService) {}

  /** How the live tool's bands fall by deprivation, age and locality (aggregates only). */
  @Get()
  @Roles('commissioner', 'admin')
  @ApiOkResponse({ type: EquityReport })
  report(@CurrentUser() user: AuthUser): Promise<EquityReport> {
    return this.equity.report(user);
  }
}
