// Worker thread of a full rescore (batch-scorer.ts): compiles the tool once, then parses and scores
// each batch of facts (COPY text bytes, facts-row.ts) it is sent and posts back the encoded score
// and history rows (binary COPY), in the order the batches came.
// Scoring runs here so the main thread is free to stream the previous batches to PostgreSQL.
import { parentPort, workerData } from 'node:worker_threads';
import { compileTool } from '../scoring/compile-tool.js';
import type { ScoreWorkerData } from './batch-scorer.js';
import { factsRows } from './facts-row.js';
import { RowWriters, scoreRows } from './score-rows.js';

const data = workerData as ScoreWorkerData;
const tool = compileTool(data.document, data.knownServices);
const port = parentPort!;
// Reused batch after batch (score-rows.ts).
const writers = new RowWriters();
port.on('message', (facts: Uint8Array) => {
  const rows = factsRows(facts, data.header.asAt, data.services);
  const batch = scoreRows(tool, rows, data.header, data.collectIds, writers);
  // Hand the encoded rows over rather than copying them.
  const buffers = [batch.children, batch.referrals, batch.history]
    .filter((b) => b.length)
    .map((b) => b.buffer);
  port.postMessage(batch, buffers);
});
