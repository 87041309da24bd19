import type { CompiledTool } from '../scoring/compile-tool.js';
import { scoreChild, type ChildScore } from '../scoring/score-child.js';
import { CopyBinaryWriter, encodeField, uuidField } from './copy-binary.js';
import type { ChildRow } from './facts-row.js';
import { rankKeyHigh, rankKeyLow } from './rank-key.js';
import {
  CHILD_PRIORITY_COLUMNS,
  HISTORY_COLUMNS,
  REFERRAL_PRIORITY_COLUMNS,
  type RunHeader,
} from './score-tables.js';

const EMPTY = new Uint8Array(0);

export interface ScoredBatch {
  /** COPY binary data for child_priority and referral_priority (copy-binary.ts). */
  children: Uint8Array<ArrayBuffer>;
  referrals: Uint8Array<ArrayBuffer>;
  /** COPY binary data for child_priority_history: only changed scores (empty if none changed). */
  history: Uint8Array<ArrayBuffer>;
  childCount: number;
  referralCount: number;
  flagged: number;
  /** "rule:kind" → number of children with that problem. */
  problems: Map<string, number>;
  childIds: string[];
}

/**
 * Scores a batch of children and prepares the rows to store: the score, bands and sort keys, the
 * input snapshot (so the explanation can be re-derived exactly) and the points of each factor.
 * An active clinician override sets the band shown and ranked (the tool band is kept beside it);
 * an override naming a band the tool does not have is ignored and reported as a problem.
 */
export function scoreRows(
  tool: CompiledTool,
  rows: Iterable<ChildRow>,
  run: RunHeader,
  collectIds = false,
  writers: RowWriters = new RowWriters(),
): ScoredBatch {
  const out: ScoredBatch = {
    children: EMPTY,
    referrals: EMPTY,
    history: EMPTY,
    childCount: 0,
    referralCount: 0,
    flagged: 0,
    problems: new Map(),
    childIds: [],
  };
  const bandIndex = new Map(tool.bands.map((b, i) => [b.code, i]));
  // The run's stamp is the same on every row: encoded once.
  const stamp = encodeStamp(run);
  const { toolVersionId, runId, asAt, scoredAt } = stamp;
  const children = writers.children.reset();
  const referrals = writers.referrals.reset();
  let history: CopyBinaryWriter | null = null;
  for (const row of rows) {
    const f = row.facts;
    const s = scoreChild(tool, f, { inputs: false });
    let band = s.band;
    let bandRank = s.bandRank;
    const overrideRank = row.overrideBand === null ? undefined : bandIndex.get(row.overrideBand);
    if (row.overrideBand !== null) {
      if (overrideRank === undefined) {
        s.problems.push({
          rule: 'clinician-override',
          kind: 'error',
          detail: 'the override band is not a band of this tool',
        });
      } else {
        band = row.overrideBand;
        bandRank = overrideRank;
      }
    }
    if (s.problems.length) {
      out.flagged++;
      for (const key of new Set(s.problems.map((p) => `${p.rule}:${p.kind}`))) {
        out.problems.set(key, (out.problems.get(key) ?? 0) + 1);
      }
    }
    // The child's id is on its row and on each of its referrals' rows: encoded once.
    const childId = uuidField(f.childId);
    // Sort columns (0 - x keeps a zero positive) and the rank key made of them (rank-key.ts).
    const negScore = 0 - s.score;
    const negWeeks = 0 - s.maxWeeksWaited;
    // Column order: CHILD_PRIORITY_COLUMNS (score-tables.ts).
    children
      .row(CHILD_PRIORITY_COLUMNS.length)
      .field(childId)
      .text(row.pseudonym)
      .field(toolVersionId)
      .field(runId)
      .field(asAt)
      .field(scoredAt)
      .float8(s.score)
      .text(s.band)
      .text(band)
      .int2(bandRank)
      .bool(overrideRank !== undefined)
      .bool(s.triggers.length > 0)
      .bool(s.problems.length > 0)
      .float8(negScore)
      .int4(s.maxWeeksWaited)
      .int4(negWeeks)
      .int2(s.services.length)
      .textArray(s.services)
      .textArray(s.providers)
      .text(f.locality)
      .textArray(f.flags)
      .textArray(f.flagDetails)
      .int4(f.ageYears)
      .int4(f.ageMonths)
      .int2(f.deprivationDecile)
      .text(f.checkIn?.answer)
      .int4(f.checkIn?.daysAgo)
      .float8(s.childPoints)
      .float8(s.referralPoints)
      .uuid(s.countedReferralId);
    writePoints(children, s.childFactors);
    writeTriggers(children, s.triggers);
    children.text(s.problems.length ? JSON.stringify(s.problems) : '');
    writePoints(children, s.topReasons);
    writeWaits(children, s.referrals);
    children.int8(rankKeyHigh(0, bandRank, negScore), rankKeyLow(negScore, negWeeks));
    for (let i = 0; i < s.referrals.length; i++) {
      const r = s.referrals[i];
      const rf = f.referrals[i];
      const negRankScore = 0 - r.rankScore;
      const negWaited = 0 - (r.weeksWaited ?? -1);
      // Column order: REFERRAL_PRIORITY_COLUMNS.
      referrals
        .row(REFERRAL_PRIORITY_COLUMNS.length)
        .uuid(r.referralId)
        .field(childId)
        .text(r.service)
        .int2(row.serviceNumbers[i])
        .text(r.provider)
        .text(rf.priority)
        .int4(rf.daysWaited)
        .int4(rf.targetWeeks)
        .int4(r.weeksWaited)
        .float8(r.points)
        .float8(r.rankScore)
        .int2(bandRank)
        .float8(negRankScore)
        .int4(negWaited);
      writePoints(referrals, r.factors);
      referrals.int8(
        rankKeyHigh(row.serviceNumbers[i], bandRank, negRankScore),
        rankKeyLow(negRankScore, negWaited),
      );
    }
    out.referralCount += s.referrals.length;
    out.childCount++;
    if (collectIds) out.childIds.push(f.childId);
    if (row.previousScore !== s.score || row.previousBand !== band) {
      historyRow((history ??= writers.history.reset()), childId, stamp, {
        score: s.score,
        toolBand: s.band,
        band,
      });
    }
  }
  out.children = children.finish();
  out.referrals = referrals.finish();
  if (history) out.history = history.finish();
  return out;
}

