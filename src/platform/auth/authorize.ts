import type { ClusterRef } from '../storage/cluster-index.js';
import type { UserInfo } from './user.js';

/** What is being asked, in the shape RBAC will need: a resource request or a non-resource path. */
export type AccessRequest =
  | {
      kind: 'resource';
      verb: string;
      group: string;
      resource: string;
      subresource?: string;
      namespace?: string;
      name?: string;
    }
  | { kind: 'nonResource'; verb: string; path: string };

export interface AuthorizationDecision {
  allowed: boolean;
  reason?: string;
}

/**
 * The single authorization seam. Every authenticated user is allowed for now; RBAC (and kcp's
 * workspace `access` check) will replace the body of this function without touching its callers.
 */
export function authorize(
  user: UserInfo,
  _cluster: ClusterRef,
  _request: AccessRequest,
): AuthorizationDecision {
  if (user.groups.includes('system:authenticated') || user.groups.includes('system:masters')) {
    return { allowed: true };
  }
  return { allowed: false, reason: 'user is not authenticated' };
}
