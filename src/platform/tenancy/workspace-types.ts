import { getField, isPlainObject, type KubeObject } from '../api/object.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import type { StoreTransaction } from '../storage/store.js';
import {
  LOGICAL_CLUSTER_NAME,
  LOGICAL_CLUSTERS,
  ROOT_TYPE,
  TYPE_ANNOTATION,
  WORKSPACE_TYPES,
  type WorkspaceTypeReference,
} from './constants.js';
import { ROOT_PATH } from './paths.js';

const UNIVERSAL: WorkspaceTypeReference = { name: 'universal', path: ROOT_PATH };

/** The WorkspaceTypes every platform has in `root`, with kcp's default-child chain. */
export const BUILTIN_WORKSPACE_TYPES: { name: string; defaultChild: string; description: string }[] = [
  { name: 'root', defaultChild: 'organization', description: 'The root of the workspace tree.' },
  { name: 'organization', defaultChild: 'team', description: 'An organization: the top of a tenant tree.' },
  { name: 'team', defaultChild: 'universal', description: 'A team inside an organization.' },
  { name: 'universal', defaultChild: 'universal', description: 'A general-purpose workspace.' },
  { name: 'home', defaultChild: 'universal', description: "A user's home workspace." },
];

export function builtinWorkspaceType(name: string, defaultChild: string): KubeObject {
  return {
    apiVersion: 'tenancy.kcp.io/v1alpha1',
    kind: 'WorkspaceType',
    metadata: { name },
    spec: { defaultChildWorkspaceType: { name: defaultChild, path: ROOT_PATH } },
  };
}

/** `root:team` → {path: root, name: team}. */
export function parseTypeReference(value: string): WorkspaceTypeReference | undefined {
  const at = value.lastIndexOf(':');
  if (at <= 0) return undefined;
  return { path: value.slice(0, at), name: value.slice(at + 1) };
}

export function formatTypeReference(ref: WorkspaceTypeReference): string {
  return `${ref.path}:${ref.name}`;
}

export function findWorkspaceType(
  tx: StoreTransaction,
  clusters: ClusterIndex,
  ref: WorkspaceTypeReference,
): KubeObject | undefined {
  const cluster = clusters.resolve(ref.path);
  if (!cluster) return undefined;
  return tx.get({ cluster: cluster.id, resource: WORKSPACE_TYPES, namespace: '', name: ref.name });
}

/** The type of a logical cluster, from its LogicalCluster's type annotation. */
export function clusterType(tx: StoreTransaction, cluster: ClusterRef): WorkspaceTypeReference {
  const logicalCluster = tx.get({
    cluster: cluster.id,
    resource: LOGICAL_CLUSTERS,
    namespace: '',
    name: LOGICAL_CLUSTER_NAME,
  });
  const annotation = logicalCluster?.metadata.annotations?.[TYPE_ANNOTATION];
  return (annotation && parseTypeReference(annotation)) || ROOT_TYPE;
}

/** What a new child workspace of `parent` gets when it names no type: its parent type's default. */
export function defaultChildType(
  tx: StoreTransaction,
  clusters: ClusterIndex,
  parent: ClusterRef,
): WorkspaceTypeReference {
  const parentType = findWorkspaceType(tx, clusters, clusterType(tx, parent));
  const child = getField(parentType, 'spec.defaultChildWorkspaceType');
  if (isPlainObject(child) && typeof child.name === 'string') {
    return { name: child.name, path: typeof child.path === 'string' && child.path ? child.path : ROOT_PATH };
  }
  return UNIVERSAL;
}
