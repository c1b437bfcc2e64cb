import { getField, isPlainObject, jsonObjects, type JsonObject, type KubeObject } from '../api/object.js';

// OCM's rollout strategies for a ManifestWorkReplicaSet: All (every decided cluster at once),
// Progressive (at most maxConcurrency clusters in flight: a cluster is in flight from the moment
// its work is written or changed until its agent reports it Available for that generation) and
// ProgressivePerGroup (the placement's decision groups one after another: the mandatory groups
// first, then the rest by group index; the next group starts only when every cluster of the
// groups before it succeeded or failed within maxFailures, which mandatory groups do not get).
// Pure: given what is decided and what the works look like, it says which clusters get written now.

export interface MandatoryGroup {
  groupName?: string;
  groupIndex?: number;
}

export type Rollout =
  | { type: 'All' }
  /** maxConcurrency: clusters in flight at once. */
  | { type: 'Progressive'; maxConcurrency: number }
  | { type: 'ProgressivePerGroup'; mandatoryDecisionGroups: MandatoryGroup[]; maxFailures: number | string };

/** A decision group of the placement: the PlacementDecisions labelled with its index and name. */
export interface DecisionGroup {
  index: number;
  name: string;
  clusters: string[];
}

/** A count or a percentage of `of`, rounded up as OCM's calculateRolloutSize does. */
function sizeOf(raw: unknown, of: number, otherwise: number): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && /^\d+%$/.test(raw)) return Math.ceil((of * parseInt(raw, 10)) / 100);
  if (typeof raw === 'string' && /^\d+$/.test(raw)) return parseInt(raw, 10);
  return otherwise;
}

function mandatoryGroups(strategy: JsonObject): MandatoryGroup[] {
  return jsonObjects(getField(strategy, 'progressivePerGroup.mandatoryDecisionGroups')).map((g) => ({
    ...(typeof g.groupName === 'string' && g.groupName !== '' ? { groupName: g.groupName } : {}),
    ...(typeof g.groupIndex === 'number' ? { groupIndex: g.groupIndex } : {}),
  }));
}

/** The strategy of the first placementRef (OCM's default is All); a percentage counts of `decided`. */
export function rolloutOf(replicaSet: unknown, decided: number): Rollout {
  const ref = jsonObjects(getField(replicaSet, 'spec.placementRefs'))[0];
  const strategy = isPlainObject(ref?.rolloutStrategy) ? ref.rolloutStrategy : {};
  if (strategy.type === 'ProgressivePerGroup') {
    const raw = getField(strategy, 'progressivePerGroup.maxFailures');
    return {
      type: 'ProgressivePerGroup',
      mandatoryDecisionGroups: mandatoryGroups(strategy),
      maxFailures: typeof raw === 'number' || typeof raw === 'string' ? raw : 0,
    };
  }
  if (strategy.type !== 'Progressive') return { type: 'All' };
  const max = sizeOf(getField(strategy, 'progressive.maxConcurrency'), decided, decided);
  return { type: 'Progressive', maxConcurrency: Math.max(1, max) };
}

/** The decision groups of a placement's PlacementDecisions, by group index (OCM's order). */
export function decisionGroupsOf(decisions: readonly KubeObject[]): DecisionGroup[] {
  const groups = new Map<number, DecisionGroup>();
  for (const decision of decisions) {
    const labels = decision.metadata.labels ?? {};
    const index = Number.parseInt(
      labels['cluster.open-cluster-management.io/decision-group-index'] ?? '0',
      10,
    );
    const key = Number.isNaN(index) ? 0 : index;
    const group = groups.get(key) ?? {
      index: key,
      name: labels['cluster.open-cluster-management.io/decision-group-name'] ?? '',
      clusters: [],
    };
    for (const d of jsonObjects(getField(decision, 'status.decisions')))
      if (typeof d.clusterName === 'string' && d.clusterName && !group.clusters.includes(d.clusterName))
        group.clusters.push(d.clusterName);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => a.index - b.index);
}

