import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Roles } from '../auth/auth.decorators.js';
import {
  CreateRttSnapshotBody,
  ListRttSnapshotsQuery,
  RttExportQuery,
  RttReportQuery,
} from './dto/rtt-report.query.js';
import type { RttReport } from './report/report.types.js';
import { RttExportService, type ExportFile } from './rtt-export.service.js';
import { RttSnapshotService } from './rtt-snapshot.service.js';
import type { SnapshotRecord, SnapshotSummary } from './rtt-snapshot.repository.js';

function send(res: Response, file: ExportFile): string {
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
  return file.body;
}

/** The snapshot's metadata and changes, without the stored report and histograms. */
function toSummary(s: SnapshotRecord): SnapshotSummary {
  return {
    id: s.id,
    month: s.month,
    version: s.version,
    censusDate: s.censusDate,
    dataCutoff: s.dataCutoff,
    createdAt: s.createdAt,
    createdBy: s.createdBy,
    trigger: s.trigger,
    rulesVersion: s.rulesVersion,
    settingsHash: s.settingsHash,
    data: s.data,
    changes: s.changes,
    previousId: s.previousId,
  };
}

/** 18-week RTT reports (aggregate only: no patient identifiers). */
@ApiTags('rtt-reports')
@ApiBearerAuth()
@Controller('api/reports/rtt')
export class RttReportingController {
  constructor(
    private readonly exports: RttExportService,
    private readonly snapshots: RttSnapshotService,
  ) {}

  @Get()
  @Roles('commissioner', 'admin')
  @ApiOperation({
    summary:
      'Monthly RTT report (JSON): the published snapshot, or live as at a census date and data cut-off',
  })
  report(@Query() q: RttReportQuery, @CurrentUser() user: AuthUser): Promise<RttReport> {
    return this.exports.report(q, user);
  }

  @Get('csv')
  @Roles('commissioner', 'admin')
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: 'The report as CSV in the NHS England RTT extract layout (or the CHS SitRep bands)',
  })
  async csv(
    @Query() q: RttExportQuery,
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    return send(res, await this.exports.csv(q, user));
  }

  @Get('chart')
  @Roles('commissioner', 'admin')
  @ApiProduces('image/svg+xml')
  @ApiOperation({ summary: 'SVG chart of incomplete pathways by week band with the 18-week line' })
  async chart(
    @Query() q: RttReportQuery,
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    return send(res, await this.exports.chart(q, user));
  }

  @Get('snapshots')
  @Roles('commissioner', 'admin')
  @ApiOperation({
    summary:
      'Published snapshots (versions, when and from which data they were made, what changed)',
  })
  listSnapshots(@Query() q: ListRttSnapshotsQuery): Promise<SnapshotSummary[]> {
    return this.snapshots.list(q.month);
  }

  @Post('snapshots')
  @HttpCode(201)
  @Roles('admin')
  @ApiOperation({ summary: "Publish (or regenerate) a finished month's snapshot as a new version" })
  async createSnapshot(
    @Body() body: CreateRttSnapshotBody,
    @CurrentUser() user: AuthUser,
  ): Promise<SnapshotSummary> {
    return toSummary(await this.snapshots.create(body.month, user, 'manual'));
  }
}
