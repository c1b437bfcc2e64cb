import { ConflictError, InvalidInputError, NotFoundError } from '../cli/errors.js';
import { printData, type IOStreams, type OutputFormat } from '../cli/io.js';
import { age, printList, renderTable } from '../cli/table.js';
import { isStatusCode } from '../client/api-error.js';
import type { Condition } from '../client/ocm-work.js';
import type { RestClient } from '../client/rest-client.js';
import { placementsPath } from '../place/api.js';
import { clusterPath } from '../workspace/workspace-api.js';
import { withWorkspaceSession, type WorkspaceSelector, type WorkspaceSession } from '../workspace/session.js';
import { notFound, replicaSetsPath, waitForRollout, waitUntilGone, type DeployRef } from './deploy-state.js';
import { readManifests, type Manifest } from './manifests.js';

// `kplane deploy`: the user's side of OCM's work API. A deploy is a ManifestWorkReplicaSet in the
// user's namespace (so the same command works against a real OCM hub); the platform writes one
// ManifestWork per cluster the placement decided, and the agents report back into its status.
// Everything a user can get wrong (the name, the files, the placement, a cluster-scoped kind) is
// checked before anything is stored.

export { replicaSetsPath } from './deploy-state.js';

export interface ReplicaSetObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    generation?: number;
    resourceVersion?: string;
    creationTimestamp?: string;
  };
  spec: Record<string, unknown>;
  status?: {
    summary?: Partial<Record<'total' | 'desiredTotal' | 'applied' | 'available' | 'degraded', number>>;
    conditions?: Condition[];
  };
}

export interface DeployCommon {
  kubeconfig: WorkspaceSelector;
  namespace?: string;
  output: OutputFormat;
}

export interface DeployOptions extends DeployCommon {
  name: string;
  /** Files, folders or `-`, read in order. */
  sources: readonly string[];
  placement: string;
  wait: boolean;
  timeoutMs: number;
  rollout?: Rollout;
  maxConcurrency?: number;
}

export const ROLLOUTS = ['all', 'progressive', 'progressive-per-group'] as const;
export type Rollout = (typeof ROLLOUTS)[number];

/** OCM's rolloutStrategy for the flags; a concurrency without a progressive rollout is a mistake. */
export function rolloutStrategy(rollout: string | undefined, maxConcurrency: number | undefined) {
  if (rollout !== undefined && !(ROLLOUTS as readonly string[]).includes(rollout))
    throw new InvalidInputError(`--rollout must be ${ROLLOUTS.join(', ')}, not "${rollout}"`);
  // Groups come from the placement's decisionStrategy; each starts once the one before succeeded.
  if (rollout === 'progressive-per-group' && maxConcurrency === undefined)
    return { type: 'ProgressivePerGroup', progressivePerGroup: {} };
  if (maxConcurrency !== undefined && rollout !== 'progressive')
    throw new InvalidInputError('--max-concurrency needs --rollout progressive');
  if (maxConcurrency !== undefined && (!Number.isInteger(maxConcurrency) || maxConcurrency < 1))
    throw new InvalidInputError('--max-concurrency must be a whole number of at least 1');
  if (rollout !== 'progressive') return { type: 'All' };
  return { type: 'Progressive', progressive: maxConcurrency === undefined ? {} : { maxConcurrency } };
}

/**
 * OCM's statusFeedback for every Deployment and StatefulSet sent: the agents report their
 * WellKnownStatus (ready and desired replicas), which `deploy status` shows and `--wait` waits for.
 */
export function feedbackConfigs(manifests: readonly Manifest[], namespace: string) {
  return manifests
    .filter((m) => m.apiVersion === 'apps/v1' && (m.kind === 'Deployment' || m.kind === 'StatefulSet'))
    .map((m) => ({
      resourceIdentifier: {
        group: 'apps',
        resource: m.kind === 'Deployment' ? 'deployments' : 'statefulsets',
        name: m.metadata.name,
        namespace: typeof m.metadata.namespace === 'string' ? m.metadata.namespace : namespace,
      },
      feedbackRules: [{ type: 'WellKnownStatus' }],
    }));
}

export function withSession<T>(
  options: DeployCommon,
  work: (s: WorkspaceSession, namespace: string) => Promise<T>,
) {
  return withWorkspaceSession(options.kubeconfig, (session) =>
    work(session, options.namespace ?? session.namespace),
  );
}

