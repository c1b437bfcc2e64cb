import { isStatusCode } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';
import { memberCapacity } from './capacity.js';

// The registration side of OCM's klusterlet: the ManagedCluster on the hub, its status (joined, available,
// capacity) and the lease that says the agent is alive. The hub owner accepts the cluster (hubAcceptsClient);
// until then the agent applies nothing.

export const CLUSTER_LEASE_NAME = 'managed-cluster-lease';
const clustersPath = '/apis/cluster.open-cluster-management.io/v1/managedclusters';
const AVAILABLE = 'ManagedClusterConditionAvailable';
const JOINED = 'ManagedClusterJoined';

export interface RegistrationOptions {
  clusterName: string;
  labels: Record<string, string>;
  /** Dev only: the cluster accepts itself (OCM's auto-approval). */
  autoAccept: boolean;
  leaseDurationSeconds: number;
  /** Allocatable to report when the member has no Nodes to read it from (`--capacity cpu=8`). */
  capacityFlags: Record<string, string>;
}

interface ManagedCluster {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { hubAcceptsClient?: boolean; leaseDurationSeconds?: number };
  status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
}

/** Creates the ManagedCluster if the hub has none of that name, and keeps the labels the agent reports. */
export async function registerCluster(hub: RestClient, options: RegistrationOptions): Promise<void> {
  try {
    const existing = await hub.get<ManagedCluster>(`${clustersPath}/${options.clusterName}`);
    const missing = Object.entries(options.labels).some(
      ([key, value]) => existing.metadata.labels?.[key] !== value,
    );
    // A restarted agent with another --lease-seconds: the hub judges the lease by the cluster's own value.
    const leaseChanged = existing.spec?.leaseDurationSeconds !== options.leaseDurationSeconds;
    if (missing || leaseChanged) {
      await hub.request('PATCH', `${clustersPath}/${options.clusterName}`, {
        body: {
          ...(missing ? { metadata: { labels: options.labels } } : {}),
          ...(leaseChanged ? { spec: { leaseDurationSeconds: options.leaseDurationSeconds } } : {}),
        },
        contentType: 'application/merge-patch+json',
      });
    }
    return;
  } catch (error) {
    if (!isStatusCode(error, 404)) throw error;
  }
  await hub.post(clustersPath, {
    apiVersion: 'cluster.open-cluster-management.io/v1',
    kind: 'ManagedCluster',
    metadata: { name: options.clusterName, labels: options.labels },
    spec: { hubAcceptsClient: options.autoAccept, leaseDurationSeconds: options.leaseDurationSeconds },
  });
}

export async function isAccepted(hub: RestClient, clusterName: string): Promise<boolean> {
  const cluster = await hub.get<ManagedCluster>(`${clustersPath}/${clusterName}`);
  return cluster.spec?.hubAcceptsClient === true;
}

/**
 * Joined, Available (the member's API answers) and capacity, as the klusterlet's status controller reports them.
 * The hub, not the agent, turns Available to Unknown when the lease stops being renewed.
 */
export async function reportClusterStatus(
  hub: RestClient,
  member: RestClient,
  options: RegistrationOptions,
  now: string,
): Promise<void> {
  let available = true;
  let message = "the member's API answers";
  try {
    await member.get('/api');
  } catch (error) {
    available = false;
    message = `the member's API does not answer: ${(error as Error).message}`;
  }
  const capacity = available ? await memberCapacity(member, options.capacityFlags) : undefined;
  const conditions = [
    {
      type: JOINED,
      status: 'True',
      reason: 'ManagedClusterJoined',
      message: 'the agent joined the hub',
      lastTransitionTime: now,
    },
    {
      type: AVAILABLE,
      status: available ? 'True' : 'False',
      reason: available ? 'ManagedClusterAvailable' : 'ManagedClusterKubeAPIServerUnavailable',
      message,
      lastTransitionTime: now,
    },
  ];
  await hub.request('PATCH', `${clustersPath}/${options.clusterName}/status`, {
    body: { status: { conditions, ...(capacity ? { capacity, allocatable: capacity } : {}) } },
    contentType: 'application/merge-patch+json',
  });
}

/** Renews (or creates) the lease in the cluster's namespace on the hub: the agent's heartbeat. */
export async function renewLease(hub: RestClient, options: RegistrationOptions, now: Date): Promise<void> {
  const leases = `/apis/coordination.k8s.io/v1/namespaces/${options.clusterName}/leases`;
  const renewTime = now.toISOString().replace('Z', '000Z');
  const spec = {
    holderIdentity: options.clusterName,
    leaseDurationSeconds: options.leaseDurationSeconds,
    renewTime,
  };
  try {
    await hub.request('PATCH', `${leases}/${CLUSTER_LEASE_NAME}`, {
      body: { spec },
      contentType: 'application/merge-patch+json',
    });
  } catch (error) {
    if (!isStatusCode(error, 404)) throw error;
    await hub.post(leases, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: CLUSTER_LEASE_NAME, namespace: options.clusterName },
      spec,
    });
  }
}
