import { clusterSetMembers, type ManagedCluster, type ManagedClusterSet } from '../../placement/index.js';
import type { KubeObject } from '../api/object.js';
import type { Projection, ProjectionOf, ProjectionSource } from '../api/projected-kind.js';
import type { ClusterRef } from '../storage/cluster-index.js';
import { clusterSetOf } from './binding-status.js';
import {
  COMPUTE_PATH,
  MANAGED_CLUSTER_SET_BINDINGS,
  MANAGED_CLUSTER_SETS,
  MANAGED_CLUSTERS,
} from './constants.js';

// What a workspace other than root:compute sees of the compute: every ManagedClusterSet (so people
// can see what there is to bind), and the ManagedClusters of the sets bound by a
// ManagedClusterSetBinding in any of its namespaces. Both read-only; reading them needs nothing but
// get/list in the workspace itself.

const SETS_MESSAGE = `ManagedClusterSets are registered in ${COMPUTE_PATH}; this workspace shows them read-only. Bind one into a namespace with a ManagedClusterSetBinding.`;
const CLUSTERS_MESSAGE = `ManagedClusters are registered in ${COMPUTE_PATH}; this workspace shows, read-only, the members of the ManagedClusterSets bound in its namespaces.`;

/** The compute workspace, unless `cluster` is it (where the kinds are stored as usual). */
function computeFor(cluster: ClusterRef, source: ProjectionSource): ClusterRef | undefined | 'self' {
  const compute = source.clusters.resolve(COMPUTE_PATH);
  if (compute?.id === cluster.id) return 'self';
  return compute;
}

function listIn(source: ProjectionSource, cluster: string | undefined, resource: string): KubeObject[] {
  if (cluster === undefined) return [];
  return source.reader.list({ cluster, resource }).map((entry) => entry.object);
}

/** Names of the sets bound anywhere in the workspace (a binding names its set in spec.clusterSet). */
export function boundSetNamesInWorkspace(source: ProjectionSource, cluster: ClusterRef): Set<string> {
  const names = new Set<string>();
  for (const binding of listIn(source, cluster.id, MANAGED_CLUSTER_SET_BINDINGS)) {
    const set = clusterSetOf(binding);
    if (set) names.add(set);
  }
  return names;
}

/** The clusters of root:compute that belong to at least one of the named sets, in name order. */
export function clustersOfSets(
  clusters: readonly KubeObject[],
  sets: readonly KubeObject[],
  setNames: ReadonlySet<string>,
): KubeObject[] {
  if (setNames.size === 0) return [];
  const typed = clusters as unknown as ManagedCluster[];
  const members = new Set<string>();
  for (const set of sets) {
    if (!setNames.has(set.metadata.name ?? '')) continue;
    for (const name of clusterSetMembers(set as unknown as ManagedClusterSet, typed)) members.add(name);
  }
  return clusters.filter((cluster) => members.has(cluster.metadata.name ?? ''));
}

export const managedClusterSetsView: ProjectionOf = (cluster, source): Projection | undefined => {
  const compute = computeFor(cluster, source);
  if (compute === 'self') return undefined;
  return {
    list: () => listIn(source, compute?.id, MANAGED_CLUSTER_SETS),
    affectedBy: (event) => event.key.cluster === compute?.id && event.key.resource === MANAGED_CLUSTER_SETS,
    readOnlyMessage: SETS_MESSAGE,
  };
};

export const managedClustersView: ProjectionOf = (cluster, source): Projection | undefined => {
  const compute = computeFor(cluster, source);
  if (compute === 'self') return undefined;
  return {
    list: () => {
      const bound = boundSetNamesInWorkspace(source, cluster);
      if (bound.size === 0) return [];
      return clustersOfSets(
        listIn(source, compute?.id, MANAGED_CLUSTERS),
        listIn(source, compute?.id, MANAGED_CLUSTER_SETS),
        bound,
      );
    },
    affectedBy: (event) =>
      (event.key.cluster === compute?.id &&
        (event.key.resource === MANAGED_CLUSTERS || event.key.resource === MANAGED_CLUSTER_SETS)) ||
      (event.key.cluster === cluster.id && event.key.resource === MANAGED_CLUSTER_SET_BINDINGS),
    readOnlyMessage: CLUSTERS_MESSAGE,
  };
};
