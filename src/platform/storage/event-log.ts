import type { KubeObject } from '../api/object.js';
import type { ObjectKey } from './object-key.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  type: ChangeType;
  /** The resourceVersion this change produced; strictly increasing across the whole server. */
  rv: number;
  key: ObjectKey;
  object: KubeObject;
  /** The object before a MODIFIED change, so selector watches can turn it into ADDED/DELETED. */
  previous?: KubeObject;
}

export type ChangeListener = (event: ChangeEvent) => void;

/** etcd's default compaction interval, which the apiserver's watch history follows. */
export const DEFAULT_WATCH_HISTORY_MS = 5 * 60 * 1000;

export interface EventLogOptions {
  /** The most changes kept, whatever their age. */
  capacity?: number;
  /** How long a change stays replayable; older ones are dropped as etcd's compaction drops them. */
  maxAgeMs?: number;
  /** Milliseconds since the epoch; tests pass their own clock. */
  now?: () => number;
}

/**
 * Fans committed changes out to watchers and remembers the most recent ones so a watch can resume
 * from a resourceVersion. Everything after `floor` is in the buffer; older versions have expired.
 * The buffer is bounded by count and by age: a watch may not replay history from further back
 * than `maxAgeMs` (from before a consumer's consent, say), and memory stays bounded.
 */
export class EventLog {
  private readonly buffer: ChangeEvent[] = [];
  /** When each buffered change was published, in the same order. */
  private readonly publishedAt: number[] = [];
  private readonly listeners = new Set<ChangeListener>();
  private floorRv: number;
  private readonly capacity: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(startRv: number, options: EventLogOptions = {}) {
    this.floorRv = startRv;
    this.capacity = options.capacity ?? 4096;
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
    if (this.buffer.length > this.capacity) this.dropOldest();
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
