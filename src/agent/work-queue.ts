/**
 * A client-go style work queue, reduced to what one agent needs: keys (work names) are handled one at a time, a
 * key added while it waits is handled once, a key added while it is being handled is handled again afterwards
 * (so the newest state always gets a pass), and a key can come back later (`retryLater`, with back-off). One
 * worker per agent keeps a member from being hit by one agent in parallel, and keeps many agents in one process
 * to one pending promise each.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly later = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly failures = new Map<string, number>();
  private draining = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly handle: (key: string) => Promise<void>,
    private readonly backoff: { firstMs: number; maxMs: number },
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    const timer = this.later.get(key);
    if (timer) {
      clearTimeout(timer);
      this.later.delete(key);
    }
    this.pending.add(key);
    if (!this.draining) void this.drain();
  }

  /** Back again after a delay that doubles with every failure in a row (until `forget`). */
  retryLater(key: string): void {
    if (this.stopped || this.later.has(key)) return;
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delay = Math.min(this.backoff.firstMs * 2 ** (failures - 1), this.backoff.maxMs);
    const timer = setTimeout(() => {
      this.later.delete(key);
      this.add(key);
    }, delay);
    timer.unref?.();
    this.later.set(key, timer);
  }

  /** The key succeeded: its next failure starts the back-off afresh. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Drops everything waiting; whatever is being handled finishes. */
  stop(): void {
    this.stopped = true;
    this.pending.clear();
    for (const timer of this.later.values()) clearTimeout(timer);
    this.later.clear();
  }

  /** Resolves once nothing is pending or being handled (retries waiting for their time do not count). */
  idle(): Promise<void> {
    if (!this.draining && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.pending.size > 0) {
      const key = this.pending.values().next().value as string;
      this.pending.delete(key);
      // A handler reports its own failures; one that throws anyway is tried again rather than stall the queue.
      await this.handle(key).catch(() => this.retryLater(key));
    }
    this.draining = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
