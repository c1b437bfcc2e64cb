// What a deploy looks like per cluster, read from the ManifestWorks of its replica set as an OCM hub
// (or a kplane workspace's view of them) serves them, and whether a rollout is finished. Pure
// functions over the wire objects, so `deploy status`, `--watch` and `--wait` agree on every rule.

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

interface FeedbackValue {
  name: string;
  fieldValue: { type: string; integer?: number; string?: string };
}

interface ManifestStatus {
  resourceMeta: { group?: string; kind?: string; resource?: string; name?: string; namespace?: string };
  conditions?: Condition[];
  statusFeedback?: { values?: FeedbackValue[] };
}

/** The fields of a ManifestWork that status reads. */
export interface WorkObject {
  metadata: { name: string; namespace?: string; generation?: number; deletionTimestamp?: string };
  spec?: { workload?: { manifests?: Record<string, unknown>[] } };
  status?: { conditions?: Condition[]; resourceStatus?: { manifests?: ManifestStatus[] } };
}

/** The fields of a ManifestWorkReplicaSet that the rollout check reads. */
export interface ReplicaSetState {
  metadata: { name: string; generation?: number };
  status?: {
    summary?: Partial<Record<'total' | 'desiredTotal' | 'applied' | 'available' | 'degraded', number>>;
    conditions?: Condition[];
  };
}

