import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { decodeTimeIdCursor, type Page, timeIdPage } from '../../common/pagination/keyset.js';
import { londonDate } from '../../common/time/calendar-date.js';
import { overridesEndedBySystem } from '../overrides/override-ended-audit.js';
import { type ActiveTool, ToolVersionsService } from '../tool/tool-versions.service.js';
import { PrioritisationError, PrioritisationErrorCode } from '../prioritisation.errors.js';
import { RescoreRepository, type RunRow } from './rescore.repository.js';
import { type BatchScorer, FullRescoreScorer, inlineScorer } from './batch-scorer.js';
import { closingHistoryRows, type ScoredBatch } from './score-rows.js';

export interface RunReport {
  runId: string;
  kind: 'full' | 'incremental';
  reason: string;
  toolVersionId: string;
  toolVersion: number;
  asAt: string;
  childrenScored: number;
  referralsScored: number;
  childrenFlagged: number;
  /** Children who left every list (no open referral any more). */
  childrenRemoved: number;
  /** Clinicians' overrides ended because their child no longer waits for any service. */
  overridesEnded: number;
  /** "rule:kind" → number of children, e.g. "deprivation:missing-input": 12. */
  problems: Record<string, number>;
  durationMs: number;
  /** Where the main thread waited: for facts, for the scorer, for COPY, for the index builds and swap. */
  phasesMs: { readWait: number; score: number; writeWait: number; finish: number };
}

/**
 * Facts per batch, in bytes of COPY text: about 250 children. Small, so that what the scoring worker
 * allocates for a batch (its rows, copied out of its writers: ~300 kB at this size) stays in memory the
 * process reuses: on the benchmark box, memory mapped afresh cost more to fault in than the work done
 * in it. 256 kB batches (decoded in 64 kB windows, facts-row.ts): replacing rescores 10.04 s against
 * 9.64 s here, alternating, mean of eight; their first runs faulted twice as often.
 */
const BATCH_BYTES = 64 * 1024;
/**
 * A full rescore scores its first megabyte of facts (~4,000 children) in this thread and starts the
 * scoring worker only for a longer list: a small list is done before a worker would be ready.
 */
const INLINE_BATCHES = (1024 * 1024) / BATCH_BYTES;
/** Batches read and handed to the scorer ahead of the one being written. */
const AHEAD = 3;
/** A full rescore reads its facts as this many COPYs side by side (one snapshot): see openFacts. */
const FACTS_PARTS = 2;

/**
 * Rescoring (prioritisation.md "When to rescore"): full when the tool changes or nightly, incremental
 * for the children an import, triage decision, check-in or override touched. One run at a time
 * (in process, and by an advisory lock across instances). A child whose data breaks a rule is still
 * scored and counted as flagged in the run report; it never stops the run.
 *
 * When the service stops, the run in progress stops at its next batch and rolls back (its run is
 * recorded as failed), before the database pool closes: a run cut off by the pool closing under it
 * could wait for ever for a connection while another connection of it held an idle score table's
 * lock, and every later rescore, on any instance, waited behind that lock.
 */
