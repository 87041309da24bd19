import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service.js';
import { londonDate } from '../../common/time/calendar-date.js';
import { PrioritisationError } from '../prioritisation.errors.js';
import { RescoreRepository } from '../rescore/rescore.repository.js';
import type { CompiledTool } from '../scoring/compile-tool.js';
import { PreviewAccumulator, type PreviewSummary } from '../scoring/preview-summary.js';
import { scoreChild } from '../scoring/score-child.js';
import { ToolVersionsService } from '../tool/tool-versions.service.js';

export interface PreviewReport extends PreviewSummary {
  asAt: string;
  activeToolVersion: { id: string; version: number; name: string };
  proposedTool: { name: string; toolVersionId: string | null };
  note: string;
}

/**
 * What-if preview: scores every child on the lists with the active tool and with a draft, on the same
 * inputs and as-at date, and reports how the bands would move. Reads one snapshot; writes nothing
 * (no scores, no runs): live scores are untouched.
 */
@Injectable()
export class PreviewService {
  constructor(
    private readonly rescoreRepository: RescoreRepository,
    private readonly tools: ToolVersionsService,
    private readonly audit: AuditService,
  ) {}

  async preview(
    input: { source?: string; toolVersionId?: string },
    asAt = londonDate(),
  ): Promise<PreviewReport> {
    if (!input.source === !input.toolVersionId) {
      throw PrioritisationError.toolInvalid([
        'body: give either source (a draft tool document) or toolVersionId, not both',
      ]);
    }
    let proposed: CompiledTool;
    let name: string;
    if (input.toolVersionId) {
      const v = await this.tools.version(input.toolVersionId);
      proposed = v.compiled;
      name = v.row.name;
    } else {
      const parsed = this.tools.parse(input.source ?? '');
      if (!parsed.valid) throw PrioritisationError.toolInvalid(parsed.problems);
      proposed = parsed.compiled;
      name = parsed.document.name;
    }
    const active = await this.tools.active();
    const acc = new PreviewAccumulator(
      active.compiled.bands.map((b) => b.code),
      proposed.bands.map((b) => b.code),
    );
    const cursor = await this.rescoreRepository.openFacts(asAt, null, 1 << 20);
    try {
      for (let rows = await cursor.next(); rows; rows = await cursor.next()) {
        for (const row of rows) {
          const cur = scoreChild(active.compiled, row.facts, { inputs: false });
          const next = scoreChild(proposed, row.facts, { inputs: false });
          acc.add(
            row.facts,
            row.pseudonym,
            { bandRank: cur.bandRank, score: cur.score, flagged: cur.problems.length > 0 },
            { bandRank: next.bandRank, score: next.score, flagged: next.problems.length > 0 },
          );
        }
      }
    } finally {
      await cursor.close();
    }
    const summary = acc.result();
    await this.audit.record({
      action: 'read',
      resource: 'prioritisation-preview',
      purpose: 'tool-co-production',
      detail: { toolVersionId: input.toolVersionId ?? null, children: summary.children },
    });
    return {
      asAt,
      activeToolVersion: { id: active.row.id, version: active.row.version, name: active.row.name },
      proposedTool: { name, toolVersionId: input.toolVersionId ?? null },
      note: 'Tool bands only (clinician overrides are not applied); nothing was written.',
      ...summary,
    };
  }
}