export interface ClusterRow {
  cluster: string;
  /** The work's Applied condition: True, False, or Unknown before its agent reported. */
  applied: string;
  available: string;
  /** Whether the agent's report is for the work as it is now (not for an earlier version). */
  current: boolean;
  /** The cluster left the decision and its agent is removing what the work applied. */
  leaving?: boolean;
  /** Summed over the work's Deployments and StatefulSets; undefined when it has none. */
  desiredReplicas?: number;
  /** From the agents' WellKnownStatus feedback; undefined when the member reports none. */
  readyReplicas?: number;
  /** The member's message for a manifest it refused (or the work's failure), when there is one. */
  error?: string;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet']);

const find = (conditions: readonly Condition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);

/** A report without observedGeneration (written by hand, or an older agent) counts as current. */
const reportsGeneration = (condition: Condition | undefined, work: WorkObject) =>
  condition !== undefined &&
  (condition.observedGeneration === undefined || condition.observedGeneration === work.metadata.generation);

function feedbackNumber(manifest: ManifestStatus | undefined, name: string): number | undefined {
  const value = manifest?.statusFeedback?.values?.find((v) => v.name === name)?.fieldValue;
  return typeof value?.integer === 'number' ? value.integer : undefined;
}

function replicasOf(work: WorkObject): Pick<ClusterRow, 'desiredReplicas' | 'readyReplicas'> {
  const workloads = (work.spec?.workload?.manifests ?? []).filter((m) => WORKLOADS.has(String(m.kind)));
  if (workloads.length === 0) return {};
  let desired = 0;
  let ready: number | undefined;
  for (const manifest of workloads) {
    const spec = manifest.spec as { replicas?: unknown } | undefined;
    desired += typeof spec?.replicas === 'number' ? spec.replicas : 1;
    const name = (manifest.metadata as { name?: string } | undefined)?.name;
    const reported = work.status?.resourceStatus?.manifests?.find(
      (m) => m.resourceMeta.kind === manifest.kind && m.resourceMeta.name === name,
    );
    const readyHere = feedbackNumber(reported, 'ReadyReplicas');
    // The member reports status (Replicas) but no ReadyReplicas: none are ready yet.
    const known = readyHere ?? (feedbackNumber(reported, 'Replicas') !== undefined ? 0 : undefined);
    if (known !== undefined) ready = (ready ?? 0) + known;
  }
  return { desiredReplicas: desired, ...(ready !== undefined ? { readyReplicas: ready } : {}) };
}

/** The member's message for the first manifest it refused, else the work's own failure. */
function errorOf(work: WorkObject): string | undefined {
  for (const manifest of work.status?.resourceStatus?.manifests ?? []) {
    const applied = find(manifest.conditions, 'Applied');
    if (applied?.status === 'False') {
      const { kind = '', name = '' } = manifest.resourceMeta;
      return applied.message || `${kind} ${name}: ${applied.reason ?? 'not applied'}`;
    }
  }
  const conditions = work.status?.conditions;
  const failed =
    find(conditions, 'Applied')?.status === 'False'
      ? find(conditions, 'Applied')
      : find(conditions, 'Degraded')?.status === 'True'
        ? find(conditions, 'Degraded')
        : undefined;
  return failed ? failed.message || failed.reason : undefined;
}

export function clusterRow(work: WorkObject): ClusterRow {
  const applied = find(work.status?.conditions, 'Applied');
  const available = find(work.status?.conditions, 'Available');
  const error = errorOf(work);
  return {
    cluster: work.metadata.namespace ?? '',
    applied: applied?.status ?? 'Unknown',
    available: available?.status ?? 'Unknown',
    current: reportsGeneration(applied, work),
    ...(work.metadata.deletionTimestamp ? { leaving: true } : {}),
    ...replicasOf(work),
    ...(error ? { error } : {}),
  };
}

export function clusterRows(works: readonly WorkObject[]): ClusterRow[] {
  return works.map(clusterRow).sort((a, b) => a.cluster.localeCompare(b.cluster));
}

export type Progress =
  { state: 'done' } | { state: 'failed'; message: string } | { state: 'waiting'; reason: string };

/**
 * Whether every decided cluster runs the replica set's current template. The controller has read the
 * current generation (its conditions' observedGeneration) and written every work (PlacementRolledOut),
 * so every work holds the template; then each work's agent must have reported Applied and Available
 * for the work's own generation, with Deployments ready where the member reports replicas, and the
 * replica set's summary must count them all available. A failure
 * the agent reported for the current version ends the wait at once; older reports are not judged.
 */
export function rolloutProgress(rs: ReplicaSetState, all: readonly WorkObject[]): Progress {
  // A cluster that left the decision is no longer part of the rollout, while its agent cleans up.
  const works = all.filter((work) => !work.metadata.deletionTimestamp);
  const generation = rs.metadata.generation ?? 1;
  const conditions = rs.status?.conditions ?? [];
  const applied = find(conditions, 'ManifestworkApplied');
  const seen = conditions.every(
    (c) => c.observedGeneration === undefined || c.observedGeneration >= generation,
  );
  if (!seen || conditions.length === 0)
    return { state: 'waiting', reason: 'the platform has not read this version yet' };
  if (applied?.reason === 'InvalidManifests')
    return { state: 'failed', message: applied.message ?? applied.reason };
  for (const work of works) {
    const row = clusterRow(work);
    if (row.current && row.error !== undefined)
      return { state: 'failed', message: `${row.cluster}: ${row.error}` };
  }
  const desired = rs.status?.summary?.desiredTotal ?? 0;
  if (desired === 0) return { state: 'waiting', reason: 'the placement decided no cluster yet' };
  if (find(conditions, 'PlacementRolledOut')?.status === 'False' || works.length < desired)
    return { state: 'waiting', reason: `${works.length} of ${desired} clusters have this version` };
  const behind = works
    .map(clusterRow)
    .filter(
      (row) =>
        !row.current ||
        row.applied !== 'True' ||
        row.available !== 'True' ||
        (row.readyReplicas !== undefined && row.readyReplicas !== row.desiredReplicas),
    )
    .map((row) => row.cluster);
  if (behind.length > 0)
    return { state: 'waiting', reason: `not yet available with this version on ${behind.sort().join(', ')}` };
  // The works are read fresher than the replica set's counts; finishing before the platform has
  // counted them would print (and leave `deploy status` showing) fewer available than just waited for.
  if ((rs.status?.summary?.available ?? 0) < desired)
    return { state: 'waiting', reason: 'the platform has not counted every cluster available yet' };
  return { state: 'done' };
}
