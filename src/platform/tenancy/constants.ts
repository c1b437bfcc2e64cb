// Storage keys and well-known names of the tenancy kinds, shared by API hooks and controllers.

export const WORKSPACES = 'workspaces.tenancy.kcp.io';
export const WORKSPACE_TYPES = 'workspacetypes.tenancy.kcp.io';
export const LOGICAL_CLUSTERS = 'logicalclusters.core.kcp.io';
export const NAMESPACES = 'namespaces';

/** Every logical cluster holds exactly one LogicalCluster object, with this name. */
export const LOGICAL_CLUSTER_NAME = 'cluster';

export const PATH_ANNOTATION = 'kcp.io/path';
export const TYPE_ANNOTATION = 'internal.tenancy.kcp.io/type';
export const PHASE_LABEL = 'tenancy.kcp.io/phase';
/** The creator of a workspace, as JSON userInfo; the controller makes them its admin. */
export const OWNER_ANNOTATION = 'experimental.tenancy.kcp.io/owner';

export interface WorkspaceTypeReference {
  name: string;
  path: string;
}

export const ROOT_TYPE: WorkspaceTypeReference = { name: 'root', path: 'root' };
