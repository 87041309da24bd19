import { Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Roles } from '../auth/auth.decorators.js';
import { ImportRunResponse } from './dto/import-run.response.dto.js';
import { PullQuery, SourceIdParams } from './dto/imports.query.js';
import { SourceResponse } from './dto/source.response.dto.js';
import { ImportsService } from './imports.service.js';

@ApiTags('ingest')
@ApiBearerAuth()
@Controller('api/sources')
export class SourcesController {
  constructor(private readonly imports: ImportsService) {}

  /** The configured provider sources, each with its last run. */
  @Get()
  @Roles('admin')
  list(): Promise<SourceResponse[]> {
    return this.imports.listSources();
  }

  /** Pulls a source now: 202 with the started run, or 200 with the finished run when ?wait=true. */
  @Post(':id/pulls')
  @Roles('admin')
  pull(
    @Param() params: SourceIdParams,
    @Query() query: PullQuery,
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportRunResponse> {
    res.status(query.wait ? 200 : 202);
    return this.imports.pull(params.id, query.wait ?? false, user);
  }
}
