import type { ResourceRequest } from '../auth/rbac/rules.js';
import type { UserInfo } from '../auth/user.js';
import { forbidden } from '../http/errors.js';
import type { ClusterRef } from '../storage/cluster-index.js';
import { APIS_GROUP, BIND_VERB } from './constants.js';
import type { ExportReference } from './types.js';

// kcp's APIBinding admission: creating a binding needs verb `bind` on apiexports/<name> (group
// apis.kcp.io) in the export's workspace, decided by RBAC there for the caller. The grant alone
// counts: the caller need not be able to enter that workspace. An export that does not exist, in a
// workspace that may not exist, is refused with the same words as one the caller may not bind, so
// the answer never tells whether it exists.

/** What the authorizer needs to answer (the platform's Authorizer fits). */
export interface BindAuthorizer {
  isPrivileged(user: UserInfo): boolean;
  authorize(user: UserInfo, cluster: ClusterRef, request: ResourceRequest): boolean;
}

export function bindRequest(exportName: string): ResourceRequest {
  return { kind: 'resource', verb: BIND_VERB, group: APIS_GROUP, resource: 'apiexports', name: exportName };
}

/** The export's workspace path as the binding means it: an empty path is the binding's own workspace. */
export function exportPath(reference: ExportReference, bindingCluster: ClusterRef): string {
  return reference.path || bindingCluster.path;
}

export function mayBind(
  authorizer: BindAuthorizer,
  resolve: (path: string) => ClusterRef | undefined,
  user: UserInfo,
  reference: ExportReference,
  bindingCluster: ClusterRef,
): boolean {
  // system:masters may bind anything, even an export that is yet to be made.
  if (authorizer.isPrivileged(user)) return true;
  const cluster = resolve(exportPath(reference, bindingCluster));
  return cluster !== undefined && authorizer.authorize(user, cluster, bindRequest(reference.name));
}

/** Throws kcp's unified 403 unless the caller may bind the export. */
export function checkBind(
  authorizer: BindAuthorizer,
  resolve: (path: string) => ClusterRef | undefined,
  user: UserInfo,
  reference: ExportReference,
  bindingCluster: ClusterRef,
): void {
  if (mayBind(authorizer, resolve, user, reference, bindingCluster)) return;
  throw forbidden(
    `unable to create APIBinding: no permission to bind to export ${exportPath(reference, bindingCluster)}:${reference.name}`,
  );
}
