import { NotFoundError } from '../cli/errors.js';
import type { IOStreams } from '../cli/io.js';
import { isStatusCode } from '../client/api-error.js';
import { clusterPath } from '../workspace/workspace-api.js';
import { type WorkspaceSelector, withWorkspaceSession } from '../workspace/session.js';

/** Where the platform keeps its compute, and so where `cluster` commands act unless `-w` says otherwise. */
export const COMPUTE_WORKSPACE_FLAG = ':root:compute';

export interface AcceptanceOptions {
  kubeconfig: WorkspaceSelector;
  name: string;
  accept: boolean;
}

/**
 * `cluster accept|deny NAME`: OCM's hubAcceptsClient. Accepting also makes the cluster's namespace on the hub,
 * where its works and its lease live, as OCM's hub does when it accepts a cluster.
 */
export function setClusterAcceptance(options: AcceptanceOptions, io: IOStreams): Promise<void> {
  const kubeconfig = {
    ...options.kubeconfig,
    workspace: options.kubeconfig.workspace ?? COMPUTE_WORKSPACE_FLAG,
  };
  return withWorkspaceSession(kubeconfig, async (session) => {
    const base = clusterPath(session.path);
    try {
      await session.client.request(
        'PATCH',
        `${base}/apis/cluster.open-cluster-management.io/v1/managedclusters/${encodeURIComponent(options.name)}`,
        { body: { spec: { hubAcceptsClient: options.accept } }, contentType: 'application/merge-patch+json' },
      );
    } catch (error) {
      if (isStatusCode(error, 404)) {
        throw new NotFoundError(
          `cluster "${options.name}" has not registered in ${session.path}: start its agent first (kplane agent)`,
        );
      }
      throw error;
    }
    if (options.accept) {
      try {
        await session.client.post(`${base}/api/v1/namespaces`, {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: options.name },
        });
      } catch (error) {
        if (!isStatusCode(error, 409)) throw error;
      }
    }
    io.err(`cluster ${options.name} ${options.accept ? 'accepted' : 'denied'}.`);
  });
}
