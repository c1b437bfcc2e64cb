import { StorageUnavailableError } from './errors.js';

/** How long a waiter trusts only events before it also accepts etcd's progress reports. */
const EVENTS_FIRST_MS = 250;
const NUDGE_MS = 100;

interface Waiter {
  revision: number;
  since: number;
  eventsOnly: boolean;
  resolve: () => void;
}

/**
 * Callers waiting for the mirror to reach a revision: a commit reading its own write, a transaction
 * that lost a compare-and-swap waiting for the winner's write, a consistent read's fence.
 *
 * Events are what counts. A progress report naming the revision counts only after EVENTS_FIRST_MS, for
 * a revision that wrote no key under /kplane/ (an etcd shared with others) and so brings no event: etcd
 * before 3.4.25 may report progress ahead of events it has yet to send (etcd issue #15220). A wait for a
 * revision known to bring an event (this replica's own write) never takes a progress report: right after a
 * watch was opened again (a member died, quorum came back) etcd 3.4.23 reports its current revision while
 * the watch is still catching up, and a write acknowledged then would be missing from this replica's reads.
 */
export class RevisionWaiters {
  private readonly waiters = new Set<Waiter>();

  constructor(
    /** The newest revision whose events the mirror has applied. */
    private readonly applied: () => number,
    /** The newest revision etcd reported progress to. */
    private readonly progressed: () => number,
    /** Asks etcd for a progress report. */
    private readonly requestProgress: () => void,
  ) {}

  /**
   * Resolves once the mirror has reached `revision`; StorageUnavailableError after `withinMs`. With
   * `eventsOnly` (the revision wrote a key under the watched prefix) only the mirror's events count.
   */
  waitFor(revision: number, withinMs: number, options: { eventsOnly?: boolean } = {}): Promise<void> {
    if (this.applied() >= revision) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const since = Date.now();
      const stop = () => {
        clearTimeout(timer);
        clearInterval(nudge);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        revision,
        since,
        eventsOnly: options.eventsOnly ?? false,
        resolve: () => {
          stop();
          resolve();
        },
      };
      const timer = setTimeout(() => {
        stop();
        reject(
          new StorageUnavailableError(`etcd's changes up to revision ${revision} did not arrive in time`),
        );
      }, withinMs);
      const nudge = setInterval(() => {
        if (Date.now() - since >= EVENTS_FIRST_MS) this.requestProgress();
        this.wake();
      }, NUDGE_MS);
      this.waiters.add(waiter);
    });
  }

  /** Resolves every waiter whose revision the mirror has now reached. */
  wake(): void {
    const now = Date.now();
    const progressed = Math.max(this.applied(), this.progressed());
    for (const waiter of [...this.waiters]) {
      const byEvents = waiter.revision <= this.applied();
      const byProgress =
        !waiter.eventsOnly && waiter.revision <= progressed && now - waiter.since >= EVENTS_FIRST_MS;
      if (byEvents || byProgress) waiter.resolve();
    }
  }

  /** Lets everyone go: the store is closing. */
  releaseAll(): void {
    for (const waiter of [...this.waiters]) waiter.resolve();
  }
}