/**
 * The writers a batch's rows are encoded with. The scoring worker keeps one set for the whole run:
 * each batch's rows are copied out of them (finish), and their buffers, once grown to a batch's
 * size, are written over by the next batch instead of being allocated afresh.
 */
export class RowWriters {
  readonly children = new CopyBinaryWriter();
  readonly referrals = new CopyBinaryWriter();
  private historyWriter: CopyBinaryWriter | null = null;

  /** Made when a batch first has a history row (a replacing rescore may have none). */
  get history(): CopyBinaryWriter {
    return (this.historyWriter ??= new CopyBinaryWriter());
  }
}

/**
 * Factors' points or top reasons as stored: "id=points;id=points", a reason without points (a
 * trigger) as its bare id; numbers as String() writes them. Written into the COPY stream piece by
 * piece: building a string per child and referral (1.3 million a full rescore) and copying it out
 * again cost about a tenth of the scoring worker's time.
 */
export function writePoints(
  w: CopyBinaryWriter,
  items: ReadonlyArray<{ id: string; points: number | null }>,
): void {
  writeJoined(w, items, (x) => {
    w.utf8(x.id);
    if (x.points === null) return;
    w.ascii('=');
    if (Number.isFinite(x.points)) w.jsonNumber(x.points);
    else w.ascii(String(x.points));
  });
}

/** Triggers that fired, as stored: "id;id@referralId" (the referral the trigger fired on, if any). */
export function writeTriggers(
  w: CopyBinaryWriter,
  triggers: ReadonlyArray<{ id: string; referralId?: string | null }>,
): void {
  writeJoined(w, triggers, (t) => {
    w.utf8(t.id);
    if (t.referralId) w.ascii('@').utf8(t.referralId);
  });
}

/** One text field: each item written by `write`, separated by ";". */
function writeJoined<T>(w: CopyBinaryWriter, items: readonly T[], write: (item: T) => void): void {
  const at = w.openField();
  for (let i = 0; i < items.length; i++) {
    if (i > 0) w.ascii(';');
    write(items[i]);
  }
  w.closeField(at);
}

/**
 * The start of one wait's JSON object up to its weeks, per service and provider (few pairs): written
 * as bytes, not built as a string per referral (391,000 children a full rescore).
 */
const waitHeads = new Map<string, Map<string, Uint8Array>>();

