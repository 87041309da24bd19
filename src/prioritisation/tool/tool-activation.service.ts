import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../auth/auth-user.js';
import { DomainEvents } from '../../common/events/domain-events.js';
import { londonDate } from '../../common/time/calendar-date.js';
import { type RunReport, RescoreService } from '../rescore/rescore.service.js';
import type { ToolVersionDetail } from './dto/tool.dto.js';
import { ToolVersionsService } from './tool-versions.service.js';

/**
 * Activation (admin): the version becomes immutable and active, every child is rescored with it
 * (each score records the version), and `tool.activated` is published.
 */
@Injectable()
export class ToolActivationService {
  constructor(
    private readonly tools: ToolVersionsService,
    private readonly rescore: RescoreService,
    private readonly events: DomainEvents,
  ) {}

  async activate(
    id: string,
    rationale: string,
    user: AuthUser,
    asAt = londonDate(),
  ): Promise<{ toolVersion: ToolVersionDetail; run: RunReport }> {
    const active = await this.tools.markActive(id, rationale, user);
    const run = await this.rescore.rescoreAll(
      `tool version ${active.row.version} activated`,
      asAt,
      active,
    );
    this.events.publish({ type: 'tool.activated', toolVersionId: id });
    // The version as GET /api/prioritisation/tools/:id shows it, with this activation listed.
    return { toolVersion: await this.tools.detail(id), run };
  }
}
