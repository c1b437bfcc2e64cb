// What the scheduler needs to know about one cluster, read once from the ManagedCluster object.
import { tryParseQuantity } from './quantity.js';
import { type EffectiveTaint, effectiveTaints } from './taints.js';
import type { Labels, ManagedCluster } from './types.js';

export interface ClusterFacts {
  name: string;
  labels: Labels;
  claims: Labels;
  taints: EffectiveTaint[];
  /**
   * Allocatable cores and bytes, as OCM's resource prioritizer reads them: only when the cluster reports both
   * allocatable and capacity for the resource (otherwise it gets no resource score).
   */
  allocatableCpu: number | undefined;
  allocatableMemory: number | undefined;
}

function allocatable(cluster: ManagedCluster, resource: 'cpu' | 'memory'): number | undefined {
  const status = cluster.status;
  if (status?.capacity?.[resource] === undefined) return undefined;
  if (tryParseQuantity(status.capacity[resource]) === undefined) return undefined;
  return tryParseQuantity(status.allocatable?.[resource]);
}

export function clusterFacts(cluster: ManagedCluster): ClusterFacts {
  const claims: Record<string, string> = {};
  for (const c of cluster.status?.clusterClaims ?? []) claims[c.name] = c.value;
  return {
    name: cluster.metadata.name,
    labels: cluster.metadata.labels ?? {},
    claims,
    taints: effectiveTaints(cluster),
    allocatableCpu: allocatable(cluster, 'cpu'),
    allocatableMemory: allocatable(cluster, 'memory'),
  };
}