function checkName(name: string): void {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63)
    throw new InvalidInputError(
      `invalid deploy name "${name}": use lower-case letters, digits and '-' (at most 63)`,
    );
}

/** A deploy carries the objects of its own namespace: one naming another would be refused by the platform. */
function refuseOtherNamespaces(manifests: readonly Manifest[], namespace: string): void {
  for (const manifest of manifests) {
    const named = manifest.metadata.namespace;
    if (named === undefined || named === namespace) continue;
    throw new InvalidInputError(
      `${manifest.kind} ${manifest.metadata.name} names namespace "${String(named)}"; a deploy carries the objects of its own namespace "${namespace}": remove metadata.namespace, or deploy with -n ${String(named)}`,
    );
  }
}

/** kind and name within the API group: what makes two manifests the same object on a member. */
function objectKey(manifest: {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
}): string {
  const group =
    typeof manifest.apiVersion === 'string' ? manifest.apiVersion.split('/').slice(0, -1).join('/') : '';
  return `${group}/${String(manifest.kind)}/${String(manifest.metadata?.name)}`;
}

/**
 * Another deploy of the namespace that already carries one of these objects would share it on every member it
 * reaches: each apply would overwrite the other's, and deleting either deploy would take the object from both.
 */
async function refuseObjectsOfOtherDeploys(
  session: WorkspaceSession,
  namespace: string,
  name: string,
  manifests: readonly Manifest[],
): Promise<void> {
  const list = await session.client.get<{ items?: ReplicaSetObject[] }>(
    replicaSetsPath(session.path, namespace),
  );
  const wanted = new Map(manifests.map((m) => [objectKey(m), m]));
  for (const other of list.items ?? []) {
    if (other.metadata.name === name) continue;
    const template = other.spec.manifestWorkTemplate as { workload?: { manifests?: Manifest[] } } | undefined;
    for (const theirs of template?.workload?.manifests ?? []) {
      const mine = wanted.get(objectKey(theirs));
      if (!mine) continue;
      throw new ConflictError(
        `${mine.kind} ${mine.metadata.name} is already deployed by "${other.metadata.name}" in namespace "${namespace}": an object belongs to one deploy (rename it, or remove it from "${other.metadata.name}" first)`,
      );
    }
  }
}

/** Whether the workspace serves each manifest's kind namespaced, asked of its discovery. */
async function refuseClusterScoped(session: WorkspaceSession, manifests: readonly Manifest[]): Promise<void> {
  const scopes = new Map<string, Map<string, boolean>>();
  for (const manifest of manifests) {
    let kinds = scopes.get(manifest.apiVersion);
    if (!kinds) {
      const discovery = manifest.apiVersion.includes('/')
        ? `/apis/${manifest.apiVersion}`
        : `/api/${manifest.apiVersion}`;
      kinds = new Map();
      try {
        const list = await session.client.get<{
          resources?: { kind: string; name: string; namespaced: boolean }[];
        }>(`${clusterPath(session.path)}${discovery}`);
        for (const r of list.resources ?? []) if (!r.name.includes('/')) kinds.set(r.kind, r.namespaced);
      } catch (error) {
        if (!isStatusCode(error, 404)) throw error;
      }
      scopes.set(manifest.apiVersion, kinds);
    }
    const namespaced = kinds.get(manifest.kind);
    const what = `${manifest.kind} ${manifest.metadata.name}`;
    if (namespaced === undefined)
      throw new InvalidInputError(
        `${what}: ${manifest.apiVersion} ${manifest.kind} is not served in ${session.path}; create its CustomResourceDefinition there first`,
      );
    if (!namespaced)
      throw new InvalidInputError(
        `${what} is cluster-scoped; a deploy carries only namespaced objects (they land in your own namespace on each cluster)`,
      );
  }
}

async function requirePlacement(
  session: WorkspaceSession,
  namespace: string,
  placement: string,
): Promise<void> {
  try {
    await session.client.get(`${placementsPath(session.path, namespace)}/${encodeURIComponent(placement)}`);
  } catch (error) {
    if (isStatusCode(error, 404))
      throw new NotFoundError(
        `placement "${placement}" not found in namespace "${namespace}" of ${session.path}; create it with: kplane place ${placement} --where KEY=VALUE`,
      );
    throw error;
  }
}

