import { CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { IngestError } from '../ingest.errors.js';
import { bindCsvHeader, type BoundCsvMapper } from '../mapping/csv-row-mapper.js';
import type { CsvConfig } from '../sources/source-config.js';
import type { ByteSource } from './byte-source.js';
import type { SourceItem } from './source-item.js';

/** A row longer than this is a runaway quoted field, not data: stop instead of buffering the file. */
const MAX_RECORD_CHARS = 1_000_000;

/**
 * Streams a CSV export row by row (never the whole file in memory): UTF-8 with or without BOM or
 * Windows-1252, quoted fields, CRLF or LF. The header row is checked against the source's mapping
 * first. Row numbers are as a spreadsheet shows them (the header is row 1).
 */
export async function* readCsvItems(
  source: ByteSource,
  csv: CsvConfig,
): AsyncGenerator<SourceItem> {
  const parser = parse({
    delimiter: csv.delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  const bytes = source.open();
  bytes.on('error', (e) => parser.destroy(e));
  const text = csv.encoding === 'windows-1252' ? bytes.pipe(iconv.decodeStream('win1252')) : bytes;
  if (text !== bytes) text.on('error', (e: Error) => parser.destroy(e));
  text.pipe(parser);
  let mapper: BoundCsvMapper | undefined;
  let rowNumber = 1;
  try {
    for await (const values of parser as AsyncIterable<string[]>) {
      if (!mapper) {
        const bound = bindCsvHeader(values, csv);
        if ('missing' in bound) throw IngestError.missingColumns(bound.missing, bound.hint);
        mapper = bound.mapper;
        continue;
      }
      rowNumber++;
      const bound = mapper;
      const wellFormed = values.length === bound.header.length;
      yield {
        rowNumber,
        referralId: bound.referralId(values),
        fingerprint: bound.fingerprint(values),
        wellFormed,
        read: () => {
          const mapped = bound.map(values);
          if (!wellFormed) {
            mapped.problems.unshift({
              field: 'row',
              message: `the row has ${values.length} fields but the header has ${bound.header.length} (a stray delimiter or quote?)`,
            });
          }
          return mapped;
        },
        raw: () => rawRow(bound.header, values),
      };
    }
  } catch (error) {
    if (error instanceof CsvError) {
      throw IngestError.malformedCsv(
        error.code,
        typeof error.lines === 'number' ? error.lines : undefined,
      );
    }
    throw error;
  } finally {
    source.close();
  }
  if (!mapper) throw IngestError.emptyFile('the file has no header row');
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
