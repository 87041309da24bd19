import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../auth/auth-user.js';
import { CurrentUser, Roles } from '../../auth/auth.decorators.js';
import { RankedQuery } from './dto/ranked.query.js';
import { RankedPage, type RankedPageJson } from './dto/ranked.response.dto.js';
import { RankedService } from './ranked.service.js';

@ApiTags('prioritisation')
@ApiBearerAuth()
@Controller('api/ranked')
export class RankedController {
  constructor(private readonly ranked: RankedService) {}

  /** Risk-ranked list: band, then score, then waiting time; keyset pages. */
  @Get()
  @Roles('clinician', 'commissioner')
  @ApiOkResponse({ type: RankedPage })
  // The service returns the page already serialised (a RankedPage as JSON text).
  @Header('Content-Type', 'application/json; charset=utf-8')
  list(@Query() query: RankedQuery, @CurrentUser() user: AuthUser): Promise<RankedPageJson> {
    return this.ranked.list(query, user);
  }
}
