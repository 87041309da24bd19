import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ImportRunPage, ImportRunResponse } from './dto/import-run.response.dto.js';
import { ListImportsQuery, ListRejectsQuery, RunIdParams } from './dto/imports.query.js';
import { RejectPage } from './dto/source.response.dto.js';
import { ImportsService } from './imports.service.js';

@ApiTags('ingest')
@ApiBearerAuth()
@Controller('api/imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  /** Import runs, newest first, with counts, outcome and (while running) progress. */
  @Get()
  @Roles('admin', 'commissioner')
  list(@Query() query: ListImportsQuery): Promise<ImportRunPage> {
    return this.imports.listRuns(query);
  }

  @Get(':id')
  @Roles('admin', 'commissioner')
  get(@Param() params: RunIdParams): Promise<ImportRunResponse> {
    return this.imports.getRun(params.id);
  }

  /** Rows the run rejected, with a reason per field and the raw row (patient data: admins only, audited). */
  @Get(':id/rejects')
  @Roles('admin')
  rejects(@Param() params: RunIdParams, @Query() query: ListRejectsQuery): Promise<RejectPage> {
    return this.imports.listRejects(params.id, query);
  }
}
