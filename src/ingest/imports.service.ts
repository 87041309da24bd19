import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import {
  decodeRowNumberCursor,
  decodeTimeIdCursor,
  encodeCursor,
  timeIdPage,
} from '../common/pagination/keyset.js';
import {
  toImportRunResponse,
  type ImportRunPage,
  type ImportRunResponse,
} from './dto/import-run.response.dto.js';
import type { ListImportsQuery, ListRejectsQuery } from './dto/imports.query.js';
import type { RejectPage, SourceResponse } from './dto/source.response.dto.js';
import { ImportRunRepository } from './import-run.repository.js';
import { IngestError } from './ingest.errors.js';
import { IngestService } from './ingest.service.js';
import { displayLocation } from './sources/credentials.js';
import { SourcesService } from './sources/sources.service.js';

/** What admins and commissioners see of sources, runs and rejects. */
@Injectable()
export class ImportsService {
  constructor(
    private readonly sources: SourcesService,
    private readonly runs: ImportRunRepository,
    private readonly ingest: IngestService,
    private readonly audit: AuditService,
    private readonly registry: SchedulerRegistry,
  ) {}

  async listSources(): Promise<SourceResponse[]> {
    const latest = new Map((await this.runs.latestPerSource()).map((r) => [r.sourceId, r]));
    return this.sources.all().map((s) => {
      const run = latest.get(s.id);
      let nextPullAt: string | null = null;
      try {
        nextPullAt = this.registry.getCronJob(`ingest:${s.id}`).nextDate().toISO();
      } catch {
        nextPullAt = null; // not scheduled (no cron, or the scheduler is off)
      }
      return {
        id: s.id,
        provider: s.provider,
        service: s.service,
        kind: s.kind,
        mode: s.mode,
        location: s.kind === 'csv-file' ? s.location : displayLocation(s.location),
        schedule: s.schedule ?? null,
        nextPullAt,
        credentialEnv: [
          s.auth?.bearerTokenEnv,
          s.auth?.basicUserEnv,
          s.auth?.basicPasswordEnv,
        ].filter((x): x is string => Boolean(x)),
        lastRun: run ? toImportRunResponse(run) : null,
      };
    });
  }

  /** Starts a pull for an admin; with `wait`, answers once the run has finished. */
  async pull(sourceId: string, wait: boolean, user: AuthUser): Promise<ImportRunResponse> {
    const started = await this.ingest.start(sourceId, {
      trigger: 'api',
      actor: { subject: user.subject, role: user.role },
    });
    if (!wait) {
      // The run records its own outcome; nothing to do when it settles.
      void started.done;
      return toImportRunResponse(started.run);
    }
    return toImportRunResponse(await started.done);
  }

  async listRuns(q: ListImportsQuery): Promise<ImportRunPage> {
    const limit = q.limit ?? 50;
    // The start time to the microsecond: a cursor cut to milliseconds skipped the runs that started
    // later within the same millisecond as the page's last one.
    const before = q.cursor ? decodeTimeIdCursor(q.cursor) : undefined;
    const rows = await this.runs.list({
      sourceId: q.source,
      status: q.status,
      before: before ? { startedAt: before.at, id: before.id } : undefined,
      limit: limit + 1,
    });
    return timeIdPage(rows, limit, (r) => toImportRunResponse(r));
  }

  async getRun(id: string): Promise<ImportRunResponse> {
    const run = await this.runs.findById(id);
    if (!run) throw IngestError.runNotFound();
    return toImportRunResponse(run);
  }

  /** Rejected rows are patient data: admins only, and every read is audited. */
  async listRejects(runId: string, q: ListRejectsQuery): Promise<RejectPage> {
    const run = await this.runs.findById(runId);
    if (!run) throw IngestError.runNotFound();
    const limit = q.limit ?? 100;
    const after = q.cursor ? decodeRowNumberCursor(q.cursor) : undefined;
    const rows = await this.runs.rejects(runId, {
      afterRow: after,
      limit: limit + 1,
      includeCleared: q.includeCleared ?? false,
    });
    const page = rows.slice(0, limit);
    await this.audit.record({
      action: 'read',
      resource: 'import-rejects',
      purpose: 'data-quality',
      detail: {
        runId,
        sourceId: run.sourceId,
        rows: page.map((r) => r.rowNumber),
        withRawRows: page.filter((r) => r.raw !== null).length,
      },
    });
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        rowNumber: r.rowNumber,
        sourceReferralId: r.sourceReferralId,
        problems: r.problems,
        raw: r.raw,
        cleared: r.clearedAt !== null,
        clearedByRunId: r.clearedByRunId,
      })),
      next: rows.length > limit && last ? encodeCursor([last.rowNumber]) : null,
    };
  }
}
