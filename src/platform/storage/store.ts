import type { KubeObject } from '../api/object.js';
import type { EventLog } from './event-log.js';
import type { CollectionScope, ListPosition, ObjectKey } from './object-key.js';

export interface StoredEntry {
  key: ObjectKey;
  object: KubeObject;
}

/** What a write transaction offers on either engine: reads see the transaction's own writes. */
export interface StoreTransaction {
  get(key: ObjectKey): KubeObject | undefined;
  list(scope: CollectionScope): StoredEntry[];
  /** Every object in a logical cluster, optionally only one namespace's. */
  listCluster(cluster: string, namespace?: string): StoredEntry[];
  /** Creates or replaces the object, stamping it with a fresh resourceVersion. */
  put(key: ObjectKey, object: KubeObject): KubeObject;
  /** Deletes the object; the DELETED event carries it at the deletion's resourceVersion. */
  remove(key: ObjectKey): KubeObject | undefined;
}

/**
 * The platform's object storage: SQLite (ObjectStore, one process) or etcd (EtcdStore, several
 * replicas). Reads are synchronous on both (etcd's come from the replica's mirror); a write
 * transaction completes at once on SQLite and asynchronously on etcd, so callers always await it.
 * A transact called while one is open joins it and runs `work` at once on both engines.
 */
export interface PlatformStore {
  readonly events: EventLog;
  /** The resourceVersion the store's reads reflect. */
  readonly resourceVersion: number;
  get(key: ObjectKey): KubeObject | undefined;
  list(scope: CollectionScope): StoredEntry[];
  listAfter(scope: CollectionScope, after: ListPosition | undefined, count: number): StoredEntry[];
  countAfter(scope: CollectionScope, after: ListPosition | undefined): number;
  /** One resource across every logical cluster; for controllers resyncing after a restart. */
  listEverywhere(resource: string): StoredEntry[];
  transact<T>(work: (tx: StoreTransaction) => T): T | Promise<T>;
  /**
   * Throws a 503-shaped error when the store cannot vouch that its reads are current (etcd
   * unreachable); SQLite always can.
   */
  ensureCurrent(): void;
}
