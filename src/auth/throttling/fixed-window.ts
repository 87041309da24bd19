/** Result of counting one request against a limit. */
export interface WindowHit {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/**
 * Fixed one-window-per-key request counter, in memory (one instance: put a shared store behind it
 * before running several). Expired windows are swept once the map grows, so memory stays bounded
 * by the number of distinct keys in one window.
 */
export class FixedWindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly maxKeys = 100_000) {}

  hit(key: string, limit: number, windowMs: number, now = Date.now()): WindowHit {
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) {
      if (this.windows.size >= this.maxKeys) this.sweep(windowMs, now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return {
      allowed: w.count <= limit,
      limit,
      remaining: Math.max(0, limit - w.count),
      resetSeconds: Math.max(1, Math.ceil((w.start + windowMs - now) / 1000)),
    };
  }

  private sweep(windowMs: number, now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= windowMs) this.windows.delete(key);
    // Still full (a flood of distinct keys): start afresh rather than grow without bound.
    if (this.windows.size >= this.maxKeys) this.windows.clear();
  }
}
