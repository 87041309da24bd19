import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CompiledTool } from '../scoring/compile-tool.js';
import type { ToolDocument } from '../scoring/tool-document.js';
import { factsRows, type ServiceFacts } from './facts-row.js';
import type { RunHeader } from './score-tables.js';
import { RowWriters, type ScoredBatch, scoreRows } from './score-rows.js';

/** Scores batches of facts (COPY text lines, facts-row.ts), resolving in the order they were given. */
export interface BatchScorer {
  /** The scorer may take the buffer over (a worker's is transferred): do not use it afterwards. */
  score(facts: Uint8Array<ArrayBuffer>): Promise<ScoredBatch>;
  close(): Promise<void>;
}

/** What the scoring worker needs to compile the same tool and stamp the same run. */
export interface ScoreWorkerData {
  document: ToolDocument;
  knownServices: string[];
  header: RunHeader;
  /** The facts' services (Facts.services), to parse each batch with. */
  services: ServiceFacts;
  collectIds: boolean;
}

/**
 * Scores in this thread: for incremental rescores (a few children; no worker start-up) and the
 * first batches of a full one. Its row writers are reused from batch to batch, as the worker's are.
 */
export function inlineScorer(
  tool: CompiledTool,
  header: RunHeader,
  services: ServiceFacts,
  collectIds: boolean,
): BatchScorer {
  const writers = new RowWriters();
  return {
    score: (facts) => {
      try {
        const rows = factsRows(facts, header.asAt, services);
        return Promise.resolve(scoreRows(tool, rows, header, collectIds, writers));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    close: () => Promise.resolve(),
  };
}

/**
 * Scores in a worker thread (score-worker.ts) so that, during a full rescore, scoring and the COPY
 * to PostgreSQL run side by side on the box's two cores instead of taking turns on one thread.
 * The worker compiles the same tool document; batches come back in the order they were sent.
 */
export class WorkerScorer implements BatchScorer {
  private readonly worker: Worker;
  private readonly waiting: Array<{
    resolve: (b: ScoredBatch) => void;
    reject: (e: Error) => void;
  }> = [];
  private failure: Error | null = null;

  constructor(data: ScoreWorkerData) {
    this.worker = startWorker(data);
    this.worker.on('message', (batch: ScoredBatch) => this.waiting.shift()?.resolve(batch));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the scoring worker stopped (${code})`)));
  }

  score(facts: Uint8Array<ArrayBuffer>): Promise<ScoredBatch> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      // Handed over, not copied (the buffer holds only this batch: FactsReader).
      this.worker.postMessage(facts, [facts.buffer]);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the scoring worker was closed');
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }
}

/**
 * A full rescore's scorer: the first batches are scored in this thread, and only a list longer than
 * that starts the worker (a worker costs a thread and its start-up; a small list is done before it
 * would be ready).
 */
export class FullRescoreScorer implements BatchScorer {
  private batches = 0;
  private worker: WorkerScorer | null = null;
  private readonly inline: BatchScorer;

  constructor(
    tool: CompiledTool,
    private readonly data: ScoreWorkerData,
    private readonly inlineBatches: number,
  ) {
    this.inline = inlineScorer(tool, data.header, data.services, data.collectIds);
  }

  score(facts: Uint8Array<ArrayBuffer>): Promise<ScoredBatch> {
    if (++this.batches <= this.inlineBatches) return this.inline.score(facts);
    // One worker: the other core is PostgreSQL's (COPY, then index builds). A second worker was
    // measured no faster on the 2-core box.
    this.worker ??= new WorkerScorer(this.data);
    return this.worker.score(facts);
  }

  /** Whether the list was long enough to start the worker. */
  get workerStarted(): boolean {
    return this.worker !== null;
  }

  async close(): Promise<void> {
    await this.worker?.close();
  }
}

function startWorker(data: ScoreWorkerData): Worker {
  const compiled = new URL('./score-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData: data });
  // Running from the TypeScript sources (jest): a loader transpiles them in the worker.
  return new Worker(new URL('./ts-worker-bootstrap.mjs', import.meta.url), {
    workerData: { ...data, entry: new URL('./score-worker.ts', import.meta.url).href },
  });
}
