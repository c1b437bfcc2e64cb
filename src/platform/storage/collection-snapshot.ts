import type { KubeObject } from '../api/object.js';
import type { CollectionScope, ListPosition, ObjectKey } from './object-key.js';
import type { EventLog } from './event-log.js';
import type { StoredEntry } from './store.js';

/** What a snapshot reads: the current rows in key order and the changes since; both engines offer it. */
export interface SnapshotSource {
  readonly resourceVersion: number;
  readonly events: EventLog;
  listAfter(scope: CollectionScope, after: ListPosition | undefined, count: number): StoredEntry[];
  countAfter(scope: CollectionScope, after: ListPosition | undefined): number;
}

// A paged list must show every page as the collection was at the first page's resourceVersion, as
// kube-apiserver does by reading etcd at that revision. SQLite keeps only the current rows, but the
// event log remembers every change since its floor with the object as it was before: so the
// collection at `rv` is the current rows with each key changed after `rv` put back as it was then.
// When the log no longer reaches back to `rv`, that past cannot be rebuilt and the caller says so.

/** Orders keys within one collection as the store's ORDER BY namespace, name does. */
export function comparePositions(a: ListPosition, b: ListPosition): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

function inCollection(scope: CollectionScope, key: ObjectKey): boolean {
  return (
    key.cluster === scope.cluster &&
    key.resource === scope.resource &&
    (scope.namespace === undefined || key.namespace === scope.namespace)
  );
}

const positionId = (key: ListPosition) => `${key.namespace}/${key.name}`;

export class CollectionSnapshot {
  private constructor(
    private readonly store: SnapshotSource,
    private readonly scope: CollectionScope,
    /** Keys changed after the snapshot's version: what they were then (undefined: absent) and are now. */
    private readonly changed: Map<string, { key: ObjectKey; then?: KubeObject; present: boolean }>,
  ) {}

  /**
   * The collection as it was at `rv` (at most the store's current version), or undefined when the
   * event log has dropped changes made since then.
   */
  static at(store: SnapshotSource, scope: CollectionScope, rv: number): CollectionSnapshot | undefined {
    const changes = rv >= store.resourceVersion ? [] : store.events.since(rv);
    if (!changes) return undefined;
    const changed = new Map<string, { key: ObjectKey; then?: KubeObject; present: boolean }>();
    for (const event of changes) {
      if (!inCollection(scope, event.key)) continue;
      const id = positionId(event.key);
      const seen = changed.get(id);
      // The first change after rv tells what the key held at rv; the last, what it holds now.
      const entry = seen ?? {
        key: event.key,
        ...(event.type === 'ADDED' || !event.previous ? {} : { then: event.previous }),
        present: false,
      };
      entry.present = event.type !== 'DELETED';
      changed.set(id, entry);
    }
    return new CollectionSnapshot(store, scope, changed);
  }

  /** The snapshot's entries after `after`, in key order, read from the store in batches of `batch`. */
  *entriesAfter(after: ListPosition | undefined, batch: number): Generator<StoredEntry> {
    const restored = [...this.changed.values()]
      .filter((entry) => entry.then !== undefined && (!after || comparePositions(entry.key, after) > 0))
      .map((entry) => ({ key: entry.key, object: entry.then as KubeObject }))
      .sort((a, b) => comparePositions(a.key, b.key));
    let next = 0;
    let position = after;
    for (;;) {
      const rows = this.store.listAfter(this.scope, position, batch);
      for (const row of rows) {
        while (next < restored.length && comparePositions(restored[next]!.key, row.key) < 0)
          yield restored[next++]!;
        if (!this.changed.has(positionId(row.key))) yield row;
      }
      if (rows.length < batch) break;
      position = rows.at(-1)!.key;
    }
    while (next < restored.length) yield restored[next++]!;
  }

  /** How many entries of the snapshot come after `after`. */
  countAfter(after: ListPosition): number {
    let count = this.store.countAfter(this.scope, after);
    for (const entry of this.changed.values()) {
      if (comparePositions(entry.key, after) <= 0) continue;
      count += (entry.then !== undefined ? 1 : 0) - (entry.present ? 1 : 0);
    }
    return count;
  }
}
