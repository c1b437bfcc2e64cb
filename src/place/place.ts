import { InvalidInputError, KplaneError, NotFoundError, TimedOutError } from '../cli/errors.js';
import { printData, type IOStreams, type OutputFormat } from '../cli/io.js';
import { age, printList, renderTable } from '../cli/table.js';
import { isStatusCode } from '../client/api-error.js';
import { pollUntil } from '../client/poll.js';
import type { RestClient } from '../client/rest-client.js';
import type { WorkspaceSelector } from '../workspace/session.js';
import {
  clusterSetsOfCluster,
  PLACEMENT_API_VERSION,
  PLACEMENT_SATISFIED,
  schedulePlacement,
  type Placement,
  type ScheduleResult,
} from '../placement/index.js';
import { withWorkspaceSession, type WorkspaceSession } from '../workspace/session.js';
import {
  clusterSetBindingsPath,
  fetchDecisions,
  fetchFollowingDeploys,
  fetchPlacementWorld,
  placementsPath,
  type PlacementObject,
  type PlacementWorld,
} from './api.js';
import { nearestLabels, setNames } from './hints.js';
import { clustersTable, decisionsTable, explainTable } from './render.js';
import { placementSpecFromFlags, type PlacementFlags } from './spec-from-flags.js';

export interface PlaceCommon {
  kubeconfig: WorkspaceSelector;
  namespace?: string;
  output: OutputFormat;
}

function withSession<T>(
  options: PlaceCommon,
  work: (session: WorkspaceSession, namespace: string) => Promise<T>,
): Promise<T> {
  return withWorkspaceSession(options.kubeconfig, (session) =>
    work(session, options.namespace ?? session.namespace),
  );
}

/** The algorithm run here, on what this workspace sees: what `explain`, scores and `--dry-run` show. */
function explainLocally(
  placement: Placement,
  world: PlacementWorld,
  previous: readonly string[],
): ScheduleResult {
  return schedulePlacement({ placement, ...world, previousDecisions: previous, now: new Date() });
}

/** `place clusters`: the compute this workspace may use (clusters of the sets bound here). */
export function showClusters(options: PlaceCommon, io: IOStreams) {
  return withSession(options, async (session, namespace) => {
    const world = await fetchPlacementWorld(session.client, session.path, namespace);
    await printList(io, options.output, world.clusters, noComputeHint(session.path, namespace, world), () =>
      clustersTable(io, world.clusters, (name) => setsOf(world, name)),
    );
  });
}

function setsOf(world: PlacementWorld, clusterName: string): string[] {
  const cluster = world.clusters.find((c) => c.metadata.name === clusterName);
  return cluster ? clusterSetsOfCluster(cluster, world.clusterSets) : [];
}

function noComputeHint(workspace: string, namespace: string, world: PlacementWorld): string {
  return world.bindings.length === 0
    ? `No cluster set is bound to namespace "${namespace}" of ${workspace}. Bind one with: kplane bind clusterset NAME (sets: ${setNames(world.clusterSets)})`
    : `The sets bound to namespace "${namespace}" (${world.bindings.join(', ')}) hold no clusters.`;
}

export interface ApplyPlacementOptions extends PlaceCommon {
  name: string;
  flags: PlacementFlags;
  dryRun: boolean;
  timeoutMs: number;
}

/** `place NAME ...`: create or update the Placement, wait until the platform decided, show the decision. */
export function applyPlacement(options: ApplyPlacementOptions, io: IOStreams) {
  const spec = placementSpecFromFlags(options.flags);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(options.name) || options.name.length > 63) {
    throw new InvalidInputError(
      `invalid placement name "${options.name}": use lower-case letters, digits and '-'`,
    );
  }
  return withSession(options, async (session, namespace) => {
    const placement: Placement = { metadata: { name: options.name, namespace }, spec };
    const world = await fetchPlacementWorld(session.client, session.path, namespace);
    if (options.dryRun) {
      const result = explainLocally(placement, world, []);
      return report(
        io,
        options.output,
        session,
        placement,
        world,
        result.decisions.map((d) => d.clusterName),
        result,
        true,
      );
    }
    // What the placement had before this write: the reasons say which clusters it kept and which are new.
    const before = (await fetchDecisions(session.client, session.path, namespace, options.name)).map(
      (d) => d.clusterName,
    );
    const stored = await upsertPlacement(session.client, session.path, placement);
    const decided = await waitUntilDecided(
      session.client,
      session.path,
      namespace,
      options.name,
      stored,
      options.timeoutMs,
    );
    const decisions = (await fetchDecisions(session.client, session.path, namespace, options.name)).map(
      (d) => d.clusterName,
    );
    const local = explainLocally(placement, world, before);
    return report(io, options.output, session, placement, world, decisions, local, false, decided);
  });
}

