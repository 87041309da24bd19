import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { pseudonymFor } from '../common/identity/pseudonym.js';
import { londonDate } from '../common/time/calendar-date.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { LinkageService } from '../linkage/linkage.service.js';
import {
  ImportRunRepository,
  type NewReject,
  type RunRow,
  type RunTrigger,
} from './import-run.repository.js';
import { IngestError, IngestErrorCode } from './ingest.errors.js';
import { fingerprintUnder } from './mapping/fingerprint.js';
import { validateRecord, type RecordProblem } from './mapping/ingest-record.js';
import { ListedReferrals, UNCHANGED } from './pipeline/listed-referrals.js';
import { stageRecord, toCopyLine } from './pipeline/staged-row.js';
import { openByteSource } from './readers/byte-source.js';
import { readCsvItems } from './readers/csv-reader.js';
import { readFhirItems } from './readers/fhir-reader.js';
import type { SourceItem } from './readers/source-item.js';
import { CsvConfig, type ResolvedSource } from './sources/source-config.js';
import { SourcesService } from './sources/sources.service.js';
import { StagingRepository, type StagingSession } from './staging.repository.js';

export interface PullRequest {
  trigger: RunTrigger;
  actor: { subject: string; role: string };
  /** CLI only: import this file instead of the source's location (CSV sources). */
  file?: string;
}

export interface StartedPull {
  run: RunRow;
  /** Settles with the finished run (succeeded or failed); never rejects. */
  done: Promise<RunRow>;
}

const REJECT_BATCH = 500;
const PROGRESS_EVERY_MS = 1000;
/** Above this, the audit record names the run instead of listing every child (the run links them). */
const AUDIT_CHILD_IDS_MAX = 10_000;

/**
 * A pull, start to finish: read the source as a stream, validate each row (rejects are kept with
 * their reasons), COPY accepted rows into a staging table, then apply everything in one transaction
 * so a failure at any point leaves the previous state exactly as it was.
 *
 * When the service stops, no new pull starts, and a pull still reading its source stops (an HTTP
 * request in flight is abandoned at once, a file at its next batch); it is recorded as failed and
 * nothing from it is applied. A pull already applying finishes. All of it happens before the database
 * pool closes, so no pull is cut off holding a connection or a lock.
 */
