import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { AllowBreakGlass, CurrentUser, Roles } from '../auth/auth.decorators.js';
import { ChildrenService } from './children.service.js';
import { ChildIdParams } from './dto/child-id.params.js';
import { ChildResponse } from './dto/child.response.dto.js';
import { FamilyLinkResponse } from './dto/family-link.response.dto.js';

@ApiTags('children')
@ApiBearerAuth()
@Controller('api/children')
export class ChildrenController {
  constructor(private readonly children: ChildrenService) {}

  /**
   * Clinicians (for a child outside their services, or every service's detail) and commissioners
   * (for identity) may send X-Break-Glass-Reason: audited, alerts auditors.
   */
  @Get(':id')
  @Roles('clinician', 'commissioner', 'family')
  @AllowBreakGlass('clinician', 'commissioner')
  getChild(@Param() params: ChildIdParams, @CurrentUser() user: AuthUser): Promise<ChildResponse> {
    return this.children.getChild(params.id, user);
  }

  /** A signed, expiring link for this child's family (to send in a message). */
  @Post(':id/family-link')
  @HttpCode(201)
  @Roles('clinician')
  issueFamilyLink(
    @Param() params: ChildIdParams,
    @CurrentUser() user: AuthUser,
  ): Promise<FamilyLinkResponse> {
    return this.children.issueFamilyLink(params.id, user);
  }
}
