import { NotFoundError } from '../cli/errors.js';
import type { IOStreams } from '../cli/io.js';
import { isStatusCode } from '../client/api-error.js';
import { AGENT_SERVICE_ACCOUNT } from '../shared/join-identities.js';
import type { WorkspaceSelector } from '../workspace/session.js';
import { applyObjects, withComputeSession } from './compute-session.js';
import { acceptedObjects } from './join-rbac.js';

export { COMPUTE_WORKSPACE_FLAG } from './compute-session.js';

export interface AcceptanceOptions {
  kubeconfig: WorkspaceSelector;
  name: string;
  accept: boolean;
}

/**
 * `cluster accept|deny NAME`: OCM's hubAcceptsClient. Accepting also makes what OCM's hub makes for an accepted
 * cluster: its namespace (where its works and its lease live), the agent's own identity there (a ServiceAccount
 * whose token the agent then requests) and that identity's narrow RBAC. Denying deletes the ServiceAccount, which
 * revokes every token it had: the agent can no longer read or write anything on the hub.
 */
export function setClusterAcceptance(options: AcceptanceOptions, io: IOStreams): Promise<void> {
  return withComputeSession(options.kubeconfig, async (session, base) => {
    try {
      await session.client.request(
        'PATCH',
        `${base}/apis/cluster.open-cluster-management.io/v1/managedclusters/${encodeURIComponent(options.name)}`,
        { body: { spec: { hubAcceptsClient: options.accept } }, contentType: 'application/merge-patch+json' },
      );
    } catch (error) {
      if (isStatusCode(error, 404)) {
        throw new NotFoundError(
          `cluster "${options.name}" has not registered in ${session.path}: start its agent first (kplane cluster join-command ${options.name})`,
        );
      }
      throw error;
    }
    if (options.accept) await applyObjects(session.client, base, acceptedObjects(options.name));
    else await deleteAgentIdentity(session.client, base, options.name);
    io.err(`cluster ${options.name} ${options.accept ? 'accepted' : 'denied'}.`);
  });
}

async function deleteAgentIdentity(
  client: Parameters<typeof applyObjects>[0],
  base: string,
  cluster: string,
): Promise<void> {
  try {
    await client.delete(
      `${base}/api/v1/namespaces/${encodeURIComponent(cluster)}/serviceaccounts/${AGENT_SERVICE_ACCOUNT}`,
    );
  } catch (error) {
    if (!isStatusCode(error, 404)) throw error;
  }
}
