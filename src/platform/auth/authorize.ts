import type { ClusterRef } from '../storage/cluster-index.js';
import {
  BOOTSTRAP_CLUSTER_ROLE_BINDINGS,
  BOOTSTRAP_CLUSTER_ROLES,
  MASTERS_GROUP,
  WORKSPACE_ACCESS,
} from './rbac/bootstrap.js';
import { fixedPolicy, storedPolicy, type ObjectReader } from './rbac/objects.js';
import { allows, rulesFor, type Policy } from './rbac/policy.js';
import type { AccessRequest, PolicyRule } from './rbac/rules.js';
import type { UserInfo } from './user.js';

export type { AccessRequest } from './rbac/rules.js';

const BOOTSTRAP_POLICY = fixedPolicy(BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES);

/**
 * The single authorization seam, kcp's chain in small: `system:masters` may do anything; otherwise a
 * request into a workspace first needs `access` on `/` granted inside that workspace, then RBAC in
 * that workspace (its own bindings, plus the built-in ones every workspace has) must allow it.
 * Policy is read from storage on each call; nothing is cached across requests.
 */
export class Authorizer {
  constructor(private readonly reader: ObjectReader) {}

  isPrivileged(user: UserInfo): boolean {
    return user.groups.includes(MASTERS_GROUP);
  }

  /** The built-in policy and the workspace's own, in the order they are consulted. */
  policies(cluster: ClusterRef): Policy[] {
    return [BOOTSTRAP_POLICY, storedPolicy(this.reader, cluster.id, BOOTSTRAP_CLUSTER_ROLES)];
  }

  /** kcp's workspace content authorizer: may the user enter this workspace at all? */
  mayEnter(user: UserInfo, cluster: ClusterRef): boolean {
    // kcp lets a workspace's own service accounts in (what they may do there is RBAC's to say); the router has
    // already refused a bound token outside its workspace.
    if (user.boundTo?.cluster === cluster.id) return true;
    return this.authorize(user, cluster, WORKSPACE_ACCESS);
  }

  authorize(user: UserInfo, cluster: ClusterRef, request: AccessRequest): boolean {
    if (this.isPrivileged(user)) return true;
    return this.policies(cluster).some((policy) => allows(policy, user, request));
  }

  /** Every rule the user holds in the workspace for `namespace` (cluster-wide when undefined). */
  rulesFor(user: UserInfo, cluster: ClusterRef, namespace: string | undefined): PolicyRule[] {
    return this.policies(cluster).flatMap((policy) => rulesFor(policy, user, namespace));
  }
}
