import { Inject, Injectable, Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { AuditService } from '../../audit/audit.service.js';
import type { AuthUser } from '../../auth/auth-user.js';
import { CatalogueService } from '../../catalogue/catalogue.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { PrioritisationError } from '../prioritisation.errors.js';
import type { CompiledTool } from '../scoring/compile-tool.js';
import type { ToolDocument } from '../scoring/tool-document.js';
import {
  toToolVersionSummary,
  type ToolVersionDetail,
  type ToolVersionSummary,
  type ValidationReport,
} from './dto/tool.dto.js';
import { parseTool, type ParsedTool } from './parse-tool.js';
import { type ToolVersionRow, ToolVersionsRepository } from './tool-versions.repository.js';

export interface ActiveTool {
  row: ToolVersionRow;
  compiled: CompiledTool;
}

/**
 * Tool versions: drafts are edited and validated; activation makes a version immutable
 * (prioritisation.md "Lifecycle"). Keeps the compiled active tool in memory, re-read whenever
 * the active version in the database changes (another instance may have activated one).
 */
@Injectable()
export class ToolVersionsService {
  private readonly logger = new Logger(ToolVersionsService.name);
  private cache: ActiveTool | null = null;
  /** Compiled versions by id (activated versions never change, so this never goes stale). */
  private readonly versions = new Map<string, ActiveTool>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: ToolVersionsRepository,
    private readonly catalogue: CatalogueService,
    private readonly audit: AuditService,
  ) {}

  knownServices(): string[] {
    return this.catalogue.services().map((s) => s.code);
  }

  parse(source: string): ParsedTool {
    return parseTool(source, this.knownServices());
  }

  /** Schema, semantic and expression checks of a document, without storing it. */
  validate(source: string): ValidationReport {
    const parsed = this.parse(source);
    const doc = parsed.document;
    return {
      valid: parsed.valid,
      problems: parsed.problems,
      ...(doc
        ? {
            name: doc.name,
            bands: doc.bands.map((b) => b.code),
            factors: doc.factors.map((f) => f.id),
            triggers: doc.triggers.map((t) => t.id),
          }
        : {}),
    };
  }

  async detail(id: string): Promise<ToolVersionDetail> {
    const row = await this.get(id);
    const activations = await this.repository.activations(id);
    return {
      ...toToolVersionSummary(row),
      source: row.source,
      activations: activations.map((a) => ({
        ...a,
        activatedAt: new Date(a.activatedAt).toISOString(),
      })),
    };
  }

  async activeSummary(): Promise<ToolVersionDetail> {
    return this.detail((await this.active()).row.id);
  }

  async summaries(): Promise<ToolVersionSummary[]> {
    return (await this.repository.list()).map(toToolVersionSummary);
  }

  /**
   * Compiles a stored version (re-validated: the catalogue may have changed). A draft gets every
   * check; a version once activated is not held to checks added since (parseTool's `strict`).
   */
  compile(row: ToolVersionRow): CompiledTool {
    const parsed = parseTool(row.source, this.knownServices(), {
      strict: !row.firstActivatedAt,
    });
    if (!parsed.valid) throw PrioritisationError.toolInvalid(parsed.problems);
    if (row.firstActivatedAt) this.warnOfServicesGone(row.id, parsed.document);
    return parsed.compiled;
  }

  /**
   * A service taken out of `config/catalogue.yaml` does not stop an activated version that limits
   * rules to it (toolProblems): its rules keep their services (the service's row, and any referral
   * still waiting for it, are kept), and the gap is logged for whoever edits the catalogue.
   */
  private warnOfServicesGone(toolVersionId: string, doc: ToolDocument): void {
    const known = this.knownServices();
    const gone = [
      ...new Set([...doc.factors, ...doc.triggers].flatMap((r) => r.services ?? [])),
    ].filter((s) => !known.includes(s));
    if (gone.length) {
      this.logger.warn(
        { toolVersionId, services: gone },
        'an activated tool version limits rules to services no longer in the catalogue; those rules keep their services',
      );
    }
  }

  /** The active tool, installing the default from config/ when no version was ever activated. */
  async active(): Promise<ActiveTool> {
    const id = await this.repository.activeId();
    if (id && this.cache?.row.id === id) return this.cache;
    let row = id ? await this.repository.findById(id) : await this.installDefault();
    if (!row) row = await this.repository.findActive();
    if (!row) throw PrioritisationError.noActiveTool();
    this.cache = { row, compiled: this.compile(row) };
    return this.cache;
  }

  /** Refuses a band the active tool does not have, naming the bands it has. */
  async assertActiveBand(band: string): Promise<void> {
    const bands = (await this.active()).compiled.bands.map((b) => b.code);
    if (!bands.includes(band)) throw PrioritisationError.unknownBand(band, bands);
  }

  /** A stored version, compiled (for explaining scores it produced). */
  async version(id: string): Promise<ActiveTool> {
    const hit = this.versions.get(id);
    if (hit) return hit;
    const row = await this.get(id);
    const tool = { row, compiled: this.compile(row) };
    if (row.firstActivatedAt) this.versions.set(id, tool);
    return tool;
  }

  async get(id: string): Promise<ToolVersionRow> {
    const row = await this.repository.findById(id);
    if (!row) throw PrioritisationError.toolNotFound();
    return row;
  }

  list(): Promise<ToolVersionRow[]> {
    return this.repository.list();
  }

  activations(id: string) {
    return this.repository.activations(id);
  }

  async createDraft(source: string, rationale: string, user: AuthUser): Promise<ToolVersionRow> {
    const parsed = this.parse(source);
    return this.repository.transaction(async (m) => {
      const row = await this.repository.insert(
        {
          name: parsed.name ?? 'Untitled draft',
          source,
          document: parsed.document,
          valid: parsed.valid,
          problems: parsed.problems,
          authorSubject: user.subject,
          rationale,
        },
        m,
      );
      await this.audit.record(
        {
          action: 'create',
          resource: 'prioritisation-tool',
          detail: { toolVersionId: row.id, version: row.version, valid: row.valid },
        },
        m,
      );
      return row;
    });
  }

  async updateDraft(
    id: string,
    source: string,
    rationale: string,
    user: AuthUser,
  ): Promise<ToolVersionRow> {
    const parsed = this.parse(source);
    return this.repository.transaction(async (m) => {
      const existing = await this.repository.findById(id, m);
      if (!existing) throw PrioritisationError.toolNotFound();
      if (existing.firstActivatedAt) throw PrioritisationError.toolNotDraft(existing.version);
      const row = await this.repository.updateDraft(
        id,
        {
          name: parsed.name ?? existing.name,
          source,
          document: parsed.document,
          valid: parsed.valid,
          problems: parsed.problems,
          authorSubject: user.subject,
          rationale,
        },
        m,
      );
      if (!row) throw PrioritisationError.toolNotDraft(existing.version);
      await this.audit.record(
        {
          action: 'update',
          resource: 'prioritisation-tool',
          detail: { toolVersionId: id, version: row.version, valid: row.valid },
        },
        m,
      );
      return row;
    });
  }

  /** Marks a valid version active (retiring the previous one); the caller rescores. */
  async markActive(
    id: string,
    rationale: string,
    user: AuthUser | { subject: string; role: string },
  ): Promise<ActiveTool> {
    const active = await this.repository.transaction(async (m) => {
      const row = await this.repository.findById(id, m);
      if (!row) throw PrioritisationError.toolNotFound();
      const compiled = this.compile(row);
      if (!(await this.repository.activate(id, user.subject, rationale, m))) {
        throw PrioritisationError.toolAlreadyActive(row.version);
      }
      await this.audit.record(
        {
          action: 'activate',
          resource: 'prioritisation-tool',
          actor: user,
          detail: {
            toolVersionId: id,
            version: row.version,
            previousActive: this.cache?.row.id ?? null,
          },
        },
        m,
      );
      return { row: (await this.repository.findById(id, m)) as ToolVersionRow, compiled };
    });
    this.cache = active;
    return active;
  }

  /** First start (or an emptied database): the default tool in config/ becomes version 1. */
  private async installDefault(): Promise<ToolVersionRow | null> {
    let source: string;
    try {
      source = readFileSync(this.config.toolFile, 'utf8');
    } catch {
      this.logger.error(
        { file: this.config.toolFile },
        'default prioritisation tool file cannot be read',
      );
      return null;
    }
    const parsed = this.parse(source);
    if (!parsed.valid) {
      this.logger.error(
        { file: this.config.toolFile, problems: parsed.problems },
        'default prioritisation tool is not valid',
      );
      return null;
    }
    const file = relative(this.config.rootDir, this.config.toolFile) || this.config.toolFile;
    try {
      return await this.repository.transaction(async (m) => {
        const row = await this.repository.insert(
          {
            name: parsed.document.name,
            source,
            document: parsed.document,
            valid: true,
            problems: [],
            authorSubject: 'system',
            rationale: `Default tool loaded from ${file}`,
          },
          m,
        );
        await this.repository.activate(
          row.id,
          'system',
          `No tool was active: default tool loaded from ${file}`,
          m,
        );
        await this.audit.record(
          {
            action: 'activate',
            resource: 'prioritisation-tool',
            actor: { subject: 'system', role: 'system' },
            detail: { toolVersionId: row.id, version: row.version, default: true },
          },
          m,
        );
        return this.repository.findById(row.id, m);
      });
    } catch (error) {
      // Another instance installed it at the same moment (one-active unique index): use theirs.
      if ((error as { code?: string }).code === '23505') return this.repository.findActive();
      throw error;
    }
  }
}
