import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service.js';
import type { AuthUser } from '../../auth/auth-user.js';
import { CatalogueService } from '../../catalogue/catalogue.service.js';
import { decodeCursor, encodeCursor } from '../../common/pagination/keyset.js';
import { PrioritisationError } from '../prioritisation.errors.js';
import { reasonText } from '../scoring/score-child.js';
import { ToolVersionsService, type ActiveTool } from '../tool/tool-versions.service.js';
import type { RankedQuery } from './dto/ranked.query.js';
import type { RankedPageJson } from './dto/ranked.response.dto.js';
import { serviceOfRankKey } from '../rescore/rank-key.js';
import { RescoreRepository } from '../rescore/rescore.repository.js';
import { RankedRepository } from './ranked.repository.js';

const REASONS_CACHE_SIZE = 20_000;

/**
 * GET /api/ranked: commissioners see pseudonymised rows; clinicians see only the services they are
 * assigned to, with identity, and each page they see is audited with the children shown.
 */
@Injectable()
export class RankedService {
  constructor(
    private readonly repository: RankedRepository,
    private readonly tools: ToolVersionsService,
    private readonly catalogue: CatalogueService,
    private readonly audit: AuditService,
    private readonly rescores: RescoreRepository,
  ) {}

  /**
   * Top reasons in words, as JSON, remembered per activated tool version and stored reasons: the same
   * few combinations fill every page, and an activated version's labels never change. Bounded.
   */
  private readonly reasonsCache = new Map<string, string>();

  private reasonsJson(tool: ActiveTool, stored: string): string {
    const key = `${tool.row.id}|${stored}`;
    const known = this.reasonsCache.get(key);
    if (known !== undefined) return known;
    const labels = tool.compiled.labels;
    const json = JSON.stringify(parseReasons(stored).map((x) => reasonText(labels, x)));
    if (tool.row.firstActivatedAt) {
      if (this.reasonsCache.size >= REASONS_CACHE_SIZE) this.reasonsCache.clear();
      this.reasonsCache.set(key, json);
    }
    return json;
  }

  /**
   * Localities are data (each child's, from the imports), not configuration: the ones on record are
   * remembered, and read again (one cheap query) only when a locality asked for is not among them.
   * So a known locality costs no database round trip, and one imported since is found at once.
   */
  private knownLocalities = new Set<string>();

  private async assertKnownLocality(locality: string): Promise<void> {
    if (this.knownLocalities.has(locality)) return;
    this.knownLocalities = new Set(await this.repository.localities());
    // An unknown locality (a typing slip, "eastfield") would otherwise be an empty list, read as
    // "nobody waiting there".
    if (!this.knownLocalities.has(locality)) {
      throw PrioritisationError.unknownLocality(locality, [...this.knownLocalities]);
    }
  }

  /** The cursor's rank key starts with the number of the service whose list gave it (0: the children's). */
  private assertCursorOfList([rankKey]: [string, string], serviceNumber: number): void {
    const given = serviceOfRankKey(rankKey);
    if (given === serviceNumber) return;
    const listName = (number: number) => {
      if (number === 0) return "the children's list";
      const s = this.catalogue
        .services()
        .find((x) => this.catalogue.serviceNumber(x.code) === number);
      return s ? `the ${s.code} list` : "another service's list";
    };
    throw PrioritisationError.cursorOfAnotherList(listName(given), listName(serviceNumber));
  }