async function upsertPlacement(
  client: RestClient,
  workspace: string,
  placement: Placement,
): Promise<PlacementObject> {
  const collection = placementsPath(workspace, placement.metadata.namespace);
  const body = {
    apiVersion: PLACEMENT_API_VERSION,
    kind: 'Placement',
    metadata: placement.metadata,
    spec: placement.spec,
  };
  try {
    return await client.post<PlacementObject>(collection, body);
  } catch (error) {
    if (!isStatusCode(error, 409)) throw error;
    const existing = await client.get<PlacementObject>(`${collection}/${placement.metadata.name}`);
    return client.request<PlacementObject>('PUT', `${collection}/${placement.metadata.name}`, {
      body: {
        ...body,
        metadata: { ...placement.metadata, resourceVersion: existing.metadata.resourceVersion },
      },
    });
  }
}

/** Until the platform's scheduler wrote a status for this generation of the placement. */
function waitUntilDecided(
  client: RestClient,
  workspace: string,
  namespace: string,
  name: string,
  stored: PlacementObject,
  timeoutMs: number,
): Promise<PlacementObject> {
  const generation = stored.metadata.generation ?? 1;
  return pollUntil(
    () => client.get<PlacementObject>(`${placementsPath(workspace, namespace)}/${name}`),
    (current, elapsedMs) => {
      const satisfied = current.status?.conditions?.find((c) => c.type === PLACEMENT_SATISFIED);
      if (!satisfied) return false;
      // Without observedGeneration, a decision older than our write cannot be told apart: give it a moment.
      return satisfied.observedGeneration !== undefined
        ? satisfied.observedGeneration >= generation
        : elapsedMs > 300;
    },
    {
      timeoutMs,
      intervalMs: 100,
      timedOut: () =>
        new TimedOutError(`placement "${name}" was stored but not decided within ${timeoutMs / 1000}s`),
    },
  );
}

async function report(
  io: IOStreams,
  output: OutputFormat,
  session: WorkspaceSession,
  placement: Placement,
  world: PlacementWorld,
  decisions: string[],
  local: ScheduleResult,
  dryRun: boolean,
  stored?: PlacementObject,
): Promise<void> {
  const conditions = stored?.status?.conditions ?? local.conditions;
  const satisfied = conditions.find((c) => c.type === PLACEMENT_SATISFIED);
  if (output !== 'text') {
    await printData(io, output, {
      placement: stored ?? placement,
      decisions,
      dryRun,
      candidates: local.candidates,
    });
  } else if (decisions.length > 0) {
    if (dryRun) io.err('Dry run: nothing was stored. This is the decision the platform would make:');
    io.out(decisionsTable(io, decisions, local, world.clusters));
  }
  const where = `namespace "${placement.metadata.namespace}" of ${session.path}`;
  switch (satisfied?.reason) {
    case 'NoManagedClusterSetBindings':
      throw new KplaneError(
        `no cluster set is bound to ${where}. Bind one with: kplane bind clusterset NAME (sets: ${setNames(world.clusterSets)})`,
      );
    case 'NoManagedClusterMatched': {
      const hints = nearestLabels(placement.spec, world.clusters);
      throw new KplaneError(
        `no cluster matches placement "${placement.metadata.name}"${hints.length ? `: ${hints.join('; ')}` : ''}. See why with: kplane place explain ${placement.metadata.name}`,
      );
    }
    case 'NotAllDecisionsScheduled':
      throw new KplaneError(
        `only ${decisions.length} of ${placement.spec.numberOfClusters} clusters could be chosen for "${placement.metadata.name}"; see why with: kplane place explain ${placement.metadata.name}`,
      );
    default:
      if (conditions.find((c) => c.type === 'PlacementMisconfigured' && c.status === 'True')) {
        throw new InvalidInputError(
          `placement "${placement.metadata.name}" is misconfigured: ${satisfied?.message ?? ''}`,
        );
      }
  }
}

/** A stored placement, what it is decided from, the platform's decisions, and the algorithm's account of them. */
async function fetchDecidedPlacement(session: WorkspaceSession, namespace: string, name: string) {
  let stored: PlacementObject;
  try {
    stored = await session.client.get<PlacementObject>(`${placementsPath(session.path, namespace)}/${name}`);
  } catch (error) {
    if (isStatusCode(error, 404)) {
      throw new NotFoundError(`placement "${name}" not found in namespace "${namespace}" of ${session.path}`);
    }
    throw error;
  }
  const [world, decisions] = await Promise.all([
    fetchPlacementWorld(session.client, session.path, namespace),
    fetchDecisions(session.client, session.path, namespace, name),
  ]);
  const names = decisions.map((d) => d.clusterName);
  return { stored, world, decisions, names, local: explainLocally(asPlacement(stored), world, names) };
}

