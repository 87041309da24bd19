import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Roles } from '../auth/auth.decorators.js';
import { DataQualityPage, DataQualityQuery } from './dto/data-quality.dto.js';
import { LinkageService } from './linkage.service.js';

@ApiTags('data quality')
@ApiBearerAuth()
@Controller('api/data-quality')
export class DataQualityController {
  constructor(private readonly linkage: LinkageService) {}

  /** Children on several providers' lists whose name, date of birth or postcode disagree. */
  @Get()
  @Roles('admin', 'clinician')
  list(@Query() query: DataQualityQuery, @CurrentUser() user: AuthUser): Promise<DataQualityPage> {
    return this.linkage.listIssues(query, user);
  }
}
