import type { KubeObject } from '../api/object.js';
import type { ObjectKey } from './object-key.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  type: ChangeType;
  /** The resourceVersion this change produced; strictly increasing across the whole server. */
  rv: number;
  key: ObjectKey;
  object: KubeObject;
  /**
   * The object before a MODIFIED or DELETED change: selector watches turn a MODIFIED into ADDED or
   * DELETED by it, and a paged list reads the collection as it was before the change.
   */
  previous?: KubeObject;
  /** The object's size as stored (its JSON), for the history's byte budget; set by the store. */
  bytes?: number;
}

export type ChangeListener = (event: ChangeEvent) => void;

/** etcd's default compaction interval, which the apiserver's watch history follows. */
export const DEFAULT_WATCH_HISTORY_MS = 5 * 60 * 1000;

/**
 * The most bytes of objects the history keeps. Counted are the objects written; the copy of the
 * previous object a MODIFIED or DELETED change keeps is not, so it holds at most about twice this.
 */
export const DEFAULT_WATCH_HISTORY_BYTES = 128 * 1024 * 1024;

export interface EventLogOptions {
  /** The most changes kept, whatever their age. */
  capacity?: number;
  /** The most bytes of objects kept (see DEFAULT_WATCH_HISTORY_BYTES); the newest change is always kept. */
  maxBytes?: number;
  /** How long a change stays replayable; older ones are dropped as etcd's compaction drops them. */
  maxAgeMs?: number;
  /** Milliseconds since the epoch; tests pass their own clock. */
  now?: () => number;
}

/**
 * Fans committed changes out to watchers and remembers the most recent ones so a watch can resume
 * from a resourceVersion. Everything after `floor` is in the buffer; older versions have expired.
 * The buffer is bounded by count, by bytes and by age: memory stays bounded however large the
 * objects written, and a watch may not replay history from further back than `maxAgeMs`.
 */
export class EventLog {
  private readonly buffer: ChangeEvent[] = [];
  /** When each buffered change was published, and its size, in the same order. */
  private readonly publishedAt: number[] = [];
  private readonly sizes: number[] = [];
  private bytes = 0;
  private readonly listeners = new Set<ChangeListener>();
  private floorRv: number;
  private readonly capacity: number;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(startRv: number, options: EventLogOptions = {}) {
    this.floorRv = startRv;
    this.capacity = options.capacity ?? 4096;
    this.maxBytes = options.maxBytes ?? DEFAULT_WATCH_HISTORY_BYTES;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_WATCH_HISTORY_MS;
    this.now = options.now ?? Date.now;
  }

  /** The oldest resourceVersion a watch may resume from. */
  get floor(): number {
    this.dropExpired();
    return this.floorRv;
  }

  publish(event: ChangeEvent): void {
    this.buffer.push(event);
    this.publishedAt.push(this.now());
    const size = event.bytes ?? 0;
    this.sizes.push(size);
    this.bytes += size;
    if (this.buffer.length > this.capacity) this.dropOldest();
    while (this.bytes > this.maxBytes && this.buffer.length > 1) this.dropOldest();
    this.dropExpired();
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Changes after `rv`, or undefined when some of them have already been dropped. */
  since(rv: number): ChangeEvent[] | undefined {
    this.dropExpired();
    if (rv < this.floorRv) return undefined;
    let start = this.buffer.length;
    while (start > 0 && (this.buffer[start - 1]?.rv ?? 0) > rv) start--;
    return this.buffer.slice(start);
  }

  private dropOldest(): void {
    const dropped = this.buffer.shift();
    this.publishedAt.shift();
    this.bytes -= this.sizes.shift() ?? 0;
    if (dropped) this.floorRv = dropped.rv;
  }

  private dropExpired(): void {
    const oldestKept = this.now() - this.maxAgeMs;
    while (this.publishedAt.length > 0 && this.publishedAt[0]! < oldestKept) this.dropOldest();
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
