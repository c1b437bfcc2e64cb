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
}

export type ChangeListener = (event: ChangeEvent) => void;

/**
 * Fans committed changes out to watchers and remembers the most recent ones so a watch can resume
 * from a resourceVersion. Everything after `floor` is in the buffer; older versions have expired.
 */
export class EventLog {
  private readonly buffer: ChangeEvent[] = [];
  private readonly listeners = new Set<ChangeListener>();
  private floorRv: number;

  constructor(
    startRv: number,
    private readonly capacity = 4096,
  ) {
    this.floorRv = startRv;
  }

  /** The oldest resourceVersion a watch may resume from. */
  get floor(): number {
    return this.floorRv;
  }

  publish(event: ChangeEvent): void {
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) {
      const dropped = this.buffer.shift();
      if (dropped) this.floorRv = dropped.rv;
    }
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Changes after `rv`, or undefined when some of them have already been dropped. */
  since(rv: number): ChangeEvent[] | undefined {
    if (rv < this.floorRv) return undefined;
    let start = this.buffer.length;
    while (start > 0 && (this.buffer[start - 1]?.rv ?? 0) > rv) start--;
    return this.buffer.slice(start);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
