import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { IngestError } from '../ingest.errors.js';
import { authorizationHeader, displayLocation } from '../sources/credentials.js';
import type { ResolvedSource } from '../sources/source-config.js';
import { httpGet } from './http-fetch.js';

export interface ByteSource {
  /**
   * Starts the flow of bytes (through the size, binary and hash guard). Attach error handlers in
   * the same tick: nothing flows, and so nothing can fail, before this is called.
   */
  open(): Readable;
  /** Where the bytes come from, safe to show and log. */
  location: string;
  /** SHA-256 of every byte read, available once the stream has ended. */
  sha256(): string;
  close(): void;
}

/** Opens the bytes of a CSV source: a file, the newest .csv in a drop folder, or an HTTP(S) URL. */
export async function openByteSource(
  source: ResolvedSource,
  fileOverride?: string,
  stop?: AbortSignal,
): Promise<ByteSource> {
  if (source.kind === 'csv-url' && !fileOverride) return openUrl(source, stop);
  const path = fileOverride ?? (await resolveFile(source.location));
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw IngestError.noFile(`${path} does not exist or is not a file`);
  if (info.size > source.maxBytes) throw IngestError.fileTooLarge(info.size, source.maxBytes);
  const guard = new ByteGuard(source.maxBytes);
  let file: Readable | undefined;
  return {
    open: () => {
      file = createReadStream(path, { highWaterMark: 256 * 1024 });
      file.on('error', (e) => guard.destroy(e));
      return file.pipe(guard);
    },
    location: path,
    sha256: () => guard.digest,
    close: () => {
      file?.destroy();
      guard.destroy();
    },
  };
}

/** A drop folder yields its newest .csv file (by modification time, then name). */
async function resolveFile(location: string): Promise<string> {
  const info = await stat(location).catch(() => null);
  if (!info) throw IngestError.noFile(`${location} does not exist`);
  if (info.isFile()) return location;
  const names = (await readdir(location)).filter((n) => n.toLowerCase().endsWith('.csv'));
  if (names.length === 0) throw IngestError.noFile(`the drop folder ${location} has no .csv file`);
  const dated = await Promise.all(
    names.map(async (n) => ({ n, t: (await stat(join(location, n))).mtimeMs })),
  );
  dated.sort((a, b) => b.t - a.t || b.n.localeCompare(a.n));
  return join(location, dated[0].n);
}

async function openUrl(source: ResolvedSource, stop?: AbortSignal): Promise<ByteSource> {
  const display = displayLocation(source.location);
  const auth = authorizationHeader(source.auth);
  const answer = await httpGet(source.location, {
    headers: {
      accept: 'text/csv, text/plain;q=0.9, */*;q=0.1',
      ...(auth ? { authorization: auth } : {}),
    },
    timeoutMs: source.timeoutMs,
    retries: source.retries,
    retryBaseMs: source.retryBaseMs,
    display,
    stop,
  });
  const declared = Number(answer.response.headers.get('content-length') ?? NaN);
  if (declared > source.maxBytes) {
    answer.done();
    await answer.response.body?.cancel().catch(() => undefined);
    throw IngestError.fileTooLarge(declared, source.maxBytes);
  }
  if (!answer.response.body) throw IngestError.emptyFile('the answer has no body');
  const web = answer.response.body as unknown as WebReadableStream<Uint8Array>;
  const guard = new ByteGuard(source.maxBytes, () => answer.touch());
  let body: Readable | undefined;
  return {
    open: () => {
      body = Readable.fromWeb(web);
      body.on('error', (e) =>
        guard.destroy(
          stop?.aborted
            ? IngestError.stopping()
            : e.name === 'AbortError'
              ? IngestError.timeout(display, source.timeoutMs)
              : IngestError.unreachable(display, 'the connection broke'),
        ),
      );
      body.on('end', () => answer.done());
      return body.pipe(guard);
    },
    location: display,
    sha256: () => guard.digest,
    close: () => {
      answer.done();
      if (body) body.destroy();
      else void web.cancel().catch(() => undefined);
      guard.destroy();
    },
  };
}

/** Counts bytes (refusing more than the limit), refuses binary content, hashes what passes. */
class ByteGuard extends Transform {
  digest = '';
  private bytes = 0;
  private sniffed = 0;
  private readonly hash = createHash('sha256');

  constructor(
    private readonly maxBytes: number,
    private readonly onChunk?: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.onChunk?.();
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return cb(IngestError.fileTooLarge(this.bytes, this.maxBytes));
    // Text exports never contain NUL; spreadsheets, archives and images do within the first bytes.
    if (this.sniffed < 8192) {
      const head = chunk.subarray(0, 8192 - this.sniffed);
      this.sniffed += head.length;
      if (head.includes(0)) return cb(IngestError.binaryFile());
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    cb();
  }
}
