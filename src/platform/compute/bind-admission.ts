import { CLUSTER_GROUP } from '../../placement/index.js';
import type { Authorizer } from '../auth/authorize.js';
import type { ResourceRequest } from '../auth/rbac/rules.js';
import type { UserInfo } from '../auth/user.js';
import { requestForbidden } from '../http/errors.js';
import type { ClusterIndex } from '../storage/cluster-index.js';
import { BIND_SUBRESOURCE, COMPUTE_PATH } from './constants.js';

// OCM's admission for ManagedClusterSetBindings: binding a set into a namespace needs `create` on
// the virtual subresource managedclustersets/bind for that set. Sets live in root:compute, so that
// is where the permission is looked up, for the caller, whatever workspace the binding is made in.
// Entering root:compute is not needed: the grant alone counts.

export function bindRequest(setName: string): ResourceRequest {
  return {
    kind: 'resource',
    verb: 'create',
    group: CLUSTER_GROUP,
    resource: 'managedclustersets',
    subresource: BIND_SUBRESOURCE,
    name: setName,
  };
}

export function mayBindClusterSet(
  authorizer: Authorizer,
  clusters: ClusterIndex,
  user: UserInfo,
  setName: string,
): boolean {
  if (authorizer.isPrivileged(user)) return true;
  const compute = clusters.resolve(COMPUTE_PATH);
  return compute !== undefined && authorizer.authorize(user, compute, bindRequest(setName));
}

/**
 * Throws the apiserver's Forbidden, worded for the bind check:
 * `managedclustersets.cluster.open-cluster-management.io "<set>" is forbidden: User "<u>" cannot
 * create resource "managedclustersets/bind" in API group "cluster.open-cluster-management.io" at the
 * cluster scope`.
 */
export function checkClusterSetBind(
  authorizer: Authorizer,
  clusters: ClusterIndex,
  user: UserInfo,
  setName: string,
): void {
  if (!mayBindClusterSet(authorizer, clusters, user, setName))
    throw requestForbidden(user.name, bindRequest(setName));
}
