import type { KubeObject } from '../../api/object.js';
import type { ClusterIndex, ClusterRef } from '../cluster-index.js';
import type { ObjectKey } from '../object-key.js';
import type { EtcdStore } from './etcd-store.js';
import type { EtcdTransaction } from './transaction.js';

// Each cluster is two records in the store's reserved cluster `system:index`, one keyed by its path and
// one by its id, so resolving either is one map lookup in the replica's mirror, and every replica sees
// every replica's writes through its watch. Two resources rather than one because `root` is both a
// path and an id. The resource names hold a colon, which no API resource can.

const CLUSTER = 'system:index';
const BY_PATH = 'kplane:clusters-by-path';
const BY_ID = 'kplane:clusters-by-id';

const recordKey = (resource: string, name: string): ObjectKey => ({
  cluster: CLUSTER,
  resource,
  namespace: '',
  name,
});

function refOf(object: KubeObject | undefined): ClusterRef | undefined {
  if (!object || typeof object.id !== 'string' || typeof object.path !== 'string') return undefined;
  return { id: object.id, path: object.path };
}

const record = (name: string, cluster: ClusterRef): KubeObject => ({
  apiVersion: 'kplane.internal/v1',
  kind: 'ClusterIndexEntry',
  metadata: { name },
  id: cluster.id,
  path: cluster.path,
});

/** The path ↔ logical-cluster-id index in etcd, shared by every replica. */
export class EtcdClusterIndex implements ClusterIndex {
  static readonly CLUSTER = CLUSTER;
  static readonly RESOURCES = [BY_PATH, BY_ID];

  constructor(private readonly store: EtcdStore) {}

  resolve(ref: string): ClusterRef | undefined {
    return refOf(this.store.get(recordKey(BY_PATH, ref))) ?? refOf(this.store.get(recordKey(BY_ID, ref)));
  }

  /** Joins the caller's open transaction (throws outside one); replaces any mapping of the id or the path. */
  add(cluster: ClusterRef): void {
    this.store.inOpenTransaction('ClusterIndex.add', (tx) => {
      const byId = refOf(tx.get(recordKey(BY_ID, cluster.id)));
      const byPath = refOf(tx.get(recordKey(BY_PATH, cluster.path)));
      // The root and every member are added again on each start: nothing to write then.
      if (byId?.path === cluster.path && byPath?.id === cluster.id) return;
      if (byId) this.removePath(tx, byId);
      if (byPath) tx.remove(recordKey(BY_ID, byPath.id));
      tx.put(recordKey(BY_ID, cluster.id), record(cluster.id, cluster));
      tx.put(recordKey(BY_PATH, cluster.path), record(cluster.path, cluster));
    });
  }

  /** Joins the caller's open transaction (throws outside one). */
  remove(id: string): void {
    this.store.inOpenTransaction('ClusterIndex.remove', (tx) => {
      const cluster = refOf(tx.get(recordKey(BY_ID, id)));
      if (!cluster) return;
      tx.remove(recordKey(BY_ID, id));
      this.removePath(tx, cluster);
    });
  }

  /** Removes the path record of `cluster`, unless the path now names another cluster. */
  private removePath(tx: EtcdTransaction, cluster: ClusterRef): void {
    const key = recordKey(BY_PATH, cluster.path);
    if (refOf(tx.get(key))?.id === cluster.id) tx.remove(key);
  }
}
