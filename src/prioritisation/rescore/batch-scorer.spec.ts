import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parseTool } from '../tool/parse-tool.js';
import { FullRescoreScorer, inlineScorer, WorkerScorer } from './batch-scorer.js';
import { factsText, TEST_SERVICE_FACTS } from '../../../test/utils/facts-text.js';
import { parseFacts } from './facts-row.js';
import { RowWriters, scoreRows } from './score-rows.js';

const SERVICES = ['neurodiversity', 'slt', 'community-paediatrics', 'mental-health'];
const SOURCE = readFileSync(
  new URL('../../../config/prioritisation-tool.yaml', import.meta.url),
  'utf8',
);
const HEADER = {
  runId: '00000000-0000-4000-8000-000000000001',
  toolVersionId: '00000000-0000-4000-8000-000000000002',
  asAt: '2026-11-25',
  scoredAt: '2026-11-25T01:30:00.000Z',
};

/** Facts of children from..from+n as the facts query's COPY text output (a fresh buffer each call). */
function rows(from: number, n: number): Uint8Array<ArrayBuffer> {
  return factsText(
    Array.from({ length: n }, (_, k) => {
      const i = from + k;
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const refs = [`${id.slice(0, -1)}a,slt,RXA,${i % 3 ? 'routine' : 'urgent'},${i * 11}`];
      if (i % 2) {
        refs.push(`${id.slice(0, -1)}b,neurodiversity,RXB,soon,${i % 5 ? i * 3 : ''}`);
      }
      return [
        id,
        `P${i}`,
        i % 4 ? 'Northbridge' : null,
        i % 7 ? (i % 10) + 1 : null,
        i % 13
          ? `${2010 + (i % 16)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`
          : null,
        refs.join(';'),
        i % 3 ? null : 'ehcp|not-in-school:excluded\tsince\\May',
        i % 5 ? null : 'worse',
        i % 5 ? null : i % 20,
        i % 9 ? null : 'P1',
        i % 2 ? null : 40,
        i % 2 ? null : 'P3',
      ];
    }),
  );
}

describe(WorkerScorer.name, () => {
  const parsed = parseTool(SOURCE, SERVICES);
  if (!parsed.valid) throw new Error(parsed.problems.join('\n'));
  const tool = parsed.compiled;

  it('should score batches in a worker exactly as in this thread, in the order they were sent', async () => {
    const inline = inlineScorer(tool, HEADER, TEST_SERVICE_FACTS, false);
    const worker = new WorkerScorer({
      document: tool.document,
      knownServices: SERVICES,
      header: HEADER,
      services: TEST_SERVICE_FACTS,
      collectIds: false,
    });
    try {
      const batches = () => [rows(0, 300), rows(300, 5), rows(305, 200)];
      // Fresh buffers for each: the worker takes its buffers over (they are transferred).
      const fromWorker = await Promise.all(batches().map((b) => worker.score(b)));
      const fromInline = await Promise.all(batches().map((b) => inline.score(b)));
      expect(fromWorker.map((b) => b.childCount)).toEqual([300, 5, 200]);
      expect(fromWorker).toEqual(fromInline);
      expect(fromWorker[0].history.length).toBeGreaterThan(0);
      expect(fromWorker[0].problems.size).toBeGreaterThan(0);
    } finally {
      await worker.close();
    }
  });

  it('should reject batches once closed instead of waiting for ever', async () => {
    const worker = new WorkerScorer({
      document: tool.document,
      knownServices: SERVICES,
      header: HEADER,
      services: TEST_SERVICE_FACTS,
      collectIds: false,
    });
    await worker.close();
    await expect(worker.score(rows(0, 1))).rejects.toThrow('closed');
  });
});

describe(FullRescoreScorer.name, () => {
  const parsed = parseTool(SOURCE, SERVICES);
  if (!parsed.valid) throw new Error(parsed.problems.join('\n'));
  const tool = parsed.compiled;

  it('should score the first batches in this thread and hand the rest to a worker, keeping the order', async () => {
    const data = {
      document: tool.document,
      knownServices: SERVICES,
      header: HEADER,
      services: TEST_SERVICE_FACTS,
      collectIds: false,
    };
    const scorer = new FullRescoreScorer(tool, data, 1);
    const inline = inlineScorer(tool, HEADER, TEST_SERVICE_FACTS, false);
    try {
      const batches = () => [rows(0, 50), rows(50, 50), rows(100, 50)];
      const got = await Promise.all(batches().map((b) => scorer.score(b)));
      expect(scorer.workerStarted).toBe(true);
      expect(got).toEqual(await Promise.all(batches().map((b) => inline.score(b))));
      expect(got.map((b) => b.childCount)).toEqual([50, 50, 50]);
    } finally {
      await scorer.close();
    }
  });
});

describe(RowWriters.name, () => {
  const parsed = parseTool(SOURCE, SERVICES);
  if (!parsed.valid) throw new Error(parsed.problems.join('\n'));
  const tool = parsed.compiled;

  it('should encode each batch as fresh writers would, leaving the batches already handed out as they were', () => {
    const writers = new RowWriters();
    const batches = [rows(0, 300), rows(300, 5), rows(305, 200)].map((b) =>
      parseFacts(b, HEADER.asAt, TEST_SERVICE_FACTS),
    );
    // A copy of each batch's bytes as it was handed out, taken before the next batch is scored.
    const asHandedOut: Uint8Array[][] = [];
    const reused = batches.map((b) => {
      const scored = scoreRows(tool, b, HEADER, false, writers);
      asHandedOut.push([scored.children, scored.referrals, scored.history].map((x) => x.slice()));
      return scored;
    });
    const fresh = batches.map((b) => scoreRows(tool, b, HEADER, false));
    expect(reused).toEqual(fresh);
    expect(reused.map((b) => [b.children, b.referrals, b.history])).toEqual(asHandedOut);
    expect(reused[1].children.length).toBeLessThan(reused[0].children.length);
    expect(reused.every((b) => b.history.length > 0)).toBe(true);
  });
});