  async list(q: RankedQuery, user: AuthUser): Promise<RankedPageJson> {
    if (q.service && !this.catalogue.service(q.service)) {
      throw PrioritisationError.unknownService(
        q.service,
        this.catalogue.services().map((s) => s.code),
      );
    }
    if (q.provider && !this.catalogue.provider(q.provider)) {
      throw PrioritisationError.unknownProvider(
        q.provider,
        this.catalogue.providers().map((p) => p.code),
      );
    }
    if (q.locality) await this.assertKnownLocality(q.locality);
    // An unknown band (a typing slip, "p1", or a band the tool no longer has) would otherwise be
    // an empty list, read as "no children in that band".
    if (q.band) await this.tools.assertActiveBand(q.band);
    let anyOfServices: string[] | undefined;
    if (user.role === 'clinician') {
      if (q.service && !user.services.includes(q.service)) {
        throw PrioritisationError.serviceNotAssigned(q.service);
      }
      if (!q.service) anyOfServices = user.services;
    }
    // Commissioners see the lists of the providers their ICB commissions (the token names the ICB).
    let anyOfProviders: string[] | undefined;
    if (user.role === 'commissioner' && user.commissionerCode) {
      anyOfProviders = this.catalogue.providersCommissionedBy(user.commissionerCode);
      if (q.provider && !anyOfProviders.includes(q.provider)) {
        throw PrioritisationError.providerNotCommissioned(q.provider);
      }
    }
    const limit = q.limit ?? 50;
    const serviceNumber = q.service ? this.catalogue.serviceNumber(q.service) : undefined;
    const after = q.cursor ? cursorKey(decodeCursor(q.cursor, 2)) : undefined;
    // A cursor continues the list that gave it: from another list (the children's list, or another
    // service's) it would restart this one from the top or end it at once, read as "nobody else".
    if (after) this.assertCursorOfList(after, serviceNumber ?? 0);
    const rows = await this.repository.page({
      service: q.service,
      serviceNumber,
      anyOfServices,
      provider: q.provider,
      anyOfProviders,
      locality: q.locality,
      band: q.band,
      multiNeed: q.multiNeed,
      flag: q.flag,
      minWeeks: q.minWeeks,
      after,
      limit: limit + 1,
      identity: user.role === 'clinician',
    });
    // An empty first page could mean the scores are gone (the unlogged score tables are emptied by a
    // database crash until the scheduler rebuilds them): say so rather than show an empty list.
    if (rows.length === 0 && !after && (await this.rescores.scoresLost())) {
      throw PrioritisationError.scoresRebuilding();
    }
    const page = rows.slice(0, limit);
    const childIds = new Set<string>();
    const items: string[] = new Array<string>(page.length);
    let toolId = '';
    let tool: ActiveTool | undefined;
    for (let i = 0; i < page.length; i++) {
      const r = page[i];
      childIds.add(r.childId);
      // Tool versions are cached; a page almost always holds one version's scores.
      if (toolId !== r.toolVersionId || !tool) {
        tool = await this.tools.version(r.toolVersionId);
        toolId = r.toolVersionId;
      }
      items[i] = `${r.json},"topReasons":${this.reasonsJson(tool, r.topReasons)}}`;
    }
    if (user.role === 'clinician' && childIds.size) {
      await this.audit.record({
        action: 'list',
        resource: 'ranked-list',
        childIds: [...childIds],
        purpose: 'direct-care',
        detail: { service: q.service ?? null, rows: items.length },
      });
    }
    const last = page[page.length - 1];
    const next = rows.length > limit && last ? encodeCursor(last.sort) : null;
    // The page exactly as JSON.stringify would write the RankedPage (items come from PostgreSQL as JSON).
    return `{"items":[${items.join(',')}],"next":${JSON.stringify(next)}}` as RankedPageJson;
  }
}

/** A cursor's rank key (a non-negative bigint: rescore/rank-key.ts) and id. */
function cursorKey(k: Array<string | number | null>): [string, string] {
  const [rankKey, id] = k;
  if (
    typeof rankKey !== 'string' ||
    !/^\d{1,19}$/.test(rankKey) ||
    BigInt(rankKey) > MAX_BIGINT ||
    typeof id !== 'string' ||
    !/^[0-9a-f-]{36}$/i.test(id)
  ) {
    // Same message as any other malformed cursor.
    return decodeCursor('!', 2) as never;
  }
  return [rankKey, id];
}

const MAX_BIGINT = (1n << 63n) - 1n;

/** "id=points;id" (stored top reasons) → reasons. */
export function parseReasons(s: string): Array<{ id: string; points: number | null }> {
  if (!s) return [];
  return s.split(';').map((part) => {
    const [id, points] = part.split('=');
    return { id, points: points === undefined ? null : Number(points) };
  });
}
