import {
  labelSelectorKeys,
  type ManagedCluster,
  type ManagedClusterSet,
  type PlacementSpec,
} from '../placement/index.js';

/**
 * For a selector that matched nothing: per key it uses, the values that do exist among the clusters this
 * workspace can see (or the keys that exist, when no cluster has the key at all).
 */
export function nearestLabels(spec: PlacementSpec, clusters: readonly ManagedCluster[]): string[] {
  const valuesByKey = new Map<string, Set<string>>();
  for (const cluster of clusters) {
    for (const [key, value] of Object.entries(cluster.metadata.labels ?? {})) {
      if (!valuesByKey.has(key)) valuesByKey.set(key, new Set());
      valuesByKey.get(key)!.add(value);
    }
  }
  const keys = labelSelectorKeys(
    (spec.predicates ?? []).map((predicate) => predicate.requiredClusterSelector?.labelSelector),
  );
  const hints: string[] = [];
  for (const key of keys) {
    const values = valuesByKey.get(key);
    if (values) hints.push(`${key} has: ${[...values].sort().join(', ')}`);
    else
      hints.push(
        `no cluster has a label "${key}"; labels that exist: ${[...valuesByKey.keys()].sort().join(', ')}`,
      );
  }
  return hints;
}

export function setNames(sets: readonly ManagedClusterSet[]): string {
  return (
    sets
      .map((set) => set.metadata.name)
      .sort()
      .join(', ') || '(none visible)'
  );
}
