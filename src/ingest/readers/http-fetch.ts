import { setTimeout as sleep } from 'node:timers/promises';
import { IngestError } from '../ingest.errors.js';

export interface HttpOptions {
  headers: Record<string, string>;
  /** Per attempt, until the answer's headers arrive; then the same limit applies between body chunks. */
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  /** What to call the place in errors and logs (no credentials, no query string). */
  display: string;
  /** Aborted when the service stops: the request (or the wait before a retry) ends at once. */
  stop?: AbortSignal;
}

export interface HttpAnswer {
  response: Response;
  /** Call on every body chunk: restarts the idle timeout. */
  touch(): void;
  /** Call when the body has been read (or abandoned). */
  done(): void;
}

const MAX_RETRY_AFTER_MS = 60_000;

/**
 * GET with a timeout per attempt and retries with exponential back-off (base, 2×base, 4×base …)
 * on network errors, timeouts, 5xx and 429 (honouring Retry-After up to a minute), as the e-RS API
 * guidance asks (shared/domain/reference.md §6). Other 4xx answers fail at once.
 */
export async function httpGet(url: string, o: HttpOptions): Promise<HttpAnswer> {
  let failure: IngestError = IngestError.unreachable(o.display, 'no attempt made');
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    if (attempt > 0) {
      await sleep(backoff(o.retryBaseMs, attempt, failure), undefined, { signal: o.stop }).catch(
        () => undefined,
      );
    }
    if (o.stop?.aborted) throw IngestError.stopping();
    const controller = new AbortController();
    let timer = setTimeout(() => controller.abort(), o.timeoutMs);
    const clear = () => clearTimeout(timer);
    try {
      const response = await fetch(url, {
        headers: o.headers,
        signal: o.stop ? AbortSignal.any([controller.signal, o.stop]) : controller.signal,
        redirect: 'follow',
      });
      if (response.ok) {
        return {
          response,
          touch: () => {
            clearTimeout(timer);
            timer = setTimeout(() => controller.abort(), o.timeoutMs);
          },
          done: clear,
        };
      }
      clear();
      await response.body?.cancel().catch(() => undefined);
      failure = IngestError.httpError(o.display, response.status);
      (failure as RetryHint).retryAfterMs = retryAfter(response.headers.get('retry-after'));
      if (response.status !== 429 && response.status < 500) throw failure;
    } catch (error) {
      clear();
      if (o.stop?.aborted) throw IngestError.stopping();
      if (error instanceof IngestError && error === failure && !isRetryable(failure)) throw error;
      if (!(error instanceof IngestError)) {
        failure = controller.signal.aborted
          ? IngestError.timeout(o.display, o.timeoutMs)
          : IngestError.unreachable(o.display, networkReason(error));
      }
    }
  }
  throw failure;
}

type RetryHint = IngestError & { retryAfterMs?: number };

function isRetryable(e: IngestError): boolean {
  return /HTTP (429|5\d\d)/.test(e.message);
}

function backoff(baseMs: number, attempt: number, last: RetryHint): number {
  const exp = baseMs * 2 ** (attempt - 1);
  return Math.max(exp, Math.min(last.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (error as Error)?.name ?? 'network error';
}
