import type { ObjectKey } from '../storage/object-key.js';

// A level-triggered work queue for controllers: keys are deduplicated, work runs on the next turn of
// the event loop (after the write that queued it has reached watchers), a key whose work says
// "again" is queued again, and a key whose work failed is retried after a pause.

const keyString = (key: ObjectKey) => JSON.stringify([key.cluster, key.resource, key.namespace, key.name]);

export class WorkQueue {
  private readonly queue = new Map<string, ObjectKey>();
  private scheduled = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    /** Does the next piece of work for the key; true to be called again. */
    private readonly work: (key: ObjectKey) => boolean,
    private readonly onError: (key: ObjectKey, err: unknown) => void,
    private readonly retryMs = 200,
  ) {}

  add(key: ObjectKey): void {
    if (this.stopped) return;
    this.queue.set(keyString(key), key);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
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

  private drain(): void {
    this.scheduled = false;
    const batch = [...this.queue.values()];
    this.queue.clear();
    for (const key of batch) {
      if (this.stopped) return;
      try {
        if (this.work(key)) this.add(key);
      } catch (err) {
        this.onError(key, err);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.add(key);
        }, this.retryMs);
        this.timers.add(timer);
      }
    }
    if (this.queue.size === 0) this.notifyIdle();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