@Injectable()
export class RescoreService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RescoreService.name);
  private queue: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly repository: RescoreRepository,
    private readonly tools: ToolVersionsService,
    private readonly audit: AuditService,
  ) {}

  /** Runs newest first, a page at a time (`next` continues the list). */
  async listRuns(q: { limit?: number; cursor?: string }): Promise<Page<RunRow>> {
    const limit = q.limit ?? 20;
    const after = q.cursor ? decodeTimeIdCursor(q.cursor) : undefined;
    const rows = await this.repository.listRuns(after, limit + 1);
    return timeIdPage(rows, limit, ({ keyAt: _, ...run }) => run);
  }

  async findRun(id: string): Promise<RunRow> {
    const run = await this.repository.findRun(id);
    if (!run) throw PrioritisationError.runNotFound();
    return run;
  }

  rescoreAll(reason: string, asAt = londonDate(), tool?: ActiveTool): Promise<RunReport> {
    return this.enqueue(() => this.run('full', null, reason, asAt, tool));
  }

  rescoreChildren(
    childIds: string[],
    reason: string,
    asAt = londonDate(),
  ): Promise<RunReport | null> {
    const ids = [...new Set(childIds)];
    if (ids.length === 0) return Promise.resolve(null);
    return this.enqueue(() => this.run('incremental', ids, reason, asAt));
  }

  /** Runs before the database module's shutdown (Nest calls every module's hook of this kind first). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.queue;
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(
    kind: 'full' | 'incremental',
    childIds: string[] | null,
    reason: string,
    asAt: string,
    given?: ActiveTool,
  ): Promise<RunReport> {
    if (this.stopping) throw PrioritisationError.serviceStopping();
    const t0 = Date.now();
    let tool = given ?? (await this.tools.active());
    const runId = await this.repository.startRun(kind, reason, tool.row.id, asAt);
    let children = 0;
    let referrals = 0;
    let flagged = 0;
    let removed = 0;
    let overridesEnded = 0;
    const problems: Record<string, number> = {};
    const phases = { readWait: 0, score: 0, writeWait: 0, finish: 0 };
    const since = (t: number) => Date.now() - t;
    try {
      await this.repository.runInWriteTransaction(async (w) => {
        // The version active now that this run holds the lock: another version may have been
        // activated (and everyone rescored with it, on another instance) while this run waited,
        // and scoring with the one read before would leave these children on a retired version.
        const current = await this.tools.active();
        if (current.row.id !== tool.row.id) {
          tool = current;
          await w.setRunTool(runId, tool.row.id);
        }
        const header = {
          runId,
          toolVersionId: tool.row.id,
          asAt,
          scoredAt: new Date().toISOString(),
        };
        // After a crash emptied the score tables, a child's score before this run is in its history.
        const scoresLost = await w.scoresLost();
        const facts = await this.repository.openFacts(
          asAt,
          childIds,
          BATCH_BYTES,
          FACTS_PARTS,
          scoresLost,
        );
        const scorer: BatchScorer = childIds
          ? inlineScorer(tool.compiled, header, facts.services, true)
          : new FullRescoreScorer(
              tool.compiled,
              {
                document: tool.compiled.document,
                knownServices: this.tools.knownServices(),
                header,
                services: facts.services,
                collectIds: false,
              },
              INLINE_BATCHES,
            );
        const seen = new Set<string>();
        // Incremental: which of the given children were scored (a full run asks at its swap).
        let before: Array<{ child_id: string }> = [];
        try {
          if (childIds) {
            before = await w.currentScores(childIds, scoresLost);
            await w.clearChildren(childIds);
          } else await w.beginFullRewrite();
          // Three stages side by side: this thread fetches the next batches and streams the scored
          // ones to PostgreSQL while the scorer (a worker thread for full rescores) scores.
          const inFlight: Array<Promise<ScoredBatch>> = [];
          let fetching: Promise<Uint8Array<ArrayBuffer> | null> | null = facts.nextBatch();
          // Awaited below, unless the run stops first (its failure must not go unhandled then).
          fetching.catch(() => undefined);
          for (;;) {
            if (this.stopping) throw PrioritisationError.serviceStopping();
            while (fetching && inFlight.length < AHEAD) {
              let t = Date.now();
              const rows: Uint8Array<ArrayBuffer> | null = await fetching;
              phases.readWait += since(t);
              fetching = rows ? facts.nextBatch() : null;
              fetching?.catch(() => undefined); // awaited on a later turn
              if (!rows) break;
              t = Date.now();
              const scored = scorer.score(rows);
              scored.catch(() => undefined);
              inFlight.push(scored);
              phases.score += since(t);
            }
            const next = inFlight.shift();
            if (!next) break;
            let t = Date.now();
            const batch = await next;
            phases.score += since(t);
            children += batch.childCount;
            referrals += batch.referralCount;
            flagged += batch.flagged;
            for (const [k, n] of batch.problems) problems[k] = (problems[k] ?? 0) + n;
            for (const id of batch.childIds) seen.add(id);
            t = Date.now();
            await w.copyBatch(batch.children, batch.referrals, batch.history);
            phases.writeWait += since(t);
          }
        } finally {
          await Promise.all([facts.close(), scorer.close()]);
        }
        const t = Date.now();
        // Children who left every list: their history ends with an empty entry.
        const gone = childIds
          ? before.filter((b) => !seen.has(b.child_id)).map((b) => b.child_id)
          : await w.finishFullRewrite(scoresLost);
        if (!childIds) await w.markScoresPresent();
        phases.finish = since(t);
        removed = gone.length;
        if (gone.length) await w.copyHistory(closingHistoryRows(gone, header));
        // An override was set for an episode of care: once the child waits for nothing it ends, so
        // a later referral is scored by the tool, not by a band set for an episode that is over
        // (prioritisation.md "Overrides and their expiry"). Same transaction as the scores.
        const ended = await w.endOverridesNoLongerWaiting(childIds, gone);
        overridesEnded = ended.length;
        if (ended.length) {
          await this.audit.record(
            overridesEndedBySystem(
              ended.map((e) => e.childId),
              'no-longer-waiting',
              { ended: ended.length, endedReason: 'no-longer-waiting', runId },
            ),
            w.manager,
          );
        }
        await w.finishRun(runId, {
          children,
          referrals,
          flagged,
          problems,
          detail: { removed, overridesEnded, durationMs: Date.now() - t0, phasesMs: phases },
        });
        await this.audit.record(
          {
            action: 'update',
            resource: 'child-priority',
            actor: { subject: 'system', role: 'system' },
            childIds: childIds ?? [],
            purpose: 'prioritisation',
            detail: { runId, kind, reason, toolVersionId: tool.row.id, children, flagged },
          },
          w.manager,
        );
      });
    } catch (error) {
      const failure = {
        errorType: error instanceof Error ? error.name : typeof error,
        ...(error instanceof DomainError ? { code: error.code } : {}),
      };
      await this.repository.failRun(runId, failure);
      if (failure.code === PrioritisationErrorCode.ServiceStopping) {
        this.logger.warn({ runId, kind }, 'rescore stopped: the service is stopping');
      } else {
        this.logger.error({ runId, kind, ...failure }, 'rescore failed');
      }
      throw error;
    }
    const report: RunReport = {
      runId,
      kind,
      reason,
      toolVersionId: tool.row.id,
      toolVersion: tool.row.version,
      asAt,
      childrenScored: children,
      referralsScored: referrals,
      childrenFlagged: flagged,
      childrenRemoved: removed,
      overridesEnded,
      problems,
      durationMs: Date.now() - t0,
      phasesMs: phases,
    };
    this.logger.log(
      { runId, kind, reason, children, referrals, flagged, overridesEnded, ms: report.durationMs },
      'rescore completed',
    );
    return report;
  }
}
