import type { RestClient } from '../client/rest-client.js';
import { clusterPath } from '../workspace/workspace-api.js';
import { type WorkspaceSelector, type WorkspaceSession, withWorkspaceSession } from '../workspace/session.js';
import type { KubeObject } from './join-rbac.js';
import { objectPath } from './join-rbac.js';

/** Where the platform keeps its compute, and so where `cluster` commands act unless `-w` says otherwise. */
export const COMPUTE_WORKSPACE_FLAG = ':root:compute';

/** A session in the compute workspace (or `-w`'s), with paths below that workspace. */
export function withComputeSession<T>(
  kubeconfig: WorkspaceSelector,
  work: (session: WorkspaceSession, base: string) => Promise<T>,
): Promise<T> {
  const selector = { ...kubeconfig, workspace: kubeconfig.workspace ?? COMPUTE_WORKSPACE_FLAG };
  return withWorkspaceSession(selector, (session) => work(session, clusterPath(session.path)));
}

/**
 * Creates or updates each object by server-side apply (as manager `kplane`), in order: running a command again
 * puts back what someone changed or removed, and changes nothing else.
 */
export async function applyObjects(client: RestClient, base: string, objects: KubeObject[]): Promise<void> {
  for (const object of objects) {
    await client.request('PATCH', `${base}${objectPath(object)}`, {
      body: object,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'kplane', force: 'true' },
    });
  }
}
