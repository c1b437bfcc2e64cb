import { AVAILABLE_CONDITION, CLUSTER_GROUP, type Taint } from '../../placement/index.js';
import { nowTimestamp, type KubeObject } from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { RequestScope, ResourceService } from '../api/resource-service.js';
import { MANAGED_CLUSTER_SETS, MANAGED_CLUSTERS } from './constants.js';

// The demo compute: eight clusters over four regions and three providers, with varied capacity,
// one cluster in maintenance (NoSelect) and one on spot capacity (PreferNoSelect), the set `global`
// (made at bootstrap) and the set `eu`.

export interface DemoCluster {
  name: string;
  region: string;
  zone: string;
  provider: string;
  tier: 'gold' | 'silver';
  /** Capacity and allocatable: cores, and memory in Gi. */
  cpu: [capacity: number, allocatable: number];
  memoryGi: [capacity: number, allocatable: number];
  taints?: Omit<Taint, 'timeAdded'>[];
}

export const DEMO_CLUSTERS: readonly DemoCluster[] = [
  {
    name: 'aws-eu-west-1',
    region: 'eu-west',
    zone: 'eu-west-1a',
    provider: 'aws',
    tier: 'gold',
    cpu: [64, 60],
    memoryGi: [256, 240],
  },
  {
    name: 'gcp-eu-west-1',
    region: 'eu-west',
    zone: 'europe-west1-b',
    provider: 'gcp',
    tier: 'silver',
    cpu: [32, 28],
    memoryGi: [128, 112],
  },
  {
    name: 'azure-eu-central-1',
    region: 'eu-central',
    zone: 'germanywestcentral-1',
    provider: 'azure',
    tier: 'gold',
    cpu: [48, 44],
    memoryGi: [192, 176],
  },
  {
    name: 'gcp-eu-central-1',
    region: 'eu-central',
    zone: 'europe-west3-a',
    provider: 'gcp',
    tier: 'silver',
    cpu: [16, 14],
    memoryGi: [64, 56],
  },
  {
    name: 'aws-us-east-1',
    region: 'us-east',
    zone: 'us-east-1a',
    provider: 'aws',
    tier: 'gold',
    cpu: [96, 90],
    memoryGi: [384, 360],
  },
  {
    name: 'gcp-us-east-1',
    region: 'us-east',
    zone: 'us-east4-a',
    provider: 'gcp',
    tier: 'silver',
    cpu: [24, 22],
    memoryGi: [96, 88],
    taints: [{ key: 'kplane.dev/spot', value: 'true', effect: 'PreferNoSelect' }],
  },
  {
    name: 'aws-ap-south-1',
    region: 'ap-south',
    zone: 'ap-south-1a',
    provider: 'aws',
    tier: 'silver',
    cpu: [32, 30],
    memoryGi: [128, 120],
  },
  {
    name: 'azure-ap-south-1',
    region: 'ap-south',
    zone: 'centralindia-1',
    provider: 'azure',
    tier: 'gold',
    cpu: [8, 6],
    memoryGi: [32, 28],
    taints: [{ key: 'kplane.dev/maintenance', value: 'true', effect: 'NoSelect' }],
  },
];

/** `eu`: the clusters in an EU region, chosen by label rather than by set membership label. */
export const EU_CLUSTER_SET: KubeObject = {
  apiVersion: `${CLUSTER_GROUP}/v1beta2`,
  kind: 'ManagedClusterSet',
  metadata: { name: 'eu' },
  spec: {
    clusterSelector: {
      selectorType: 'LabelSelector',
      labelSelector: {
        matchExpressions: [{ key: 'region', operator: 'In', values: ['eu-west', 'eu-central'] }],
      },
    },
  },
};

export function demoClusterObject(cluster: DemoCluster): KubeObject {
  const spec: Record<string, unknown> = { hubAcceptsClient: true, leaseDurationSeconds: 60 };
  if (cluster.taints) spec.taints = cluster.taints.map((t) => ({ ...t }));
  return {
    apiVersion: `${CLUSTER_GROUP}/v1`,
    kind: 'ManagedCluster',
    metadata: {
      name: cluster.name,
      labels: {
        region: cluster.region,
        zone: cluster.zone,
        provider: cluster.provider,
        tier: cluster.tier,
        vendor: 'Kubernetes',
      },
    },
    spec,
  };
}

export function demoClusterStatus(cluster: DemoCluster, now: Date = new Date()): Record<string, unknown> {
  const at = nowTimestamp(now);
  const condition = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    reason,
    message,
    lastTransitionTime: at,
  });
  return {
    capacity: { cpu: String(cluster.cpu[0]), memory: `${cluster.memoryGi[0]}Gi` },
    allocatable: { cpu: String(cluster.cpu[1]), memory: `${cluster.memoryGi[1]}Gi` },
    version: { kubernetes: 'v1.32.0' },
    clusterClaims: [
      { name: 'region.open-cluster-management.io', value: cluster.region },
      { name: 'platform.open-cluster-management.io', value: cluster.provider.toUpperCase() },
    ],
    conditions: [
      condition('HubAcceptedManagedCluster', 'HubClusterAdminAccepted', 'Accepted by the platform owner'),
      condition('ManagedClusterJoined', 'ManagedClusterJoined', 'Managed cluster joined'),
      condition(AVAILABLE_CONDITION, 'ManagedClusterAvailable', 'Managed cluster is available'),
    ],
  };
}

/**
 * Registers whatever of the demo compute is missing in root:compute, as the admin would with
 * kubectl: each cluster is created and given its status in one transaction. What exists is left
 * alone (it may have been marked unavailable or relabelled on purpose), so restarts change nothing.
 */
export async function seedDemoCompute(
  service: ResourceService,
  registry: ResourceRegistry,
  scope: RequestScope,
): Promise<void> {
  const clusters = registry.get(MANAGED_CLUSTERS);
  const sets = registry.get(MANAGED_CLUSTER_SETS);
  await service.store.transact((tx) => {
    const writes = service.within(tx);
    for (const cluster of DEMO_CLUSTERS) {
      if (writes.find(clusters, scope, cluster.name)) continue;
      const created = writes.create(clusters, scope, demoClusterObject(cluster));
      writes.update(
        clusters,
        scope,
        cluster.name,
        { ...created, status: demoClusterStatus(cluster) },
        { subresource: 'status' },
      );
    }
    if (!writes.find(sets, scope, 'eu')) writes.create(sets, scope, structuredClone(EU_CLUSTER_SET));
  });
}