@Injectable()
export class IngestService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(IngestService.name);
  /** Aborted when the service stops (see beforeApplicationShutdown). */
  private readonly stop = new AbortController();
  /** Pulls being started or running, each until its end. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sources: SourcesService,
    private readonly runs: ImportRunRepository,
    private readonly staging: StagingRepository,
    private readonly linkage: LinkageService,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  /** Runs left "running" by a crash are closed as failed, for every source nobody is pulling now. */
  async onModuleInit(): Promise<void> {
    for (const source of this.sources.all()) {
      const session = await this.staging.open(source.id);
      if (!session) continue;
      try {
        const e = IngestError.interrupted();
        await this.runs.failInterrupted(source.id, e.code, e.message);
      } finally {
        await session.close();
      }
    }
  }

  /** Runs before the database module's shutdown (Nest calls every module's hook of this kind first). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort();
    // No pull starts once the signal is aborted, so the set no longer grows.
    await Promise.all([...this.inFlight]);
  }

  /** Starts a pull; refuses if the source is unknown or already being pulled (here or on another instance). */
  start(sourceId: string, req: PullRequest): Promise<StartedPull> {
    if (this.stop.signal.aborted) return Promise.reject(IngestError.stopping());
    // Tracked from the first step to the end: a shutdown waits for a pull being started as for one
    // running. (`done` never rejects.)
    const starting = this.begin(sourceId, req);
    const whole = starting.then(
      (s) => s.done,
      () => undefined,
    );
    this.inFlight.add(whole);
    void whole.finally(() => this.inFlight.delete(whole));
    return starting;
  }

  private async begin(sourceId: string, req: PullRequest): Promise<StartedPull> {
    const source = this.sources.get(sourceId);
    if (req.file && source.kind === 'fhir') {
      throw new IngestError(
        'validation',
        IngestErrorCode.NoFile,
        `Source "${source.id}" is a FHIR source: --file works only with CSV sources.`,
      );
    }
    const session = await this.staging.open(source.id);
    if (!session) throw IngestError.pullInProgress(source.id);
    if (this.stop.signal.aborted) {
      await session.close();
      throw IngestError.stopping();
    }
    let run: RunRow;
    try {
      const e = IngestError.interrupted();
      await this.runs.failInterrupted(source.id, e.code, e.message);
      run = await this.runs.create({
        sourceId: source.id,
        sourceKind: source.kind,
        mode: source.mode,
        trigger: req.trigger,
        triggeredBy: req.actor.subject,
      });
    } catch (error) {
      await session.close();
      throw error;
    }
    this.logger.log({ runId: run.id, sourceId: source.id, trigger: req.trigger }, 'import started');
    // Never rejects: execute() records every failure on the run; the fallbacks cover a lost database.
    const done = this.execute(source, run, session, req)
      .catch(() => run)
      .finally(() => session.close().catch(() => undefined));
    return { run, done };
  }

  /** Starts a pull and waits for it to finish. */
  async pull(sourceId: string, req: PullRequest): Promise<RunRow> {
    return (await this.start(sourceId, req)).done;
  }

  private async execute(
    source: ResolvedSource,
    run: RunRow,
    session: StagingSession,
    req: PullRequest,
  ): Promise<RunRow> {
    const t0 = Date.now();
    const today = londonDate();
    const state: StageState = {
      read: 0,
      rejected: 0,
      unchanged: 0,
      missing: [],
      location: undefined,
      sha: null,
    };
    let ticker: NodeJS.Timeout | undefined;
    try {
      await session.createStagingTable();
      let items: AsyncIterable<SourceItem[]>;
      let sha = (): string | null => null;
      if (source.kind === 'fhir') {
        items = readFhirItems(source, undefined, this.stop.signal);
        state.location = source.location.replace(/\?.*$/, '');
      } else {
        const bytes = await openByteSource(source, req.file, this.stop.signal);
        state.location = bytes.location;
        sha = () => bytes.sha256() || null;
        items = readCsvItems(bytes, Object.assign(new CsvConfig(), source.csv));
      }
      await this.runs.progress(run.id, {
        phase: 'reading',
        rowsRead: 0,
        rowsRejected: 0,
        location: state.location,
      });
      // Rows so far, on the run about once a second (GET /api/imports/:id), even while the source stalls.
      let written = 0;
      ticker = setInterval(() => {
        if (state.read === written) return;
        written = state.read;
        void this.runs
          .progress(run.id, {
            phase: 'reading',
            rowsRead: state.read,
            rowsRejected: state.rejected,
          })
          .catch(() => undefined);
      }, PROGRESS_EVERY_MS);
      const ms: Record<string, number> = {};
      let lap = Date.now();
      const phase = (name: string) => {
        ms[name] = Date.now() - lap;
        lap = Date.now();
      };
      const stored = await this.staging.knownFingerprints(source.id);
      const listed = new ListedReferrals(stored.ids, stored.fingerprints);
      phase('knownMs');
      await this.stageItems(source, run, session, items, listed, state, today);
      phase('readMs');
      clearInterval(ticker);
      state.sha = sha();

      if (state.read === 0 && source.mode === 'snapshot') {
        throw IngestError.emptyFile('the file has a header but no rows');
      }
      if (state.read > 0 && state.rejected / state.read > source.maxRejectRatio) {
        throw IngestError.tooManyRejects(state.rejected, state.read, source.maxRejectRatio);
      }
      if (this.stop.signal.aborted) throw IngestError.stopping();
      await session.finishCopy();
      phase('copyMs');
      await this.runs.progress(run.id, {
        phase: 'applying',
        rowsRead: state.read,
        rowsRejected: state.rejected,
      });

      const snapshot = source.mode === 'snapshot';
      const params = {
        runId: run.id,
        sourceId: source.id,
        serviceCode: source.service,
        providerCode: source.provider,
        snapshot,
        today,
        missingReferralIds: snapshot ? state.missing : [],
      };
      const result = await session.inTransaction(async (m) => {
        lap = Date.now();
        const counts = await session.applyReferrals(m, params);
        phase('referralsMs');
        const link = await this.linkage.linkStagedChildren(m, source.id, run.id);
        phase('linkageMs');
        const cleared = await session.clearEarlierRejects(m, params);
        const childIds = [...new Set([...counts.childIds, ...link.childIds])];
        const numbers = {
          rowsNew: counts.rowsNew,
          rowsUpdated: counts.rowsUpdated,
          rowsUnchanged: counts.rowsUnchanged + state.unchanged,
          rowsRemoved: counts.rowsRemoved,
          childrenNew: counts.childrenNew,
        };
        await session.finishRun(m, run.id, {
          ...numbers,
          rowsRead: state.read,
          rowsRejected: state.rejected,
          childrenChanged: childIds.length,
          contentSha256: state.sha,
          location: state.location ?? null,
        });
        await this.audit.record(
          {
            action: 'import',
            resource: 'referral-list',
            actor: req.actor,
            purpose: 'waiting-list-management',
            childIds: childIds.length <= AUDIT_CHILD_IDS_MAX ? childIds : [],
            detail: {
              runId: run.id,
              sourceId: source.id,
              ...numbers,
              rowsRejected: state.rejected,
              childrenChanged: childIds.length,
              issuesOpened: link.issuesOpened,
              issuesResolved: link.issuesResolved,
              rejectsCleared: cleared,
            },
          },
          m,
        );
        return { numbers, childIds, link };
      });
      phase('restMs');
      this.events.publish({
        type: 'import.completed',
        runId: run.id,
        sourceId: source.id,
        childIds: result.childIds,
      });
      this.logger.log(
        {
          runId: run.id,
          sourceId: source.id,
          rowsRead: state.read,
          ...result.numbers,
          rowsRejected: state.rejected,
          issuesOpened: result.link.issuesOpened,
          ms: Date.now() - t0,
          // Where the time went: reading (parse, validate, staging COPY), ending the COPY, the apply.
          phases: ms,
        },
        'import succeeded',
      );
    } catch (error) {
      clearInterval(ticker);
      const e = asIngestError(error);
      this.logger.warn(
        {
          runId: run.id,
          sourceId: source.id,
          code: e.code,
          rowsRead: state.read,
          ms: Date.now() - t0,
        },
        'import failed',
      );
      await this.runs
        .fail(run.id, {
          rowsRead: state.read,
          rowsRejected: state.rejected,
          code: e.code,
          message: e.message,
          contentSha256: state.sha ?? undefined,
        })
        .catch(() => undefined);
    }
    return (await this.runs.findById(run.id)) ?? run;
  }

  /**
   * Validates each item; accepted rows stream into the staging table, rejected rows are kept with
   * reasons. A row whose fingerprint matches what the referral was last imported from is unchanged
   * and skips validation and staging altogether (the common case for a scheduled snapshot).
   */
  private async stageItems(
    source: ResolvedSource,
    run: RunRow,
    session: StagingSession,
    items: AsyncIterable<SourceItem[]>,
    listed: ListedReferrals,
    state: StageState,
    today: string,
  ): Promise<void> {
    const ctx = { today, maxAgeYearsAtReferral: source.maxAgeYearsAtReferral };
    const rules = this.sources.clockRules(source);
    let rejects: NewReject[] = [];
    let lastNhs = '';
    let lastPseudonym = '';
    const flush = async () => {
      const batch = rejects;
      rejects = [];
      await this.runs.insertRejects(run.id, source.id, batch);
    };
    // Rows come in batches (a chunk of the file, a FHIR page): one await per batch, not per row.
    for await (const batch of items) {
      if (this.stop.signal.aborted) throw IngestError.stopping();
      for (const item of batch) {
        state.read++;
        const { referralId } = item;
        const fingerprint = fingerprintUnder(item.fingerprint, rules);
        let first: number | undefined;
        if (referralId) {
          const listing = listed.list(referralId, item.rowNumber, fingerprint);
          if (listing === UNCHANGED && item.wellFormed) {
            state.unchanged++;
            this.logProgress(source, run, state);
            continue;
          }
          if (listing > 0) first = listing;
        }
        const { fields, problems: readProblems } = item.read();
        const checked = validateRecord(fields, ctx);
        const problems: RecordProblem[] = [...readProblems];
        if ('problems' in checked) {
          for (const p of checked.problems) {
            if (!problems.some((q) => q.field === p.field)) problems.push(p);
          }
        }
        if (first !== undefined) {
          problems.push({
            field: 'referralId',
            message: `referralId appears more than once in this list (first at row ${first}); the first was kept`,
          });
        }
        if (problems.length > 0 || 'problems' in checked) {
          state.rejected++;
          rejects.push({
            rowNumber: item.rowNumber,
            sourceReferralId: referralId,
            problems,
            raw: item.raw(),
          });
          if (rejects.length >= REJECT_BATCH) await flush();
        } else {
          const r = checked.record;
          if (r.nhsNumber !== lastNhs) {
            lastNhs = r.nhsNumber;
            lastPseudonym = pseudonymFor(r.nhsNumber, this.config.pseudonymSecret);
          }
          if (
            session.write(
              toCopyLine(stageRecord(item.rowNumber, r, lastPseudonym, fingerprint, rules)),
            )
          ) {
            await session.drain();
          }
        }
        this.logProgress(source, run, state);
      }
    }
    await flush();
    state.missing = listed.missing();
  }

  /** A log line every progressEveryRows rows (the run itself is updated by a timer, see execute). */
  private logProgress(source: ResolvedSource, run: RunRow, state: StageState): void {
    if (state.read % source.progressEveryRows === 0) {
      this.logger.log(
        { runId: run.id, sourceId: source.id, rowsRead: state.read, rowsRejected: state.rejected },
        'import progress',
      );
    }
  }
}

interface StageState {
  read: number;
  rejected: number;
  /** Rows recognised as unchanged by their fingerprint (never staged). */
  unchanged: number;
  /** Referral ids on the list before this pull but not in it (a snapshot marks them removed). */
  missing: string[];
  location: string | undefined;
  sha: string | null;
}

function asIngestError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const pgCode = (error as { code?: unknown })?.code;
  return IngestError.applyFailed(
    typeof pgCode === 'string'
      ? `database error ${pgCode}`
      : ((error as Error)?.name ?? 'unknown error'),
  );
}
