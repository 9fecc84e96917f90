/** A sleep that can be cut short (by a wake-up or by stop()). */
export class Sleeper {
  private wakeCurrent: (() => void) | null = null;
  private pendingWake = false;

  /** Waits `ms`, or less when {@link wake} is called. A wake before the sleep makes it return at once. */
  sleep(ms: number): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        if (self.wakeCurrent === done) self.wakeCurrent = null;
        resolve();
      }
      this.wakeCurrent = done;
    });
  }

  wake(): void {
    if (this.wakeCurrent) this.wakeCurrent();
    else this.pendingWake = true;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; resolves when all are settled. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(lanes);
}
