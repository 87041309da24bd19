import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { IngestError } from '../ingest.errors.js';
import { bindCsvHeader, type BoundCsvMapper } from '../mapping/csv-row-mapper.js';
import type { CsvConfig } from '../sources/source-config.js';
import type { ByteSource } from './byte-source.js';
import type { SourceItem } from './source-item.js';

/** A row longer than this is a runaway quoted field, not data: stop instead of buffering the file. */
export const MAX_RECORD_CHARS = 1_000_000;

/** Rows parsed from one chunk of text, with the quote problems found in them (a row index each). */
interface RowBatch {
  rows: string[][];
  problems: Array<{ row: number; code: string }>;
  /** The text after these rows passed MAX_RECORD_CHARS without ending a row: reading stopped. */
  runaway?: true;
}

/**
 * Streams a CSV export (never the whole file in memory): UTF-8 with or without BOM or
 * Windows-1252, quoted fields, CRLF or LF. The header row is checked against the source's mapping
 * first. Rows come out in batches (one per chunk of the file), so the caller awaits once per
 * chunk, not once per row. Row numbers are as a spreadsheet shows them (the header is row 1; a
 * quoted field spanning lines is still one row).
 */
export async function* readCsvItems(
  source: ByteSource,
  csv: CsvConfig,
): AsyncGenerator<SourceItem[]> {
  const bytes = source.open();
  let text: Readable;
  if (csv.encoding === 'windows-1252') {
    text = bytes.pipe(iconv.decodeStream('win1252')) as unknown as Readable;
  } else {
    // Decoding in the stream keeps a character split across two chunks whole.
    bytes.setEncoding('utf8');
    text = bytes;
  }
  const batches = parseRows(text, csv.delimiter);
  if (text !== bytes) bytes.on('error', (e) => batches.destroy(e));
  let mapper: BoundCsvMapper | undefined;
  let rowNumber = 1;
  try {
    for await (const batch of batches as AsyncIterable<RowBatch>) {
      const items: SourceItem[] = [];
      // The first quote problem fails the run, so only that one matters.
      const problemAt = batch.problems[0]?.row ?? -1;
      const problemCode = batch.problems[0]?.code;
      for (let i = 0; i < batch.rows.length; i++) {
        const values = batch.rows[i];
        const isProblem = i === problemAt;
        // An empty line is skipped (a quote problem on it is not, as it may span lines).
        if (values.length === 1 && values[0] === '' && !isProblem) continue;
        if (!mapper) {
          if (isProblem) throw IngestError.malformedCsv(problemCode, 1);
          const bound = bindCsvHeader(values, csv);
          if ('missing' in bound) throw IngestError.missingColumns(bound.missing, bound.hint);
          mapper = bound.mapper;
          continue;
        }
        rowNumber++;
        if (isProblem) throw IngestError.malformedCsv(problemCode, rowNumber);
        items.push(new CsvItem(mapper, values, rowNumber));
      }
      if (batch.runaway) {
        throw IngestError.malformedCsv('CSV_MAX_RECORD_SIZE', mapper ? rowNumber + 1 : 1);
      }
      if (items.length > 0) yield items;
    }
  } finally {
    batches.destroy();
    source.close();
  }
  if (!mapper) throw IngestError.emptyFile('the file has no header row');
}

/** One CSV row; a class rather than closures per row (250,000 rows make the difference). */
class CsvItem implements SourceItem {
  readonly referralId: string | null;
  readonly fingerprint: number;
  readonly wellFormed: boolean;

  constructor(
    private readonly bound: BoundCsvMapper,
    private readonly values: string[],
    readonly rowNumber: number,
  ) {
    this.referralId = bound.referralId(values);
    this.fingerprint = bound.fingerprint(values);
    this.wellFormed = values.length === bound.header.length;
  }

  read(): ReturnType<SourceItem['read']> {
    const mapped = this.bound.map(this.values);
    if (!this.wellFormed) {
      mapped.problems.unshift({
        field: 'row',
        message: `the row has ${this.values.length} fields but the header has ${this.bound.header.length} (a stray delimiter or quote?)`,
      });
    }
    return mapped;
  }

  raw(): Record<string, string> {
    return rawRow(this.bound.header, this.values);
  }
}

