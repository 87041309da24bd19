import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { generateDemoRows, PTL_COLUMNS, type DemoOptions, type PtlRow } from './demo-generator.js';

/** One CSV field, quoted only when it has to be (RFC 4180). */
function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export const PTL_HEADER = `${PTL_COLUMNS.join(',')}\r\n`;

/** A PTL row as a CSV line, in the WaitWell standard PTL layout (CRLF line ends, as exports have). */
export function ptlCsvLine(row: PtlRow): string {
  return `${PTL_COLUMNS.map((c) => field(row[c])).join(',')}\r\n`;
}

/** Buffered writer that waits when the disk is behind, so any size is written in bounded memory. */
class CsvFile {
  private buffer = '';
  rows = 0;
  constructor(private readonly out: WriteStream) {}

  static async open(path: string): Promise<CsvFile> {
    await mkdir(dirname(path), { recursive: true });
    const file = new CsvFile(createWriteStream(path));
    await file.write(PTL_HEADER);
    return file;
  }

  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length < 256 * 1024) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async row(row: PtlRow): Promise<void> {
    this.rows++;
    await this.write(ptlCsvLine(row));
  }

  async close(): Promise<void> {
    this.out.end(this.buffer);
    await finished(this.out);
  }
}

/** Writes demo rows to one PTL CSV file; stops after `maxRows` rows when given. Returns the rows written. */
export async function writeDemoCsv(
  o: DemoOptions & { maxRows?: number },
  path: string,
): Promise<number> {
  const file = await CsvFile.open(path);
  for (const row of generateDemoRows(o)) {
    if (o.maxRows !== undefined && file.rows >= o.maxRows) break;
    await file.row(row);
  }
  await file.close();
  return file.rows;
}

/**
 * Writes one PTL file per provider and service, as real providers would each send their own list.
 * `pathFor` names the file for a (provider, service) pair, or undefined to leave those rows out.
 */
export async function writeDemoCsvPerSource(
  o: DemoOptions,
  pathFor: (provider: string, service: string) => string | undefined,
): Promise<Map<string, number>> {
  const files = new Map<string, CsvFile | null>();
  for (const row of generateDemoRows(o)) {
    const key = `${row.provider}/${row.service}`;
    let file = files.get(key);
    if (file === undefined) {
      const path = pathFor(row.provider, row.service);
      file = path ? await CsvFile.open(path) : null;
      files.set(key, file);
    }
    if (file) await file.row(row);
  }
  const written = new Map<string, number>();
  for (const [key, file] of files) {
    if (!file) continue;
    await file.close();
    written.set(key, file.rows);
  }
  return written;
}
