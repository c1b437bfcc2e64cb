import type { IDuplexStream, IWatchRequest, IWatchResponse } from 'etcd3';
import type { EtcdConnection } from './client.js';
import { StorageUnavailableError } from './errors.js';
import { prefixEnd } from './keys.js';
import type { KeyChange } from './mirror.js';

export interface FeedHandlers {
  /** The revision the feed resumes after: the mirror's. */
  resumeAfter(): number;
  /** One response's changes, in revision order. */
  changes(changes: KeyChange[]): void;
  /** etcd vouched that nothing under the root changed up to `revision` (a progress notification). */
  progress(revision: number): void;
  /** The revision to resume from was compacted away: the mirror must be rebuilt from a fresh snapshot. */
  compacted(compactRevision: number): Promise<void>;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2000;

/**
 * One etcd watch over everything under the platform's key prefix (`root`), from the mirror's revision on, with prev_kv. When the
 * stream breaks (a member died, etcd restarted) it opens a new one from the last revision applied,
 * so no change is missed and none comes twice.
 */
export class WatchFeed {
  private stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  private watching = false;
  private closed = false;
  private backoffMs = MIN_BACKOFF_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly onEstablished = new Set<() => void>();

  constructor(
    private readonly connection: EtcdConnection,
    private readonly root: string,
    private readonly handlers: FeedHandlers,
  ) {}

  /** Whether a watch is established now; while it is not, the mirror may fall behind etcd. */
  get connected(): boolean {
    return this.watching;
  }

  start(): void {
    void this.open();
  }

  /** Resolves once a watch is established; StorageUnavailableError when none is within `withinMs`. */
  established(withinMs: number): Promise<void> {
    if (this.watching) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.onEstablished.delete(done);
        reject(new StorageUnavailableError('etcd did not accept a watch in time'));
      }, withinMs);
      this.onEstablished.add(done);
    });
  }

  /** Asks etcd to report the current revision if the watch has caught up (etcd 3.4's progress request). */
  requestProgress(): void {
    if (this.watching) this.stream?.write({ progress_request: {} });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.drop();
  }

  private async open(): Promise<void> {
    if (this.closed) return;
    let stream: IDuplexStream<IWatchRequest, IWatchResponse>;
    try {
      stream = await this.connection.client.watchClient.watch();
    } catch {
      this.retry();
      return;
    }
    if (this.closed) {
      stream.cancel();
      return;
    }
    this.stream = stream;
    stream.on('data', (response) => this.receive(stream, response));
    stream.on('error', () => this.broken(stream));
    stream.on('end', () => this.broken(stream));
    stream.write({
      create_request: {
        key: Buffer.from(this.root),
        range_end: Buffer.from(prefixEnd(this.root)),
        start_revision: this.handlers.resumeAfter() + 1,
        prev_kv: true,
        progress_notify: true,
      },
    });
  }

  private receive(stream: IDuplexStream<IWatchRequest, IWatchResponse>, response: IWatchResponse): void {
    if (stream !== this.stream) return;
    const compactRevision = Number(response.compact_revision ?? 0);
    if (compactRevision > 0) {
      this.drop();
      void this.handlers.compacted(compactRevision).then(
        () => this.open(),
        () => this.retry(),
      );
      return;
    }
    if (response.canceled) {
      this.broken(stream);
      return;
    }
    if (response.created) {
      this.watching = true;
      this.backoffMs = MIN_BACKOFF_MS;
      for (const done of [...this.onEstablished]) done();
      this.onEstablished.clear();
      return;
    }
    const events = response.events ?? [];
    if (events.length === 0) {
      this.handlers.progress(Number(response.header.revision));
      return;
    }
    this.handlers.changes(toKeyChanges(response));
  }

  private broken(stream: IDuplexStream<IWatchRequest, IWatchResponse>): void {
    if (stream !== this.stream) return;
    this.drop();
    this.retry();
  }

  private drop(): void {
    this.watching = false;
    const stream = this.stream;
    this.stream = undefined;
    try {
      stream?.cancel();
    } catch {
      // already gone
    }
  }

  private retry(): void {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.open(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}

/** A watch response's events as the mirror applies them. */
export function toKeyChanges(response: IWatchResponse): KeyChange[] {
  return (response.events ?? []).map((event) => {
    const put = String(event.type).toUpperCase() === 'PUT';
    const previous = event.prev_kv && event.prev_kv.key?.length ? event.prev_kv : undefined;
    return {
      etcdKey: event.kv.key.toString(),
      revision: Number(event.kv.mod_revision),
      ...(put ? { value: event.kv.value.toString() } : {}),
      ...(previous
        ? { previous: { value: previous.value.toString(), modRevision: Number(previous.mod_revision) } }
        : {}),
    };
  });
}
