import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../auth/auth-user.js';
import { CatalogueService } from '../../catalogue/catalogue.service.js';
import { PrioritisationError } from '../prioritisation.errors.js';
import { RescoreRepository } from '../rescore/rescore.repository.js';
import { ToolVersionsService } from '../tool/tool-versions.service.js';
import type { EquityGroup, EquityReport } from './dto/equity.response.dto.js';
import {
  type EquityCountRow,
  type EquityDimension,
  EquityRepository,
} from './equity.repository.js';

const AGE_GROUPS = ['0-4', '5-10', '11-15', '16+', 'unknown'];

/**
 * The equity view of the live tool (shared/domain/prioritisation.md, "Equity audit"): band
 * distribution, median wait and override rate by deprivation quintile, age group and locality. A
 * commissioner sees the children waiting with their ICB's providers; an admin sees everyone.
 */
@Injectable()
export class EquityService {
  constructor(
    private readonly repository: EquityRepository,
    private readonly tools: ToolVersionsService,
    private readonly catalogue: CatalogueService,
    private readonly rescores: RescoreRepository,
  ) {}

  async report(user: AuthUser): Promise<EquityReport> {
    const providers =
      user.role === 'commissioner' && user.commissionerCode
        ? this.catalogue.providersCommissionedBy(user.commissionerCode)
        : null;
    const [counts, run, lost] = await Promise.all([
      this.repository.counts(providers),
      this.repository.lastRun(),
      this.rescores.scoresLost(),
    ]);
    // Lost scores (a database crash) give no figures, or figures of the few children an incremental
    // rescore has scored since: either would be read as the whole list's.
    if (lost) throw PrioritisationError.scoresRebuilding();
    const tool = run ? await this.tools.version(run.toolVersionId) : await this.tools.active();
    const bands = tool.compiled.bands.map((b) => b.code);
    const byDimension = (dimension: EquityDimension): EquityGroup[] =>
      summarise(
        counts.filter((c) => c.dimension === dimension),
        bands,
      );
    // Every child is in exactly one quintile group: their sum is everyone.
    const overall = summarise(
      counts
        .filter((c) => c.dimension === 'deprivationQuintile')
        .map((c) => ({ ...c, key: 'all' })),
      bands,
    );
    return {
      asAt: run?.asAt ?? null,
      toolVersion: { id: tool.row.id, version: tool.row.version, name: tool.row.name },
      scope: providers ? { providers } : 'all providers',
      bands,
      overall: overall[0] ?? summarise([], bands, 'all')[0],
      byDeprivationQuintile: byDimension('deprivationQuintile').sort(byKey(unknownLast)),
      byAgeGroup: byDimension('ageGroup').sort(byKey((k) => AGE_GROUPS.indexOf(k))),
      byLocality: byDimension('locality').sort(byKey(unknownLast)),
      notes: [
        'Live scores: the band shown (a clinician override where there is one), the longest wait of each child in completed weeks, as at the last rescore. A child whose every clock was nullified (a missed first appointment) is counted but left out of the median wait.',
        'Deprivation quintile 1 is the most deprived fifth (IMD deciles 1-2); age is at the as-at date.',
        'Not measured here: ethnicity and sex (WaitWell does not hold them) and children seen out of rank order (needs treatment dates by rank).',
      ],
    };
  }
}

/**
 * Adds up one dimension's counts into its groups: children, band sizes, override count and the
 * median longest wait of the children whose wait can be timed, which is the lower middle value when
 * their count is even (as PostgreSQL's percentile_disc(0.5)). With `emptyKey`, an empty group of
 * that name when there are no counts.
 */
export function summarise(
  rows: EquityCountRow[],
  bands: string[],
  emptyKey?: string,
): EquityGroup[] {
  const groups = new Map<string, { group: EquityGroup; weeks: Map<number, number> }>();
  const open = (key: string) => {
    let g = groups.get(key);
    if (!g) {
      g = {
        group: {
          key,
          children: 0,
          bands: Object.fromEntries(bands.map((b) => [b, 0])),
          medianWeeksWaited: null,
          overridden: 0,
          overriddenPercent: 0,
        },
        weeks: new Map(),
      };
      groups.set(key, g);
    }
    return g;
  };
  if (emptyKey !== undefined && rows.length === 0) open(emptyKey);
  for (const r of rows) {
    const g = open(r.key);
    g.group.children += r.children;
    g.group.overridden += r.overridden;
    g.group.bands[r.band] = (g.group.bands[r.band] ?? 0) + r.children;
    if (r.weeks !== null) g.weeks.set(r.weeks, (g.weeks.get(r.weeks) ?? 0) + r.children);
  }
  return [...groups.values()].map(({ group, weeks }) => {
    // Over the children with a wait that can be timed (a nullified clock has none).
    let timed = 0;
    for (const n of weeks.values()) timed += n;
    const middle = Math.ceil(timed / 2);
    let seen = 0;
    for (const w of [...weeks.keys()].sort((a, b) => a - b)) {
      seen += weeks.get(w)!;
      if (seen >= middle) {
        group.medianWeeksWaited = w;
        break;
      }
    }
    group.overriddenPercent = percent(group.overridden, group.children);
    return group;
  });
}

function byKey(order: (k: string) => number | string) {
  return (a: EquityGroup, b: EquityGroup) => {
    const x = order(a.key);
    const y = order(b.key);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

function unknownLast(k: string): string {
  return k === 'unknown' ? '\uffff' : k;
}

function percent(part: number, whole: number): number {
  return whole ? Math.round((1000 * part) / whole) / 10 : 0;
}