/** `place get NAME`: the decision, with each cluster's score and why. */
export function getPlacement(options: PlaceCommon & { name: string }, io: IOStreams) {
  return withSession(options, async (session, namespace) => {
    const { stored, world, decisions, names, local } = await fetchDecidedPlacement(
      session,
      namespace,
      options.name,
    );
    const deploys = await fetchFollowingDeploys(session.client, session.path, namespace, options.name);
    if (options.output !== 'text')
      return printData(io, options.output, { placement: stored, decisions, deploys });
    if (names.length === 0)
      io.err(`Placement "${options.name}" has no decision: ${conditionSummary(stored)}`);
    else io.out(decisionsTable(io, names, local, world.clusters));
    if (deploys.length > 0) io.err(`Deploys following it: ${deploys.join(', ')}`);
  });
}

/** `place explain NAME`: every candidate cluster, chosen or rejected, and why. */
export function explainPlacement(options: PlaceCommon & { name: string }, io: IOStreams) {
  return withSession(options, async (session, namespace) => {
    const { world, local } = await fetchDecidedPlacement(session, namespace, options.name);
    if (options.output !== 'text') return printData(io, options.output, local);
    if (local.candidates.length === 0) io.err(noComputeHint(session.path, namespace, world));
    else io.out(explainTable(io, local));
  });
}

/** `place list`: the placements of the namespace and how they stand. */
export function listPlacements(options: PlaceCommon, io: IOStreams) {
  return withSession(options, async (session, namespace) => {
    const { items } = await session.client.get<{ items: PlacementObject[] }>(
      placementsPath(session.path, namespace),
    );
    await printList(
      io,
      options.output,
      items,
      `No placements in namespace "${namespace}" of ${session.path}.`,
      () =>
        renderTable(
          io,
          ['Name', 'Selected', 'Wanted', 'Satisfied', 'Reason', 'Age'],
          items.map((item) => {
            const satisfied = item.status?.conditions?.find((c) => c.type === PLACEMENT_SATISFIED);
            return [
              item.metadata.name,
              String(item.status?.numberOfSelectedClusters ?? 0),
              item.spec.numberOfClusters === undefined ? 'all' : String(item.spec.numberOfClusters),
              satisfied?.status ?? 'Unknown',
              satisfied?.reason ?? '',
              age(item.metadata.creationTimestamp),
            ];
          }),
        ),
    );
  });
}

/** `place delete NAME`: its decisions go with it. */
export function deletePlacement(options: PlaceCommon & { name: string }, io: IOStreams) {
  return withSession(options, async (session, namespace) => {
    try {
      await session.client.delete(`${placementsPath(session.path, namespace)}/${options.name}`);
    } catch (error) {
      if (isStatusCode(error, 404)) {
        throw new NotFoundError(
          `placement "${options.name}" not found in namespace "${namespace}" of ${session.path}`,
        );
      }
      throw error;
    }
    io.err(`placement ${options.name} deleted.`);
  });
}

/** `bind clusterset NAME`: a ManagedClusterSetBinding, so placements in this namespace may use that compute. */
export function bindClusterSet(options: PlaceCommon & { name: string }, io: IOStreams) {
  return withSession(options, async (session, namespace) => {
    const binding = {
      apiVersion: 'cluster.open-cluster-management.io/v1beta2',
      kind: 'ManagedClusterSetBinding',
      metadata: { name: options.name, namespace },
      spec: { clusterSet: options.name },
    };
    let created = true;
    try {
      await session.client.post(clusterSetBindingsPath(session.path, namespace), binding);
    } catch (error) {
      if (!isStatusCode(error, 409)) throw error;
      created = false;
    }
    if (options.output !== 'text') await printData(io, options.output, binding);
    else
      io.out(
        `managedclustersetbinding ${options.name} ${created ? 'created' : 'unchanged'} in namespace "${namespace}".`,
      );
  });
}

function asPlacement(stored: PlacementObject): Placement {
  return {
    metadata: { name: stored.metadata.name, namespace: stored.metadata.namespace, uid: stored.metadata.uid },
    spec: stored.spec,
  };
}

function conditionSummary(stored: PlacementObject): string {
  const satisfied = stored.status?.conditions?.find((c) => c.type === PLACEMENT_SATISFIED);
  return satisfied ? `${satisfied.reason}: ${satisfied.message}` : 'not decided yet';
}
