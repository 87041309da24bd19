import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { AllowBreakGlass, CurrentUser, Roles } from '../auth/auth.decorators.js';
import { ChildIdParams } from '../children/dto/child-id.params.js';
import { CheckInsService } from './check-ins/check-ins.service.js';
import { CheckInBody, CheckInResponse } from './check-ins/dto/check-in.dto.js';
import { OverrideResponse, SetOverrideBody } from './overrides/dto/override.dto.js';
import { OverridesService } from './overrides/overrides.service.js';
import { ChildPriorityResponse } from './priority/dto/child-priority.response.dto.js';
import { PriorityService } from './priority/priority.service.js';

/** One child's priority: the explained score, clinician overrides and family check-ins. */
@ApiTags('prioritisation')
@ApiBearerAuth()
@Controller('api/children/:id')
export class ChildPriorityController {
  constructor(
    private readonly priority: PriorityService,
    private readonly overrides: OverridesService,
    private readonly checkIns: CheckInsService,
  ) {}

  /**
   * A clinician may send X-Break-Glass-Reason to read the priority of a child outside their
   * services (audited, alerts auditors). Not a commissioner: their break-glass is for the record's
   * identity, and the explanation adds only clinicians' override reasons. Overrides and check-ins
   * change the child's care and never take break-glass.
   */
  @Get('priority')
  @Roles('clinician', 'commissioner')
  @AllowBreakGlass('clinician')
  get(
    @Param() params: ChildIdParams,
    @CurrentUser() user: AuthUser,
  ): Promise<ChildPriorityResponse> {
    return this.priority.explainChild(params.id, user);
  }

  @Put('priority/override')
  @Roles('clinician')
  setOverride(
    @Param() params: ChildIdParams,
    @Body() body: SetOverrideBody,
    @CurrentUser() user: AuthUser,
  ): Promise<OverrideResponse> {
    return this.overrides.set(params.id, body, user);
  }

  @Delete('priority/override')
  @Roles('clinician')
  @HttpCode(204)
  withdrawOverride(@Param() params: ChildIdParams, @CurrentUser() user: AuthUser): Promise<void> {
    return this.overrides.withdraw(params.id, user);
  }

  @Post('check-ins')
  @Roles('family', 'clinician')
  checkIn(
    @Param() params: ChildIdParams,
    @Body() body: CheckInBody,
    @CurrentUser() user: AuthUser,
  ): Promise<CheckInResponse> {
    return this.checkIns.record(params.id, body, user);
  }
}