function waitHead(service: string, provider: string): Uint8Array {
  let byProvider = waitHeads.get(service);
  if (byProvider === undefined) {
    if (waitHeads.size >= 1_000) waitHeads.clear();
    waitHeads.set(service, (byProvider = new Map<string, Uint8Array>()));
  }
  let head = byProvider.get(provider);
  if (head === undefined) {
    if (byProvider.size >= 10_000) byProvider.clear();
    head = Buffer.from(
      `{"service":${JSON.stringify(service)},"provider":${JSON.stringify(provider)},"weeksWaited":`,
      'utf8',
    );
    byProvider.set(provider, head);
  }
  return head;
}

/**
 * Writes the child's waits as the ranked lists show them (`waits` column, migration
 * StoreWaitsWithChildScores): compact JSON as JSON.stringify writes it, keys in RankedWait order, one
 * object per referral, ordered by service code, provider code and referral id (code-unit order, the
 * same whatever the database's collation).
 */
export function writeWaits(w: CopyBinaryWriter, referrals: ChildScore['referrals']): void {
  const sorted = isSorted(referrals) ? referrals : sortedCopy(referrals);
  const at = w.openField();
  w.ascii('[');
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i];
    if (i > 0) w.ascii(',');
    w.bytes(waitHead(r.service, r.provider));
    if (r.weeksWaited === null) w.ascii('null');
    else w.jsonNumber(r.weeksWaited);
    w.ascii(',"score":').jsonNumber(r.rankScore).ascii('}');
  }
  w.ascii(']').closeField(at);
}

/**
 * The referrals in waits order: an insertion sort for a child's few (Array.prototype.sort allocates
 * its work arrays on every call), sort() past a few dozen.
 */
function sortedCopy(referrals: ChildScore['referrals']): ChildScore['referrals'] {
  const out = referrals.slice();
  if (out.length > 32) return out.sort(byServiceProviderId);
  for (let i = 1; i < out.length; i++) {
    const x = out[i];
    let j = i;
    for (; j > 0 && byServiceProviderId(out[j - 1], x) > 0; j--) out[j] = out[j - 1];
    out[j] = x;
  }
  return out;
}

function isSorted(referrals: ChildScore['referrals']): boolean {
  for (let i = 1; i < referrals.length; i++) {
    if (byServiceProviderId(referrals[i - 1], referrals[i]) > 0) return false;
  }
  return true;
}

function byServiceProviderId(
  a: ChildScore['referrals'][number],
  b: ChildScore['referrals'][number],
): number {
  if (a.service !== b.service) return a.service < b.service ? -1 : 1;
  if (a.provider !== b.provider) return a.provider < b.provider ? -1 : 1;
  return a.referralId < b.referralId ? -1 : a.referralId > b.referralId ? 1 : 0;
}

/** A run's stamp on every row, encoded once per batch (encodeField). */
interface EncodedStamp {
  runId: Uint8Array;
  toolVersionId: Uint8Array;
  asAt: Uint8Array;
  scoredAt: Uint8Array;
}

/**
 * One child_priority_history row (column order: HISTORY_COLUMNS; `childId` from uuidField). No
 * score: the child left every list, and its history ends with an empty entry.
 */
function historyRow(
  w: CopyBinaryWriter,
  childId: Uint8Array,
  stamp: EncodedStamp,
  score: { score: number; toolBand: string; band: string } | null,
): void {
  w.row(HISTORY_COLUMNS.length)
    .field(childId)
    .field(stamp.runId)
    .field(stamp.toolVersionId)
    .field(stamp.asAt)
    .field(stamp.scoredAt);
  if (score) w.float8(score.score).text(score.toolBand).text(score.band);
  else w.null().null().null();
}

/** History rows that end the history of children who left every list (COPY binary data). */
export function closingHistoryRows(childIds: string[], run: RunHeader): Uint8Array<ArrayBuffer> {
  const w = new CopyBinaryWriter(childIds.length * 64 + 64);
  const stamp = encodeStamp(run);
  for (const id of childIds) historyRow(w, uuidField(id), stamp, null);
  return w.finish();
}

function encodeStamp(run: RunHeader): EncodedStamp {
  return {
    runId: encodeField((w) => w.uuid(run.runId)),
    toolVersionId: encodeField((w) => w.uuid(run.toolVersionId)),
    asAt: encodeField((w) => w.date(run.asAt)),
    scoredAt: encodeField((w) => w.timestamptz(run.scoredAt)),
  };
}
