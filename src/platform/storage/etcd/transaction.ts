import type { ICompare, IRequestOp, ITxnRequest } from 'etcd3';
import type { KubeObject } from '../../api/object.js';
import type { CollectionScope, ObjectKey } from '../object-key.js';
import type { StoredEntry, StoreTransaction } from '../store.js';
import { prefixEnd, type KeyLayout } from './keys.js';
import { decodeObject, encodeObject, type KeyspaceMirror } from './mirror.js';

interface BufferedWrite {
  key: ObjectKey;
  /** The JSON to store, taken when written as the SQLite store does; undefined: the key is deleted. */
  value?: string;
}

/**
 * One optimistic transaction: `work` runs synchronously against the mirror, reading through a buffer
 * of its own writes, and records what it read. The commit is one etcd Txn that compares every key it
 * read with the revision it saw and, when all still hold, writes the buffer at one revision; when one
 * does not, another replica won the race and the work runs again on the newer state.
 *
 * What a compare guards: a key read with get is compared exactly (its mod_revision, or create_revision
 * 0 when it was absent). A list is guarded against keys created or changed in its range since the
 * mirror's revision (a range compare, one op whatever the list's length, so etcd's --max-txn-ops is not
 * spent on reads); a key the list showed and the transaction then writes is compared exactly too, so a
 * concurrent delete is never undone by a write of the stale copy. A key that disappears from a list
 * the transaction only read is not a conflict: the controllers that list are level-triggered and see
 * the delete's own event.
 */
export class EtcdTransaction implements StoreTransaction {
  /** etcd key -> mod_revision seen (0: absent). */
  private readonly reads = new Map<string, number>();
  /** etcd key -> mod_revision a list showed. */
  private readonly listed = new Map<string, number>();
  /** Range start -> end of every prefix listed. */
  private readonly ranges = new Map<string, string>();
  private readonly writes = new Map<string, BufferedWrite>();
  /** Objects handed out whose resourceVersion is the commit's, filled in when it lands. */
  private readonly pending: KubeObject[] = [];
  /** The mirror's revision when the transaction began: what its reads saw. */
  readonly baseRevision: number;
  private readonly keys: KeyLayout;

  constructor(private readonly mirror: KeyspaceMirror) {
    this.baseRevision = mirror.revision;
    this.keys = mirror.keys;
  }

  get writesSomething(): boolean {
    return this.writes.size > 0;
  }

  get(key: ObjectKey): KubeObject | undefined {
    const etcdKey = this.keys.objectKey(key);
    const buffered = this.writes.get(etcdKey);
    if (buffered) return buffered.value === undefined ? undefined : this.handOut(buffered.value);
    const entry = this.mirror.entry(etcdKey);
    if (!this.reads.has(etcdKey)) this.reads.set(etcdKey, entry?.modRevision ?? 0);
    return entry && decodeObject(entry.value, entry.modRevision);
  }

  list(scope: CollectionScope): StoredEntry[] {
    const prefix = this.keys.collectionPrefix(scope);
    return this.overlay(prefix, this.mirror.list(scope));
  }

  /** Every object in a logical cluster, optionally only one namespace's. */
  listCluster(cluster: string, namespace?: string): StoredEntry[] {
    const entries = this.overlay(
      this.keys.clusterPrefix(cluster),
      this.mirror.listCluster(cluster, namespace),
    );
    return namespace === undefined ? entries : entries.filter((entry) => entry.key.namespace === namespace);
  }

  /** Creates or replaces the object; its resourceVersion becomes the commit's revision. */
  put(key: ObjectKey, object: KubeObject): KubeObject {
    const stored = this.pendingObject(object);
    this.writes.set(this.keys.objectKey(key), { key, value: encodeObject(stored) });
    return stored;
  }

  /** Deletes the object; what it returns carries the deletion's revision once committed. */
  remove(key: ObjectKey): KubeObject | undefined {
    const previous = this.get(key);
    if (!previous) return undefined;
    this.writes.set(this.keys.objectKey(key), { key });
    return this.pendingObject(previous);
  }

  /** The etcd Txn that commits this transaction, or undefined when it wrote nothing. */
  toTxn(): ITxnRequest | undefined {
    if (this.writes.size === 0) return undefined;
    const compare: ICompare[] = [];
    const guarded = new Map(this.reads);
    for (const etcdKey of this.writes.keys()) {
      const seen = this.listed.get(etcdKey);
      if (!guarded.has(etcdKey) && seen !== undefined) guarded.set(etcdKey, seen);
    }
    for (const [etcdKey, revision] of guarded) {
      compare.push(
        revision === 0
          ? { key: Buffer.from(etcdKey), target: 'Create', result: 'Equal', create_revision: 0 }
          : { key: Buffer.from(etcdKey), target: 'Mod', result: 'Equal', mod_revision: revision },
      );
    }
    for (const [start, end] of this.ranges) {
      compare.push({
        key: Buffer.from(start),
        range_end: Buffer.from(end),
        target: 'Mod',
        result: 'Less',
        mod_revision: this.baseRevision + 1,
      });
    }
    const success: IRequestOp[] = [];
    for (const [etcdKey, write] of this.writes) {
      if (write.value !== undefined) {
        success.push({ request_put: { key: Buffer.from(etcdKey), value: Buffer.from(write.value) } });
      } else if (this.mirror.entry(etcdKey)) {
        success.push({ request_delete_range: { key: Buffer.from(etcdKey) } });
      }
    }
    return success.length === 0 ? undefined : { compare, success };
  }

  /** Stamps every object this transaction handed out with the revision its commit got. */
  committedAt(revision: number): void {
    for (const object of this.pending) object.metadata.resourceVersion = String(revision);
  }

  private overlay(prefix: string, entries: StoredEntry[]): StoredEntry[] {
    this.ranges.set(prefix, prefixEnd(prefix));
    const byKey = new Map<string, StoredEntry>();
    for (const entry of entries) {
      const etcdKey = this.keys.objectKey(entry.key);
      if (!this.listed.has(etcdKey)) this.listed.set(etcdKey, Number(entry.object.metadata.resourceVersion));
      byKey.set(etcdKey, entry);
    }
    for (const [etcdKey, write] of this.writes) {
      if (!etcdKey.startsWith(prefix)) continue;
      if (write.value !== undefined)
        byKey.set(etcdKey, { key: write.key, object: this.handOut(write.value) });
      else byKey.delete(etcdKey);
    }
    return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
  }

  // Until the commit, the revision the write will get is unknown: the next one is the best guess, and
  // the real one replaces it in every copy handed out.
  private pendingObject(object: KubeObject): KubeObject {
    const stored: KubeObject = {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(this.baseRevision + 1) },
    };
    this.pending.push(stored);
    return stored;
  }

  /** A buffered write as a fresh object, as a read from the store would give it. */
  private handOut(value: string): KubeObject {
    const object = decodeObject(value, this.baseRevision + 1);
    this.pending.push(object);
    return object;
  }
}