/** Whether the agent reported the work Available for the generation it holds now. */
export function availableNow(work: KubeObject): boolean {
  return jsonObjects(getField(work, 'status.conditions')).some(
    (c) =>
      c.type === 'Available' &&
      c.status === 'True' &&
      (c.observedGeneration === undefined || c.observedGeneration === work.metadata.generation),
  );
}

/** Whether the agent reported the work failed: a manifest the member refused, or degraded. */
export function failedNow(work: KubeObject): boolean {
  return jsonObjects(getField(work, 'status.conditions')).some(
    (c) => (c.type === 'Applied' && c.status === 'False') || (c.type === 'Degraded' && c.status === 'True'),
  );
}

export interface ClusterState {
  cluster: string;
  /** The cluster's work as stored; undefined when it has none yet. */
  work?: KubeObject;
  /** Whether that work already holds what is wanted. */
  upToDate: boolean;
}

const isMandatory = (group: DecisionGroup, mandatory: readonly MandatoryGroup[]) =>
  mandatory.some((m) =>
    // OCM matches by groupName first, then by groupIndex.
    m.groupName !== undefined ? m.groupName === group.name : m.groupIndex === group.index,
  );

function perGroup(
  states: readonly ClusterState[],
  groups: readonly DecisionGroup[],
  rollout: Extract<Rollout, { type: 'ProgressivePerGroup' }>,
): string[] {
  const byCluster = new Map(states.map((s) => [s.cluster, s]));
  const mandatory = groups.filter((g) => isMandatory(g, rollout.mandatoryDecisionGroups));
  const rest = groups.filter((g) => !isMandatory(g, rollout.mandatoryDecisionGroups));
  const ordered: { group: DecisionGroup; allowed?: number }[] = [
    ...mandatory.map((group) => ({ group, allowed: 0 })),
    ...rest.map((group) => ({ group })),
  ];
  const toWrite: string[] = [];
  for (const { group, allowed } of ordered) {
    const mine = group.clusters.flatMap((c) => byCluster.get(c) ?? []);
    const pending = mine.filter((s) => !s.upToDate);
    const failed = mine.filter((s) => s.upToDate && s.work && failedNow(s.work)).length;
    const inFlight = mine.filter((s) => s.upToDate && s.work && !failedNow(s.work) && !availableNow(s.work));
    toWrite.push(...pending.map((s) => s.cluster));
    const maxFailures = allowed ?? sizeOf(rollout.maxFailures, mine.length, 0);
    // The next group waits while this one has clusters to write or in flight, and never comes
    // once this group failed beyond what it may.
    if (pending.length > 0 || inFlight.length > 0 || failed > maxFailures) return toWrite;
  }
  return toWrite;
}

/** The clusters whose work is written (created or changed) in this pass, in the order given. */
export function clustersToWrite(
  states: readonly ClusterState[],
  rollout: Rollout,
  groups: readonly DecisionGroup[] = [{ index: 0, name: '', clusters: states.map((s) => s.cluster) }],
): string[] {
  if (rollout.type === 'ProgressivePerGroup') {
    // A decided cluster no group names (decisions written without group labels) joins the last group.
    const grouped = new Set(groups.flatMap((g) => g.clusters));
    const loose = states.map((s) => s.cluster).filter((c) => !grouped.has(c));
    const complete =
      loose.length === 0
        ? groups
        : [...groups, { index: Number.MAX_SAFE_INTEGER, name: '', clusters: loose }];
    return perGroup(states, complete, rollout);
  }
  const pending = states.filter((s) => !s.upToDate).map((s) => s.cluster);
  if (rollout.type === 'All') return pending;
  const inFlight = states.filter((s) => s.upToDate && s.work && !availableNow(s.work)).length;
  return pending.slice(0, Math.max(0, rollout.maxConcurrency - inFlight));
}
