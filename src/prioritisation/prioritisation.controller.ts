import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Roles } from '../auth/auth.decorators.js';
import type { Page } from '../common/pagination/keyset.js';
import { NoticePage } from './overrides/dto/notice.dto.js';
import { OverridesService } from './overrides/overrides.service.js';
import { type PreviewReport, PreviewService } from './preview/preview.service.js';
import type { RunRow } from './rescore/rescore.repository.js';
import { type RunReport, RescoreService } from './rescore/rescore.service.js';
import {
  ActivateToolBody,
  NoticeIdParams,
  NoticesQuery,
  PreviewBody,
  RunIdParams,
  RunsQuery,
  SaveToolBody,
  ToolIdParams,
  ToolSourceBody,
  ToolVersionDetail,
  ToolVersionSummary,
  ValidationReport,
} from './tool/dto/tool.dto.js';
import { ToolActivationService } from './tool/tool-activation.service.js';
import { ToolVersionsService } from './tool/tool-versions.service.js';

/** The tool's lifecycle (draft → validate → preview → activate), rescore runs and clinician notices. */
@ApiTags('prioritisation')
@ApiBearerAuth()
@Controller('api/prioritisation')
export class PrioritisationController {
  constructor(
    private readonly tools: ToolVersionsService,
    private readonly activation: ToolActivationService,
    private readonly previews: PreviewService,
    private readonly rescore: RescoreService,
    private readonly overrides: OverridesService,
  ) {}

  @Get('tools')
  @Roles('admin', 'clinician', 'commissioner', 'auditor')
  list(): Promise<ToolVersionSummary[]> {
    return this.tools.summaries();
  }

  @Get('tools/active')
  @Roles('admin', 'clinician', 'commissioner', 'auditor')
  active(): Promise<ToolVersionDetail> {
    return this.tools.activeSummary();
  }

  @Get('tools/:id')
  @Roles('admin', 'clinician', 'commissioner', 'auditor')
  get(@Param() params: ToolIdParams): Promise<ToolVersionDetail> {
    return this.tools.detail(params.id);
  }

  @Post('tools/validate')
  @Roles('admin')
  @HttpCode(200)
  validate(@Body() body: ToolSourceBody): ValidationReport {
    return this.tools.validate(body.source);
  }

  @Post('tools')
  @Roles('admin')
  async create(
    @Body() body: SaveToolBody,
    @CurrentUser() user: AuthUser,
  ): Promise<ToolVersionDetail> {
    return this.tools.detail((await this.tools.createDraft(body.source, body.rationale, user)).id);
  }

  @Put('tools/:id')
  @Roles('admin')
  async update(
    @Param() params: ToolIdParams,
    @Body() body: SaveToolBody,
    @CurrentUser() user: AuthUser,
  ): Promise<ToolVersionDetail> {
    return this.tools.detail(
      (await this.tools.updateDraft(params.id, body.source, body.rationale, user)).id,
    );
  }

  @Post('tools/:id/activate')
  @Roles('admin')
  @HttpCode(200)
  activate(
    @Param() params: ToolIdParams,
    @Body() body: ActivateToolBody,
    @CurrentUser() user: AuthUser,
  ): Promise<{ toolVersion: ToolVersionDetail; run: RunReport }> {
    return this.activation.activate(params.id, body.rationale, user);
  }

  @Post('preview')
  @Roles('admin')
  @HttpCode(200)
  preview(@Body() body: PreviewBody): Promise<PreviewReport> {
    return this.previews.preview(body);
  }

  @Post('rescore')
  @Roles('admin')
  @HttpCode(200)
  rescoreAll(): Promise<RunReport> {
    return this.rescore.rescoreAll('requested by an administrator');
  }

  @Get('runs')
  @Roles('admin', 'commissioner', 'auditor')
  runs(@Query() q: RunsQuery): Promise<Page<RunRow>> {
    return this.rescore.listRuns(q);
  }

  @Get('runs/:id')
  @Roles('admin', 'commissioner', 'auditor')
  run(@Param() params: RunIdParams): Promise<RunRow> {
    return this.rescore.findRun(params.id);
  }

  @Get('notices')
  @Roles('clinician')
  @ApiOkResponse({ type: NoticePage })
  notices(@Query() q: NoticesQuery, @CurrentUser() user: AuthUser): Promise<NoticePage> {
    return this.overrides.notices(user, q);
  }

  @Post('notices/:id/read')
  @Roles('clinician')
  @HttpCode(204)
  markRead(@Param() params: NoticeIdParams, @CurrentUser() user: AuthUser): Promise<void> {
    return this.overrides.markRead(params.id, user);
  }
}
