// etcd keeps every revision until someone compacts it: left alone, its database grows with every write
// ever made until it hits its quota and refuses all writes. kube-apiserver compacts every 5 minutes
// (--etcd-compaction-interval) to the revision it saw one interval before; the controllers' leader does
// the same here, with the platform's watch history as the interval, so a watch can still resume from
// anything within that history and older resumes get 410 as they would on the platform's own log.

/** What the compactor needs of the store: EtcdStore. */
export interface CompactableHistory {
  readonly resourceVersion: number;
  compact(revision: number): Promise<void>;
}

export class HistoryCompactor {
  private timer: NodeJS.Timeout | undefined;
  /** The revision seen one interval ago: the next compaction's target. */
  private previous = 0;

  constructor(
    private readonly history: CompactableHistory,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.previous = this.history.resourceVersion;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Compacts to the revision of one interval ago; exposed for tests. */
  async tick(): Promise<void> {
    const target = this.previous;
    this.previous = this.history.resourceVersion;
    if (target > 0) await this.history.compact(target).catch(this.onError);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
