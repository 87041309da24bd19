import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import { IngestError, IngestErrorCode } from '../ingest.errors.js';
import { CsvConfig } from '../sources/source-config.js';
import type { ByteSource } from './byte-source.js';
import { MAX_RECORD_CHARS, readCsvItems } from './csv-reader.js';
import type { SourceItem } from './source-item.js';

const HEADER = 'nhs,ref,received,name,notes';
const csv = (over: Partial<CsvConfig> = {}): CsvConfig =>
  Object.assign(new CsvConfig(), {
    columns: {
      nhsNumber: 'NHS',
      referralId: 'Ref',
      referralReceivedDate: 'Received',
      priority: 'Notes',
    },
    ...over,
  });

/** Bytes handed over in chunks of `size`, as a file or an HTTP body would (a character may be split). */
function bytesOf(chunks: Iterable<Buffer>, counter?: { bytes: number }): ByteSource {
  let stream: Readable | undefined;
  return {
    open: () => {
      stream = Readable.from(
        (function* () {
          for (const c of chunks) {
            if (counter) counter.bytes += c.length;
            yield c;
          }
        })(),
        { objectMode: false },
      );
      return stream;
    },
    location: 'test',
    sha256: () => '',
    close: () => stream?.destroy(),
  };
}

function* inChunks(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function readAll(source: ByteSource, config = csv()): Promise<SourceItem[][]> {
  const batches: SourceItem[][] = [];
  for await (const batch of readCsvItems(source, config)) batches.push(batch);
  return batches;
}

async function failure(source: ByteSource, config = csv()): Promise<IngestError> {
  try {
    await readAll(source, config);
  } catch (error) {
    if (error instanceof IngestError) return error;
    throw error;
  }
  throw new Error('expected the read to fail');
}

/** The rows csv-parse (the previous reader) gives for the same text and options, as raw rows by header name. */
function csvParseRows(text: string, delimiter = ','): Array<Record<string, string>> {
  const records: string[][] = parse(text, {
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
  });
  const [header, ...rows] = records;
  return rows.map((values) => {
    const out: Record<string, string> = {};
    header.forEach((h, i) => (out[h] = values[i] ?? ''));
    for (let i = header.length; i < values.length; i++) {
      out[`(extra field ${i - header.length + 1})`] = values[i];
    }
    return out;
  });
}

const TRICKY: Array<[string, string]> = [
  ['LF line ends', `${HEADER}\n9434765919,R1,2026-01-02,Ann,x\n9434765870,R2,2026-01-03,Bob,y\n`],
  [
    'CRLF line ends and no final line end',
    `${HEADER}\r\n9434765919,R1,2026-01-02,Ann,x\r\n9434765870,R2,2026-01-03,Bob,y`,
  ],
  [
    'quoted fields with delimiters, doubled quotes and line ends inside',
    `${HEADER}\r\n9434765919,R1,2026-01-02,"Smith, ""Ann""","Flat 2\r\nMill Lane"\r\n"9434765870","R2",2026-01-03,"",""\r\n`,
  ],
  [
    'empty lines between and after rows',
    `${HEADER}\n\n9434765919,R1,2026-01-02,Ann,x\n\n\n9434765870,R2,2026-01-03,Bob,y\n\n`,
  ],
  [
    'a byte-order mark and characters of several bytes',
    `\ufeff${HEADER}\nØ1,R1,2026-01-02,Zoë 😀 Ñ,ü€\n`,
  ],
  [
    'rows with too few or too many fields',
    `${HEADER}\n9434765919,R1\n9434765870,R2,2026-01-03,Bob,y,extra,more\n`,
  ],
  ['quoted fields at the start and end of rows', `${HEADER}\n"a",b,c,d,"e"\n"",,"",,""\n`],
];

describe(readCsvItems.name, () => {
  it.each(TRICKY)(
    'should read %s exactly as csv-parse did, however the bytes are chunked',
    async (_what, text) => {
      const expected = csvParseRows(text);
      const data = Buffer.from(text, 'utf8');
      for (const size of [1, 2, 3, 5, 17, 64, data.length]) {
        const items = (await readAll(bytesOf(inChunks(data, size)))).flat();
        expect(items.map((i) => i.raw())).toEqual(expected);
      }
    },
  );

  it('should number rows as a spreadsheet does (header row 1; a field spanning lines is one row)', async () => {
    const text = `${HEADER}\n9434765919,R1,2026-01-02,"two\nlines",x\n\n9434765870,R2,2026-01-03,Bob,y\n`;
    const items = (await readAll(bytesOf([Buffer.from(text)]))).flat();
    expect(items.map((i) => [i.rowNumber, i.referralId, i.wellFormed])).toEqual([
      [2, 'R1', true],
      [3, 'R2', true],
    ]);
  });

  it('should keep a row with the wrong number of fields as a row problem, with the raw row', async () => {
    const text = `${HEADER}\n9434765919,R1\n`;
    const [item] = (await readAll(bytesOf([Buffer.from(text)]))).flat();
    expect(item.wellFormed).toBe(false);
    expect(item.read().problems[0]).toEqual({
      field: 'row',
      message: 'the row has 2 fields but the header has 5 (a stray delimiter or quote?)',
    });
    expect(item.raw()).toEqual({ nhs: '9434765919', ref: 'R1', received: '', name: '', notes: '' });
  });

  it('should hand rows over in batches, not one at a time', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `9434765919,R${i},2026-01-02,Ann,x`);
    const data = Buffer.from(`${HEADER}\n${rows.join('\n')}\n`);
    const batches = await readAll(bytesOf(inChunks(data, 64 * 1024)));
    expect(batches.flat()).toHaveLength(5000);
    expect(batches.length).toBeLessThan(10);
  });

  it('should stop reading the file while the consumer is behind (back-pressure), and then read on', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => `9434765919,R${i},2026-01-02,Ann,x`);
    const data = Buffer.from(`${HEADER}\n${rows.join('\n')}\n`); // ~2 MB
    const counter = { bytes: 0 };
    const batches = readCsvItems(bytesOf(inChunks(data, 16 * 1024), counter), csv());
    let read = (await batches.next()).value?.length ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
    // A few chunks ahead, not the file (nor a runaway field: the text it holds is small).
    expect(counter.bytes).toBeLessThan(data.length / 4);
    for await (const batch of batches) read += batch.length;
    expect(read).toBe(60_000);
    expect(counter.bytes).toBe(data.length);
  });

  it('should read Windows-1252 with another delimiter', async () => {
    const text = 'NHS;Ref;Received;Notes\r\n9434765919;R1;2026-01-02;"Café; ½"\r\n';
    const items = (
      await readAll(
        bytesOf(inChunks(iconv.encode(text, 'win1252'), 7)),
        csv({ encoding: 'windows-1252', delimiter: ';' }),
      )
    ).flat();
    expect(items.map((i) => i.raw())).toEqual(csvParseRows(text, ';'));
    expect(items[0].raw()).toMatchObject({ Notes: 'Café; ½' });
  });

  it('should fail the run on a quoted field that is never closed, naming the row', async () => {
    const text = `${HEADER}\n9434765919,R1,2026-01-02,Ann,x\n9434765870,"R2,2026-01-03,Bob,y\n`;
    for (const size of [3, 4096]) {
      const error = await failure(bytesOf(inChunks(Buffer.from(text), size)));
      expect(error.code).toBe(IngestErrorCode.MalformedCsv);
      expect(error.message).toMatch(
        /at row 3: a quoted field is never closed \(unbalanced quotes\)/,
      );
    }
  });

  it('should fail the run on text after a closing quote (a quote problem may shift every later row)', async () => {
    const text = `${HEADER}\n9434765919,R1,2026-01-02,"Ann"x,x\n9434765870,R2,2026-01-03,Bob,y\n`;
    for (const size of [1, 5, 4096]) {
      const error = await failure(bytesOf(inChunks(Buffer.from(text), size)));
      expect(error.code).toBe(IngestErrorCode.MalformedCsv);
      expect(error.message).toMatch(/at row 2: .*\(unbalanced quotes\)/);
    }
  });

  it('should stop a runaway quoted field after about 1,000,000 characters without reading the rest of the file', async () => {
    const counter = { bytes: 0 };
    const filler = Buffer.alloc(64 * 1024, 'x');
    const endless = (function* () {
      yield Buffer.from(`${HEADER}\n9434765919,R1,2026-01-02,Ann,x\n9434765870,"R2`);
      // 2 GB of one quoted field, if it were read to the end.
      for (let i = 0; i < 32 * 1024; i++) yield filler;
    })();
    const error = await failure(bytesOf(endless, counter));
    expect(error.code).toBe(IngestErrorCode.MalformedCsv);
    expect(error.message).toMatch(
      /at row 3: a row is implausibly long \(a missing closing quote\?\)/,
    );
    expect(counter.bytes).toBeGreaterThan(MAX_RECORD_CHARS);
    expect(counter.bytes).toBeLessThan(MAX_RECORD_CHARS + 20 * filler.length);
  });

  it('should refuse a file with no header row, and read a header with no rows as no rows', async () => {
    const empty = await failure(bytesOf([]));
    expect(empty.code).toBe(IngestErrorCode.EmptyFile);
    expect(await readAll(bytesOf([Buffer.from('\n\n')])).catch((e: IngestError) => e.code)).toBe(
      IngestErrorCode.EmptyFile,
    );
    expect(await readAll(bytesOf([Buffer.from(`${HEADER}\r\n`)]))).toEqual([]);
  });

  it('should name missing columns and spot a file written with another delimiter', async () => {
    const error = await failure(
      bytesOf([Buffer.from(HEADER.replace(/,/g, ';') + '\n1;2;3;4;5\n')]),
    );
    expect(error.code).toBe(IngestErrorCode.MissingColumns);
    expect(error.message).toMatch(/delimiter/);
  });
});
