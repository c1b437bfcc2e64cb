import { getField } from '../api/object.js';
import type { ClusterIndex } from '../storage/cluster-index.js';
import type { StoreTransaction } from '../storage/store.js';
import { WORKSPACES } from './constants.js';

/**
 * Deletes a logical cluster with everything in it, child workspaces' clusters first, inside the
 * caller's transaction. Each object gets its own DELETED event so watchers of the cluster see it go.
 */
export function deleteLogicalClusterTree(
  tx: StoreTransaction,
  clusters: ClusterIndex,
  clusterId: string,
): void {
  for (const child of tx.list({ cluster: clusterId, resource: WORKSPACES })) {
    const childCluster = getField(child.object, 'spec.cluster');
    if (typeof childCluster === 'string' && childCluster)
      deleteLogicalClusterTree(tx, clusters, childCluster);
  }
  for (const entry of tx.listCluster(clusterId)) tx.remove(entry.key);
  clusters.remove(clusterId);
}
