import type { ObjectKey } from '../storage/object-key.js';

// A level-triggered work queue for controllers: keys are deduplicated, work runs on the next turn of
// the event loop (after the write that queued it has reached watchers), a key whose work says
// "again" is queued again, and a key whose work failed is retried after a pause. Work may be async (a
// write on etcd waits for its commit): keys are worked one at a time, in the order they came.

const keyString = (key: ObjectKey) => JSON.stringify([key.cluster, key.resource, key.namespace, key.name]);

export class WorkQueue {
  private readonly queue = new Map<string, ObjectKey>();
  private scheduled = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    /** Does the next piece of work for the key; true to be called again. */
    private readonly work: (key: ObjectKey) => boolean | Promise<boolean>,
    private readonly onError: (key: ObjectKey, err: unknown) => void,
    private readonly retryMs = 200,
  ) {}

  add(key: ObjectKey): void {
    if (this.stopped) return;
    this.queue.set(keyString(key), key);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.drain());
  }

  /** Resolves once nothing is queued. */
  settle(): Promise<void> {
    if (this.queue.size === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.queue.clear();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.notifyIdle();
  }

  private async drain(): Promise<void> {
    const batch = [...this.queue.values()];
    this.queue.clear();
    for (const key of batch) {
      if (this.stopped) break;
      try {
        if (await this.work(key)) this.queue.set(keyString(key), key);
      } catch (err) {
        this.onError(key, err);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.add(key);
        }, this.retryMs);
        this.timers.add(timer);
      }
    }
    // Keys added while this batch ran wait for the next turn, as they would have on their own.
    this.scheduled = false;
    if (this.stopped) return;
    if (this.queue.size === 0) this.notifyIdle();
    else {
      this.scheduled = true;
      setImmediate(() => void this.drain());
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