/**
 * Papa Parse over a text stream, as a stream of row batches with back-pressure (the parser and the
 * file pause while the consumer is behind). Papa Parse keeps the text after the last complete row
 * and parses it again with the next chunk; an unclosed quote would make that grow to the end of
 * the file, so reading stops once it passes MAX_RECORD_CHARS (a batch marked runaway, after the
 * rows before it). Papa Parse reads on after a quote problem; here the row with the problem fails
 * the run, as an unbalanced quote may have shifted every row after it.
 */
function parseRows(decoded: Readable, delimiter: string): Readable {
  const text = decoded.pipe(new FirstLineGate());
  let handle: Papa.Parser | undefined;
  let paused = false;
  // Lengths of the chunks handed to Papa Parse, oldest first: it parses them in order, one per
  // chunk callback, so `parsed` is exactly the text it has seen (what it holds back included).
  const chunks: number[] = [];
  let parsed = 0;
  const out = new Readable({
    objectMode: true,
    // One batch waiting, not four: rows parsed ahead of the consumer live through the young
    // generation's collections and are copied into the old one; with four batches queued, the
    // garbage collector took ~0.4 s more of an unchanged 250,000-row re-import (docs/ingest.md).
    highWaterMark: 1,
    read() {
      if (paused && handle) {
        paused = false;
        handle.resume();
        text.resume();
      }
    },
    destroy(error, callback) {
      stop();
      callback(error);
    },
  });
  const stop = () => {
    decoded.unpipe(text);
    decoded.destroy();
    text.destroy();
  };
  text.on('data', (chunk: string) => chunks.push(chunk.length));
  Papa.parse<string[]>(text, {
    delimiter,
    quoteChar: '"',
    // A UTF-8 byte-order mark is not part of the first header name.
    beforeFirstChunk: (chunk) => (chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk),
    chunk(results, parser) {
      if (out.destroyed) return parser.abort();
      handle = parser;
      parsed += chunks.shift() ?? 0;
      const rows = results.data;
      // A problem on the text after the last complete row is seen again (whole) with the next chunk.
      const problems = results.errors
        .filter((e) => e.type === 'Quotes' && e.row !== undefined && e.row < rows.length)
        .map((e) => ({ row: e.row!, code: quoteProblem(e.code) }));
      if (parsed - results.meta.cursor > MAX_RECORD_CHARS) {
        out.push({ rows, problems, runaway: true } satisfies RowBatch);
        parser.abort(); // ends the batches (complete)
        stop();
        return;
      }
      if (rows.length === 0 && problems.length === 0) return;
      if (!out.push({ rows, problems } satisfies RowBatch)) {
        // The parser's own pause() stops parsing but not the stream it reads: pause both, or the
        // whole file would pile up in its queue while the consumer is behind.
        paused = true;
        parser.pause();
        text.pause();
      }
    },
    complete() {
      if (!out.destroyed) out.push(null);
    },
    error(error) {
      out.destroy(error);
    },
  });
  decoded.on('error', (e) => out.destroy(e));
  return out;
}

/**
 * Holds the text back until its first line end (or 64 K characters, or its end) and passes the
 * rest straight on: Papa Parse guesses CRLF, LF or CR from its first chunk, and the first chunk of
 * an HTTP body can be a few bytes. Object mode, so the text is not turned back into bytes.
 */
class FirstLineGate extends Transform {
  private held: string | null = '';

  constructor() {
    super({ objectMode: true, highWaterMark: 4 });
  }

  override _transform(chunk: string, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.held === null) return cb(null, chunk);
    this.held += chunk;
    if (!/\n|\r[^\n]/.test(this.held) && this.held.length < 64 * 1024) return cb();
    const text = this.held;
    this.held = null;
    cb(null, text);
  }

  override _flush(cb: TransformCallback): void {
    if (this.held) this.push(this.held);
    cb();
  }
}

function quoteProblem(code: string): string {
  return code === 'MissingQuotes' ? 'CSV_QUOTE_NOT_CLOSED' : 'CSV_INVALID_CLOSING_QUOTE';
}

/** The row as the provider sent it, by header name; fields beyond the header are kept too. */
function rawRow(header: string[], values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  header.forEach((h, i) => (out[h] = values[i] ?? ''));
  for (let i = header.length; i < values.length; i++) {
    out[`(extra field ${i - header.length + 1})`] = values[i];
  }
  return out;
}
