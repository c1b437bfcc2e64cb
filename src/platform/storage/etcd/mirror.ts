import type { KubeObject } from '../../api/object.js';
import type { ChangeEvent } from '../event-log.js';
import type { CollectionScope, ListPosition, ObjectKey } from '../object-key.js';
import type { StoredEntry } from '../store.js';
import { DEFAULT_KEYS, isReservedCluster, type KeyLayout } from './keys.js';

/** One key as etcd holds it: the stored JSON (without resourceVersion) and the revision that wrote it. */
export interface MirroredValue {
  key: ObjectKey;
  value: string;
  modRevision: number;
}

/** A change as the watch delivers it: a put (value set) or a delete (value undefined) at `revision`. */
export interface KeyChange {
  etcdKey: string;
  revision: number;
  value?: string;
  /** The value before, from etcd's prev_kv; the mirror's own copy is used when etcd did not send one. */
  previous?: { value: string; modRevision: number };
  /** The key's mod_revision when it differs from the change's (a resync publishes older writes at its revision). */
  modRevision?: number;
}

/** The stored JSON as an object whose resourceVersion is the revision that wrote it, as kube-apiserver decodes. */
export function decodeObject(value: string, modRevision: number): KubeObject {
  const object = JSON.parse(value) as KubeObject;
  object.metadata = { ...object.metadata, resourceVersion: String(modRevision) };
  return object;
}

/** The JSON etcd stores: the object without resourceVersion, which is the key's mod_revision instead. */
export function encodeObject(object: KubeObject): string {
  const { resourceVersion: _dropped, ...metadata } = object.metadata;
  return JSON.stringify({ ...object, metadata });
}

