import { isStatusCode } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';
import {
  CLUSTER_GROUP,
  PLACEMENT_LABEL,
  type Condition,
  type ManagedCluster,
  type ManagedClusterSet,
  type ManagedClusterSetBinding,
  type PlacementSpec,
} from '../placement/index.js';
import { clusterPath } from '../workspace/workspace-api.js';

/** A stored Placement as the platform returns it. */
export interface PlacementObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    creationTimestamp?: string;
  };
  spec: PlacementSpec;
  status?: {
    numberOfSelectedClusters?: number;
    conditions?: (Condition & { observedGeneration?: number })[];
  };
}

export interface PlacementDecisionObject {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  status?: { decisions?: { clusterName: string; reason: string }[] };
}

const v1 = `/apis/${CLUSTER_GROUP}/v1`;
const v1beta1 = `/apis/${CLUSTER_GROUP}/v1beta1`;
const v1beta2 = `/apis/${CLUSTER_GROUP}/v1beta2`;

export const placementsPath = (workspace: string, namespace: string) =>
  `${clusterPath(workspace)}${v1beta1}/namespaces/${namespace}/placements`;

/** The OCM objects a placement is decided from, as this workspace sees them. */
export interface PlacementWorld {
  clusters: ManagedCluster[];
  clusterSets: ManagedClusterSet[];
  bindings: string[];
}

export async function fetchPlacementWorld(
  client: RestClient,
  workspace: string,
  namespace: string,
): Promise<PlacementWorld> {
  const [clusters, clusterSets, bindings] = await Promise.all([
    listOrEmpty<ManagedCluster>(client, `${clusterPath(workspace)}${v1}/managedclusters`),
    listOrEmpty<ManagedClusterSet>(client, `${clusterPath(workspace)}${v1beta2}/managedclustersets`),
    listOrEmpty<ManagedClusterSetBinding>(client, clusterSetBindingsPath(workspace, namespace)),
  ]);
  return { clusters, clusterSets, bindings: bindings.map((binding) => binding.spec.clusterSet) };
}

export async function fetchDecisions(
  client: RestClient,
  workspace: string,
  namespace: string,
  placement: string,
) {
  const decisions = await listOrEmpty<PlacementDecisionObject>(
    client,
    `${clusterPath(workspace)}${v1beta1}/namespaces/${namespace}/placementdecisions`,
    { labelSelector: `${PLACEMENT_LABEL}=${placement}` },
  );
  return decisions.flatMap((decision) => decision.status?.decisions ?? []);
}

export function clusterSetBindingsPath(workspace: string, namespace: string): string {
  return `${clusterPath(workspace)}${v1beta2}/namespaces/${namespace}/managedclustersetbindings`;
}

async function listOrEmpty<T>(
  client: RestClient,
  path: string,
  query: Record<string, string> = {},
): Promise<T[]> {
  try {
    return (await client.get<{ items?: T[] }>(path, { query })).items ?? [];
  } catch (error) {
    if (isStatusCode(error, 404)) return [];
    throw error;
  }
}

/**
 * The deploys (OCM ManifestWorkReplicaSets) of the namespace that follow a placement; none where the
 * server has no work API.
 */
export async function fetchFollowingDeploys(
  client: RestClient,
  workspace: string,
  namespace: string,
  placement: string,
): Promise<string[]> {
  const replicaSets = await listOrEmpty<{
    metadata: { name: string };
    spec?: { placementRefs?: { name?: string }[] };
  }>(
    client,
    `${clusterPath(workspace)}/apis/work.open-cluster-management.io/v1alpha1/namespaces/${namespace}/manifestworkreplicasets`,
  );
  return replicaSets
    .filter((rs) => (rs.spec?.placementRefs ?? []).some((ref) => ref.name === placement))
    .map((rs) => rs.metadata.name);
}
