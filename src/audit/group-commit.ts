interface Pending<T, R> {
  items: T[];
  resolve: (results: R[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: callers' items wait while one write is in flight, then all waiting items go in the
 * next write together (one statement, one transaction, one WAL flush). Each caller's promise settles
 * only when the write holding its items has finished, so "awaited" still means "committed".
 * Only one write is in flight at a time: the audit chain is a single sequence under one lock anyway.
 * If a grouped write fails, each caller's items are retried alone, so one bad record fails only its
 * own caller.
 */
export class GroupCommit<T, R> {
  private queue: Array<Pending<T, R>> = [];
  private writing = false;

  constructor(
    /** Writes the items in order and returns one result per item, in the same order. */
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxItems = 500,
  ) {}

  append(items: T[]): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.take();
        if (group.length === 1) {
          await this.writeAlone(group[0]);
          continue;
        }
        let results: R[];
        try {
          results = await this.write(group.flatMap((p) => p.items));
        } catch {
          for (const p of group) await this.writeAlone(p);
          continue;
        }
        let at = 0;
        for (const p of group) {
          p.resolve(results.slice(at, at + p.items.length));
          at += p.items.length;
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** The waiting callers, oldest first, up to maxItems items (always at least one caller). */
  private take(): Array<Pending<T, R>> {
    let n = 0;
    let count = 0;
    while (
      n < this.queue.length &&
      (n === 0 || count + this.queue[n].items.length <= this.maxItems)
    ) {
      count += this.queue[n].items.length;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async writeAlone(p: Pending<T, R>): Promise<void> {
    try {
      p.resolve(await this.write(p.items));
    } catch (error) {
      p.reject(error);
    }
  }
}
