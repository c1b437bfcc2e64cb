import type { ResourceRegistry } from '../api/registry.js';
import type { RequestScope, ResourceService } from '../api/resource-service.js';
import { SYSTEM_USER } from '../auth/user.js';
import type { ClusterIndex } from '../storage/cluster-index.js';
import {
  LOGICAL_CLUSTER_NAME,
  LOGICAL_CLUSTERS,
  NAMESPACES,
  PATH_ANNOTATION,
  TYPE_ANNOTATION,
  WORKSPACE_TYPES,
} from '../tenancy/constants.js';
import { ensureRbac, rootRbac } from '../tenancy/builtin-rbac.js';
import { ROOT_CLUSTER_ID, ROOT_PATH } from '../tenancy/paths.js';
import { builtinWorkspaceType, BUILTIN_WORKSPACE_TYPES } from '../tenancy/workspace-types.js';

/**
 * Makes sure the root logical cluster exists, as kcp's root-phase0 does: its LogicalCluster (type
 * root:root, no Workspace object), the `default` namespace, the built-in WorkspaceTypes, and root's
 * RBAC: everybody authenticated may enter root and create `universal` workspaces, nothing more.
 * Idempotent, one transaction, so it runs on every start.
 */
export async function bootstrapRoot(
  service: ResourceService,
  registry: ResourceRegistry,
  clusters: ClusterIndex,
  baseUrl: string,
): Promise<void> {
  const root = { id: ROOT_CLUSTER_ID, path: ROOT_PATH };
  const scope: RequestScope = { cluster: root, user: SYSTEM_USER };
  const url = `${baseUrl}/clusters/${ROOT_PATH}`;
  await service.store.transact((tx) => {
    const writes = service.within(tx);
    clusters.add(root);
    const logicalClusters = registry.get(LOGICAL_CLUSTERS);
    const existing = writes.find(logicalClusters, scope, LOGICAL_CLUSTER_NAME);
    const logicalCluster =
      existing ??
      writes.create(logicalClusters, scope, {
        metadata: {
          name: LOGICAL_CLUSTER_NAME,
          annotations: { [PATH_ANNOTATION]: ROOT_PATH, [TYPE_ANNOTATION]: 'root:root' },
        },
      });
    const status = (logicalCluster.status ?? {}) as Record<string, unknown>;
    if (status.phase !== 'Ready' || status.URL !== url) {
      writes.update(
        logicalClusters,
        scope,
        LOGICAL_CLUSTER_NAME,
        { ...logicalCluster, status: { ...status, phase: 'Ready', URL: url } },
        { subresource: 'status' },
      );
    }
    const namespaces = registry.get(NAMESPACES);
    if (!writes.find(namespaces, scope, 'default'))
      writes.create(namespaces, scope, { metadata: { name: 'default' } });
    const workspaceTypes = registry.get(WORKSPACE_TYPES);
    for (const type of BUILTIN_WORKSPACE_TYPES) {
      if (!writes.find(workspaceTypes, scope, type.name)) {
        writes.create(workspaceTypes, scope, builtinWorkspaceType(type.name, type.defaultChild));
      }
    }
    ensureRbac(writes, registry, scope, rootRbac());
  });
}
