import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Roles } from '../auth/auth.decorators.js';
import { ListReferralsQuery } from './dto/list-referrals.query.js';
import { ReferralPage } from './dto/referral.response.dto.js';
import { ReferralsService } from './referrals.service.js';

@ApiTags('referrals')
@ApiBearerAuth()
@Controller('api/referrals')
export class ReferralsController {
  constructor(private readonly referrals: ReferralsService) {}

  @Get()
  @Roles('clinician', 'commissioner')
  list(@Query() query: ListReferralsQuery, @CurrentUser() user: AuthUser): Promise<ReferralPage> {
    return this.referrals.list(query, user);
  }
}