async function upsert(
  client: RestClient,
  collection: string,
  body: ReplicaSetObject,
): Promise<ReplicaSetObject> {
  try {
    return await client.post<ReplicaSetObject>(collection, body);
  } catch (error) {
    if (!isStatusCode(error, 409)) throw error;
    const path = `${collection}/${body.metadata.name}`;
    const existing = await client.get<ReplicaSetObject>(path);
    return client.request<ReplicaSetObject>('PUT', path, {
      body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion } },
    });
  }
}

/** `deploy NAME -f ... --placement P`: create or update the ManifestWorkReplicaSet, optionally wait. */
export async function deploy(options: DeployOptions, io: IOStreams): Promise<void> {
  checkName(options.name);
  const strategy = rolloutStrategy(options.rollout, options.maxConcurrency);
  const manifests = await readManifests(options.sources);
  await withSession(options, async (session, namespace) => {
    refuseOtherNamespaces(manifests, namespace);
    await refuseClusterScoped(session, manifests);
    await refuseObjectsOfOtherDeploys(session, namespace, options.name, manifests);
    await requirePlacement(session, namespace, options.placement);
    const configs = feedbackConfigs(manifests, namespace);
    const stored = await upsert(session.client, replicaSetsPath(session.path, namespace), {
      apiVersion: 'work.open-cluster-management.io/v1alpha1',
      kind: 'ManifestWorkReplicaSet',
      metadata: { name: options.name, namespace },
      spec: {
        placementRefs: [{ name: options.placement, rolloutStrategy: strategy }],
        manifestWorkTemplate: {
          workload: { manifests },
          ...(configs.length > 0 ? { manifestConfigs: configs } : {}),
        },
      },
    });
    const ref: DeployRef = { client: session.client, workspace: session.path, namespace, name: options.name };
    const done = options.wait ? await waitForRollout<ReplicaSetObject>(ref, options.timeoutMs) : stored;
    if (options.output !== 'text') return printData(io, options.output, done);
    io.err(
      `deploy "${options.name}" ${options.wait ? 'is available on every cluster' : 'stored'} (${summaryLine(done)})`,
    );
  });
}

function summaryLine(rs: ReplicaSetObject): string {
  const s = rs.status?.summary ?? {};
  return `${s.available ?? 0}/${s.desiredTotal ?? 0} available, ${s.applied ?? 0} applied, ${s.degraded ?? 0} degraded`;
}

/** `deploy list`: the deploys of the namespace, with their counts. */
export function listDeploys(options: DeployCommon, io: IOStreams) {
  return withSession(options, async (session, namespace) => {
    const list = await session.client.get<{ items?: ReplicaSetObject[] }>(
      replicaSetsPath(session.path, namespace),
    );
    const items = list.items ?? [];
    await printList(
      io,
      options.output,
      items,
      `No deploys in namespace "${namespace}" of ${session.path}.`,
      () =>
        renderTable(
          io,
          ['name', 'placement', 'clusters', 'applied', 'available', 'age'],
          items.map((rs) => {
            const s = rs.status?.summary ?? {};
            const refs = (rs.spec.placementRefs as { name?: string }[] | undefined) ?? [];
            return [
              rs.metadata.name,
              refs.map((r) => r.name ?? '').join(','),
              String(s.desiredTotal ?? 0),
              String(s.applied ?? 0),
              String(s.available ?? 0),
              age(rs.metadata.creationTimestamp),
            ];
          }),
        ),
    );
  });
}

/** `deploy delete NAME [--wait]`: the platform then deletes its ManifestWorks, and the agents what they applied. */
export function deleteDeploy(
  options: DeployCommon & { name: string; wait: boolean; timeoutMs: number },
  io: IOStreams,
) {
  return withSession(options, async (session, namespace) => {
    const path = `${replicaSetsPath(session.path, namespace)}/${options.name}`;
    try {
      await session.client.delete(path);
    } catch (error) {
      if (isStatusCode(error, 404))
        throw notFound({ client: session.client, workspace: session.path, namespace, name: options.name });
      throw error;
    }
    if (options.wait)
      await waitUntilGone(
        { client: session.client, workspace: session.path, namespace, name: options.name },
        options.timeoutMs,
      );
    if (options.output !== 'text')
      return printData(io, options.output, { deleted: options.name, namespace, workspace: session.path });
    io.err(`deploy "${options.name}" deleted`);
  });
}
