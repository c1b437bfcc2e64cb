import { CLUSTER_GROUP, GLOBAL_CLUSTER_SET } from '../../placement/index.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { RequestScope, ResourceService } from '../api/resource-service.js';
import { AUTHENTICATED_GROUP } from '../auth/rbac/bootstrap.js';
import {
  CLUSTER_ROLE_BINDINGS,
  CLUSTER_ROLES,
  clusterRoleBindingObject,
  clusterRoleObject,
} from '../auth/rbac/objects.js';
import { rule } from '../auth/rbac/rules.js';
import { SYSTEM_USER } from '../auth/user.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import { ensureRbac } from '../tenancy/builtin-rbac.js';
import { ensureWorkspace } from '../tenancy/ensure-workspace.js';
import { ROOT_CLUSTER_ID, ROOT_PATH } from '../tenancy/paths.js';
import { BIND_SUBRESOURCE, COMPUTE_PATH, COMPUTE_WORKSPACE, MANAGED_CLUSTER_SETS } from './constants.js';

// root:compute, the platform's compute workspace: created on first start (type root:universal,
// owned by the platform, so only the platform and system:masters may enter it), with the set
// `global` that OCM hubs create by default (every cluster, LabelSelector {}), and the grant that
// lets every authenticated user bind the default sets into their namespaces.

/** The sets everybody may bind unless the platform owner changes the grant below. */
export const DEFAULT_BINDABLE_SETS = [GLOBAL_CLUSTER_SET, 'eu'];
export const DEFAULT_BIND_ROLE = 'kplane:managedclusterset:bind-default-sets';

export interface ComputeBootstrapDeps {
  service: ResourceService;
  registry: ResourceRegistry;
  clusters: ClusterIndex;
  /** Resolves once the workspace controller has nothing queued: the new workspace is Ready. */
  settle(): Promise<void>;
}

export function globalClusterSet(): KubeObject {
  return {
    apiVersion: `${CLUSTER_GROUP}/v1beta2`,
    kind: 'ManagedClusterSet',
    metadata: { name: GLOBAL_CLUSTER_SET },
    spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: {} } },
  };
}

function bindRbac() {
  const labels = { 'kplane.dev/bootstrapping': 'compute-defaults' };
  return [
    {
      resource: CLUSTER_ROLES,
      object: clusterRoleObject(
        DEFAULT_BIND_ROLE,
        [
          rule({
            apiGroups: [CLUSTER_GROUP],
            resources: [`managedclustersets/${BIND_SUBRESOURCE}`],
            resourceNames: DEFAULT_BINDABLE_SETS,
            verbs: ['create'],
          }),
        ],
        labels,
      ),
    },
    {
      resource: CLUSTER_ROLE_BINDINGS,
      object: clusterRoleBindingObject(
        DEFAULT_BIND_ROLE,
        DEFAULT_BIND_ROLE,
        [{ kind: 'Group', name: AUTHENTICATED_GROUP }],
        labels,
      ),
    },
  ];
}

/**
 * Makes sure root:compute exists and is Ready, holds the `global` set and the default bind grant.
 * Only what is missing is written, so the owner's edits to the grant or to `global` stay; a deleted
 * grant or `global` comes back on the next start (an OCM hub recreates `global` the same way).
 */
export async function bootstrapCompute(deps: ComputeBootstrapDeps): Promise<ClusterRef> {
  const { service, registry, clusters } = deps;
  const rootScope: RequestScope = { cluster: { id: ROOT_CLUSTER_ID, path: ROOT_PATH }, user: SYSTEM_USER };
  await service.store.transact((tx) =>
    ensureWorkspace(service.within(tx), registry, rootScope, COMPUTE_WORKSPACE, 'universal'),
  );
  await deps.settle();
  const compute = clusters.resolve(COMPUTE_PATH);
  if (!compute) throw new Error(`workspace ${COMPUTE_PATH} did not come up`);
  const scope: RequestScope = { cluster: compute, user: SYSTEM_USER };
  await service.store.transact((tx) => {
    const writes = service.within(tx);
    const sets = registry.get(MANAGED_CLUSTER_SETS);
    if (!writes.find(sets, scope, GLOBAL_CLUSTER_SET)) writes.create(sets, scope, globalClusterSet());
    ensureRbac(writes, registry, scope, bindRbac());
  });
  return compute;
}
