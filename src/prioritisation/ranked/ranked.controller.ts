import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../auth/auth-user.js';
import { CurrentUser, Roles } from '../../auth/auth.decorators.js';
import { RankedQuery } from './dto/ranked.query.js';
import { RankedPage } from './dto/ranked.response.dto.js';
import { RankedService } from './ranked.service.js';

@ApiTags('prioritisation')
@ApiBearerAuth()
@Controller('api/ranked')
export class RankedController {
  constructor(private readonly ranked: RankedService) {}

  /** Risk-ranked list: band, then score, then waiting time; keyset pages. */
  @Get()
  @Roles('clinician', 'commissioner')
  list(@Query() query: RankedQuery, @CurrentUser() user: AuthUser): Promise<RankedPage> {
    return this.ranked.list(query, user);
  }
}
