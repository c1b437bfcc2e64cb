/** The slice of tenancy.kcp.io/v1alpha1 Workspace that kplane reads. */
export interface WorkspaceObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; deletionTimestamp?: string; resourceVersion?: string };
  spec?: { type?: { name?: string; path?: string }; URL?: string; cluster?: string };
  status?: { phase?: string };
}

const tenancyApi = '/apis/tenancy.kcp.io/v1alpha1';

export function clusterPath(workspacePath: string): string {
  return `/clusters/${workspacePath}`;
}

export function workspacesPath(parentPath: string): string {
  return `${clusterPath(parentPath)}${tenancyApi}/workspaces`;
}

export function workspacePath(parentPath: string, name: string): string {
  return `${workspacesPath(parentPath)}/${encodeURIComponent(name)}`;
}

export const homeWorkspacePath = `${clusterPath('root')}${tenancyApi}/workspaces/~`;
