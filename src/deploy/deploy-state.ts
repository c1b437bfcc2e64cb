import { KplaneError, NotFoundError, TimedOutError } from '../cli/errors.js';
import { isStatusCode } from '../client/api-error.js';
import { WORK_V1_API, WORK_V1ALPHA1_API } from '../client/ocm-work.js';
import { pollUntil } from '../client/poll.js';
import type { RestClient } from '../client/rest-client.js';
import { clusterPath } from '../workspace/workspace-api.js';
import { rolloutProgress, type ReplicaSetState, type WorkObject } from './cluster-status.js';

// Reading a deploy as it stands: its ManifestWorkReplicaSet and the ManifestWorks it owns, asked
// the way an OCM hub answers (OCM's replica-set label, across the cluster namespaces; a kplane
// workspace serves those of its own replica sets read-only). And waiting on them: for a rollout of
// the current version to finish, or for a deleted deploy's works to be gone.

/** OCM's label on the works of a replica set: `<namespace>.<name>`. */
export const REPLICA_SET_LABEL = 'work.open-cluster-management.io/manifestworkreplicaset';

export const replicaSetsPath = (workspace: string, namespace: string) =>
  `${clusterPath(workspace)}${WORK_V1ALPHA1_API}/namespaces/${namespace}/manifestworkreplicasets`;
export const manifestWorksPath = (workspace: string) =>
  `${clusterPath(workspace)}${WORK_V1_API}/manifestworks`;
export const worksSelector = (namespace: string, name: string) =>
  `${REPLICA_SET_LABEL}=${`${namespace}.${name}`.slice(0, 63)}`;

export interface DeployRef {
  client: RestClient;
  workspace: string;
  namespace: string;
  name: string;
}

export const notFound = (ref: DeployRef) =>
  new NotFoundError(`deploy "${ref.name}" not found in namespace "${ref.namespace}" of ${ref.workspace}`);

export async function readReplicaSet<T extends ReplicaSetState>(ref: DeployRef): Promise<T | undefined> {
  try {
    return await ref.client.get<T>(`${replicaSetsPath(ref.workspace, ref.namespace)}/${ref.name}`);
  } catch (error) {
    if (isStatusCode(error, 404)) return undefined;
    throw error;
  }
}

/**
 * The works of the deploy, or undefined where the server will not list them (a hub that does not
 * let this user read its cluster namespaces): then only the replica set's counts are known.
 */
export async function readWorks(ref: DeployRef): Promise<WorkObject[] | undefined> {
  try {
    const list = await ref.client.get<{ items?: WorkObject[] }>(manifestWorksPath(ref.workspace), {
      query: { labelSelector: worksSelector(ref.namespace, ref.name) },
    });
    return list.items ?? [];
  } catch (error) {
    if (isStatusCode(error, 403) || isStatusCode(error, 404)) return undefined;
    throw error;
  }
}

/** Until every decided cluster runs the current version (cluster-status.ts says when); exit 1 on a refusal. */
export async function waitForRollout<T extends ReplicaSetState>(
  ref: DeployRef,
  timeoutMs: number,
): Promise<T> {
  const state = await pollUntil(
    async () => {
      const rs = await readReplicaSet<T>(ref);
      if (!rs) throw notFound(ref);
      const works = (await readWorks(ref)) ?? [];
      return { rs, progress: rolloutProgress(rs, works) };
    },
    ({ progress }) => {
      if (progress.state === 'failed')
        throw new KplaneError(
          `deploy "${ref.name}" failed: ${progress.message}; see: kplane deploy status ${ref.name}`,
        );
      return progress.state === 'done';
    },
    {
      timeoutMs,
      intervalMs: 200,
      timedOut: ({ progress }) =>
        new TimedOutError(
          `deploy "${ref.name}" was stored but not available everywhere within ${timeoutMs / 1000}s (${progress.state === 'waiting' ? progress.reason : progress.state}); see: kplane deploy status ${ref.name}`,
        ),
    },
  );
  return state.rs;
}

/** Until the replica set and every work it owned are gone (the agents have cleaned the members by then). */
export async function waitUntilGone(ref: DeployRef, timeoutMs: number): Promise<void> {
  await pollUntil(
    async () => {
      const rs = await readReplicaSet(ref);
      const works = rs ? undefined : await readWorks(ref);
      return { rs, works: works?.length ?? 0 };
    },
    ({ rs, works }) => rs === undefined && works === 0,
    {
      timeoutMs,
      intervalMs: 100,
      timedOut: ({ rs, works }) =>
        new TimedOutError(
          `deploy "${ref.name}" was not gone within ${timeoutMs / 1000}s (${rs ? 'the deploy is still there' : `${works} clusters still hold its work`})`,
        ),
    },
  );
}
