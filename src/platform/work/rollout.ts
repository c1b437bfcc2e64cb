import { getField, isPlainObject, jsonObjects, type KubeObject } from '../api/object.js';

// OCM's rollout strategies for a ManifestWorkReplicaSet: All (every decided cluster at once) and
// Progressive (at most maxConcurrency clusters in flight: a cluster is in flight from the moment
// its work is written or changed until its agent reports it Available for that generation). Pure:
// given what is decided and what the works look like, it says which clusters get written now.

export interface Rollout {
  type: 'All' | 'Progressive';
  /** Clusters in flight at once; undefined for All. */
  maxConcurrency?: number;
}

/** The strategy of the first placementRef (OCM's default is All); a percentage counts of `decided`. */
export function rolloutOf(replicaSet: unknown, decided: number): Rollout {
  const ref = jsonObjects(getField(replicaSet, 'spec.placementRefs'))[0];
  const strategy = isPlainObject(ref?.rolloutStrategy) ? ref.rolloutStrategy : {};
  if (strategy.type !== 'Progressive') return { type: 'All' };
  const raw = getField(strategy, 'progressive.maxConcurrency');
  let max = decided;
  if (typeof raw === 'number') max = raw;
  else if (typeof raw === 'string' && /^\d+%$/.test(raw))
    max = Math.ceil((decided * parseInt(raw, 10)) / 100);
  else if (typeof raw === 'string' && /^\d+$/.test(raw)) max = parseInt(raw, 10);
  return { type: 'Progressive', maxConcurrency: Math.max(1, max) };
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

export interface ClusterState {
  cluster: string;
  /** The cluster's work as stored; undefined when it has none yet. */
  work?: KubeObject;
  /** Whether that work already holds what is wanted. */
  upToDate: boolean;
}

/** The clusters whose work is written (created or changed) in this pass, in the order given. */
export function clustersToWrite(states: readonly ClusterState[], rollout: Rollout): string[] {
  const pending = states.filter((s) => !s.upToDate).map((s) => s.cluster);
  if (rollout.type === 'All' || rollout.maxConcurrency === undefined) return pending;
  const inFlight = states.filter((s) => s.upToDate && s.work && !availableNow(s.work)).length;
  return pending.slice(0, Math.max(0, rollout.maxConcurrency - inFlight));
}
