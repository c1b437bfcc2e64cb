import type { KubeObject } from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { RequestScope, TransactionWrites } from '../api/resource-service.js';
import {
  AUTHENTICATED_GROUP,
  BOOTSTRAP_CLUSTER_ROLES,
  ROOT_ACCESS_BINDING,
  UNIVERSAL_TYPE_USE_BINDING,
  UNIVERSAL_TYPE_USE_ROLE,
  UNIVERSAL_TYPE_USE_RULES,
  WORKSPACE_ACCESS_ROLE,
  WORKSPACE_ADMIN_BINDING,
  WORKSPACE_CLUSTER_ROLES,
  CLUSTER_ADMIN,
} from '../auth/rbac/bootstrap.js';
import {
  CLUSTER_ROLE_BINDINGS,
  CLUSTER_ROLES,
  clusterRoleBindingObject,
  clusterRoleObject,
} from '../auth/rbac/objects.js';
import type { Owner } from './owner.js';

// The RBAC objects the platform writes into workspaces: the built-in ClusterRoles everywhere, the
// creator's `workspace-admin` binding in each new workspace, and root's grants to everybody.

const BOOTSTRAPPING = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

interface Wanted {
  resource: string;
  object: KubeObject;
}

const builtinRole = (name: string): Wanted => ({
  resource: CLUSTER_ROLES,
  object: clusterRoleObject(name, BOOTSTRAP_CLUSTER_ROLES[name] ?? [], BOOTSTRAPPING),
});

/** What every workspace holds, plus the binding that makes its owner cluster-admin there. */
export function workspaceRbac(owner: Owner | undefined): Wanted[] {
  const wanted = WORKSPACE_CLUSTER_ROLES.map(builtinRole);
  if (owner) {
    wanted.push({
      resource: CLUSTER_ROLE_BINDINGS,
      object: clusterRoleBindingObject(WORKSPACE_ADMIN_BINDING, CLUSTER_ADMIN, [
        { kind: 'User', name: owner.username },
      ]),
    });
  }
  return wanted;
}

/** Root: everybody may enter and create `universal` workspaces, nothing more (kcp's root). */
export function rootRbac(): Wanted[] {
  const everybody = [{ kind: 'Group', name: AUTHENTICATED_GROUP }];
  return [
    ...WORKSPACE_CLUSTER_ROLES.map(builtinRole),
    {
      resource: CLUSTER_ROLE_BINDINGS,
      object: clusterRoleBindingObject(ROOT_ACCESS_BINDING, WORKSPACE_ACCESS_ROLE, everybody, BOOTSTRAPPING),
    },
    {
      resource: CLUSTER_ROLES,
      object: clusterRoleObject(UNIVERSAL_TYPE_USE_ROLE, UNIVERSAL_TYPE_USE_RULES, BOOTSTRAPPING),
    },
    {
      resource: CLUSTER_ROLE_BINDINGS,
      object: clusterRoleBindingObject(
        UNIVERSAL_TYPE_USE_BINDING,
        UNIVERSAL_TYPE_USE_ROLE,
        everybody,
        BOOTSTRAPPING,
      ),
    },
  ];
}

/**
 * Creates whichever of `wanted` is missing, in the caller's transaction.
 * Returns whether anything was written. What exists is left alone: an owner may have changed it.
 */
export function ensureRbac(
  writes: TransactionWrites,
  registry: ResourceRegistry,
  scope: RequestScope,
  wanted: Wanted[],
): boolean {
  let wrote = false;
  for (const { resource, object } of wanted) {
    const def = registry.get(resource);
    if (writes.find(def, scope, object.metadata.name ?? '')) continue;
    writes.create(def, scope, object);
    wrote = true;
  }
  return wrote;
}
