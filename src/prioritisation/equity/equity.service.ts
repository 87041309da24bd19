import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../auth/auth-user.js';
import { CatalogueService } from '../../catalogue/catalogue.service.js';
import { PrioritisationError } from '../prioritisation.errors.js';
import { RescoreRepository } from '../rescore/rescore.repository.js';
import { ToolVersionsService } from '../tool/tool-versions.service.js';
import type { EquityGroup, EquityReport } from './dto/equity.response.dto.js';
import { type EquityDimension, EquityRepository } from './equity.repository.js';

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
    const cells = await this.repository.cells(providers);
    const all = cells.find((c) => c.dimension === 'all' && c.band === null);
    if (!all?.children && (await this.rescores.scoresMissing())) {
      throw PrioritisationError.scoresRebuilding();
    }
    const tool = all?.toolVersionId ? await this.tools.version(all.toolVersionId) : null;
    const bands = (tool ?? (await this.tools.active())).compiled.bands.map((b) => b.code);
    const groups = (dimension: EquityDimension | 'all'): EquityGroup[] => {
      const own = cells.filter((c) => c.dimension === dimension && c.band === null);
      return own.map((g) => {
        const counts = Object.fromEntries(bands.map((b) => [b, 0]));
        for (const c of cells) {
          if (c.dimension === dimension && c.key === g.key && c.band !== null) {
            counts[c.band] = c.children;
          }
        }
        return {
          key: g.key,
          children: g.children,
          bands: counts,
          medianWeeksWaited: g.medianWeeks,
          overridden: g.overridden,
          overriddenPercent: percent(g.overridden, g.children),
        };
      });
    };
    const byKey = (order: (k: string) => number | string) => (a: EquityGroup, b: EquityGroup) => {
      const x = order(a.key);
      const y = order(b.key);
      return x < y ? -1 : x > y ? 1 : 0;
    };
    const unknownLast = (k: string) => (k === 'unknown' ? '\uffff' : k);
    return {
      asAt: all?.asAt ?? null,
      toolVersion: tool
        ? { id: tool.row.id, version: tool.row.version, name: tool.row.name }
        : null,
      scope: providers ? { providers } : 'all providers',
      bands,
      overall: groups('all')[0] ?? emptyGroup('all', bands),
      byDeprivationQuintile: groups('deprivationQuintile').sort(byKey(unknownLast)),
      byAgeGroup: groups('ageGroup').sort(byKey((k) => AGE_GROUPS.indexOf(k))),
      byLocality: groups('locality').sort(byKey(unknownLast)),
      notes: [
        'Live scores: the band shown (a clinician override where there is one), the longest wait of each child in completed weeks, as at the last rescore.',
        'Deprivation quintile 1 is the most deprived fifth (IMD deciles 1-2); age is at the as-at date.',
        'Not measured here: ethnicity and sex (WaitWell does not hold them) and children seen out of rank order (needs treatment dates by rank).',
      ],
    };
  }
}

function percent(part: number, whole: number): number {
  return whole ? Math.round((1000 * part) / whole) / 10 : 0;
}

function emptyGroup(key: string, bands: string[]): EquityGroup {
  return {
    key,
    children: 0,
    bands: Object.fromEntries(bands.map((b) => [b, 0])),
    medianWeeksWaited: null,
    overridden: 0,
    overriddenPercent: 0,
  };
}
