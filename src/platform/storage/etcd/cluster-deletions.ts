import type { KubeObject } from '../../api/object.js';
import type { ObjectKey } from '../object-key.js';

// Deleting a workspace on etcd cannot delete its objects in the Txn that deletes the Workspace: one
// Txn is capped by etcd's --max-txn-ops (128 by default). So that Txn writes one marker per logical
// cluster into the reserved cluster `system:deleting`, the store then deletes the cluster's keys in
// batches and the marker last. A replica that dies in between leaves the marker behind, and every
// replica finishes what the markers name when it starts (and again a little later when etcd failed).

export const DELETIONS_CLUSTER = 'system:deleting';

export function deletionMarkerKey(cluster: string): ObjectKey {
  return { cluster: DELETIONS_CLUSTER, resource: 'logicalclusters', namespace: '', name: cluster };
}

export function deletionMarker(cluster: string): KubeObject {
  return { apiVersion: 'v1', kind: 'PendingClusterDeletion', metadata: { name: cluster } };
}