function lowerBound(keys: string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (keys[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The replica's in-memory copy of every object in etcd at one revision, kube-apiserver's watch cache:
 * synchronous reads are served from it. Keys are kept sorted per (cluster, resource), so a list and a
 * page of a list read one slice, in the same order etcd's range returns.
 */
export class KeyspaceMirror {
  private readonly values = new Map<string, MirroredValue>();
  /** cluster -> resource -> sorted etcd keys. */
  private readonly collections = new Map<string, Map<string, string[]>>();
  private applied: number;

  constructor(
    revision: number,
    /** Where this platform's keys live; keys outside its objects are not mirrored. */
    readonly keys: KeyLayout = DEFAULT_KEYS,
  ) {
    this.applied = revision;
  }

  /** The revision the mirror reflects: every change up to it has been applied. */
  get revision(): number {
    return this.applied;
  }

  get size(): number {
    return this.values.size;
  }

  /** Moves the revision forward when etcd says nothing in the keyspace changed up to `revision`. */
  advance(revision: number): void {
    if (revision > this.applied) this.applied = revision;
  }

  entry(etcdKey: string): MirroredValue | undefined {
    return this.values.get(etcdKey);
  }

  get(key: ObjectKey): KubeObject | undefined {
    const entry = this.values.get(this.keys.objectKey(key));
    return entry && decodeObject(entry.value, entry.modRevision);
  }

  list(scope: CollectionScope): StoredEntry[] {
    return this.listAfter(scope, undefined, Number.MAX_SAFE_INTEGER);
  }

  /** The etcd keys of the collection after `after`, in order, at most `count`. */
  keysAfter(scope: CollectionScope, after: ListPosition | undefined, count: number): string[] {
    const keys = this.collections.get(scope.cluster)?.get(scope.resource);
    if (!keys) return [];
    const prefix = this.keys.collectionPrefix(scope);
    const found: string[] = [];
    for (
      let i = lowerBound(keys, this.keys.rangeStart(scope, after));
      i < keys.length && found.length < count;
      i++
    ) {
      if (!keys[i]!.startsWith(prefix)) break;
      found.push(keys[i]!);
    }
    return found;
  }

  listAfter(scope: CollectionScope, after: ListPosition | undefined, count: number): StoredEntry[] {
    return this.keysAfter(scope, after, count).map((etcdKey) => this.stored(etcdKey));
  }

  countAfter(scope: CollectionScope, after: ListPosition | undefined): number {
    return this.keysAfter(scope, after, Number.MAX_SAFE_INTEGER).length;
  }

  /** Every object of a logical cluster, optionally one namespace's, resource by resource. */
  listCluster(cluster: string, namespace?: string): StoredEntry[] {
    const entries: StoredEntry[] = [];
    for (const resource of this.collections.get(cluster)?.keys() ?? [])
      entries.push(...this.list({ cluster, resource, ...(namespace === undefined ? {} : { namespace }) }));
    return entries;
  }

  /** Every workspace's objects of one resource (the platform's reserved clusters are no workspace's). */
  listEverywhere(resource: string): StoredEntry[] {
    const entries: StoredEntry[] = [];
    for (const cluster of this.collections.keys())
      if (!isReservedCluster(cluster)) entries.push(...this.list({ cluster, resource }));
    return entries;
  }

  private stored(etcdKey: string): StoredEntry {
    const entry = this.values.get(etcdKey)!;
    return { key: entry.key, object: decodeObject(entry.value, entry.modRevision) };
  }

  /** Loads one key of the initial snapshot (no event: a snapshot is where history starts). */
  load(etcdKey: string, value: string, modRevision: number): void {
    const key = this.keys.parseObjectKey(etcdKey);
    if (key) this.set(etcdKey, { key, value, modRevision });
  }

  /**
   * Applies one change from the watch and returns the platform's event for it. Changes come in
   * revision order, all of one revision (one etcd Txn) in one watch response; one below the mirror's
   * revision was already applied and yields nothing. A change to a reserved cluster (an index or token
   * record) yields nothing either: no watcher may see it, and token churn must not push the objects'
   * changes out of the watch history.
   */
  apply(change: KeyChange): ChangeEvent | undefined {
    const key = this.keys.parseObjectKey(change.etcdKey);
    if (change.revision < this.applied) return undefined;
    this.applied = change.revision;
    if (!key) return undefined;
    const modRevision = change.modRevision ?? change.revision;
    if (isReservedCluster(key.cluster)) {
      if (change.value === undefined) this.unset(change.etcdKey, key);
      else this.set(change.etcdKey, { key, value: change.value, modRevision });
      return undefined;
    }
    const before = change.previous ?? this.values.get(change.etcdKey);
    const previous = before && decodeObject(before.value, before.modRevision);
    if (change.value === undefined) {
      this.unset(change.etcdKey, key);
      if (!previous) return undefined;
      const gone = decodeObject(before.value, change.revision);
      return { type: 'DELETED', rv: change.revision, key, object: gone, previous };
    }
    this.set(change.etcdKey, { key, value: change.value, modRevision });
    return {
      type: previous ? 'MODIFIED' : 'ADDED',
      rv: change.revision,
      key,
      object: decodeObject(change.value, modRevision),
      ...(previous ? { previous } : {}),
      bytes: change.value.length,
    };
  }

  private set(etcdKey: string, entry: MirroredValue): void {
    if (!this.values.has(etcdKey)) {
      let resources = this.collections.get(entry.key.cluster);
      if (!resources) this.collections.set(entry.key.cluster, (resources = new Map()));
      let keys = resources.get(entry.key.resource);
      if (!keys) resources.set(entry.key.resource, (keys = []));
      keys.splice(lowerBound(keys, etcdKey), 0, etcdKey);
    }
    this.values.set(etcdKey, entry);
  }

  private unset(etcdKey: string, key: ObjectKey): void {
    if (!this.values.delete(etcdKey)) return;
    const resources = this.collections.get(key.cluster);
    const keys = resources?.get(key.resource);
    if (!resources || !keys) return;
    const at = lowerBound(keys, etcdKey);
    if (keys[at] === etcdKey) keys.splice(at, 1);
    if (keys.length === 0) resources.delete(key.resource);
    if (resources.size === 0) this.collections.delete(key.cluster);
  }

  /**
   * The changes that turn this mirror into `fresh` (a newer snapshot), all at the snapshot's revision:
   * what a replica publishes when etcd compacted the history its watch would have resumed from.
   */
  changesTo(fresh: KeyspaceMirror): KeyChange[] {
    const revision = fresh.revision;
    const changes: KeyChange[] = [];
    for (const etcdKey of this.values.keys()) {
      if (!fresh.values.has(etcdKey)) changes.push({ etcdKey, revision });
    }
    for (const [etcdKey, now] of fresh.values) {
      if (this.values.get(etcdKey)?.modRevision !== now.modRevision)
        changes.push({ etcdKey, revision, value: now.value, modRevision: now.modRevision });
    }
    return changes;
  }
}
