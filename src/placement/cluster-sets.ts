// Which clusters belong to which ManagedClusterSet, and which sets a Placement may draw from
// (OCM sdk-go BuildClusterSelector; placement scheduling_controller getValidManagedClusterSetBindings,
// getEligibleClusterSets).
import { labelSelectorProblem, matchesLabelSelector } from './label-selector.js';
import {
  CLUSTER_SET_LABEL,
  type LabelSelector,
  type Labels,
  type ManagedCluster,
  type ManagedClusterSet,
  type ManagedClusterSetBinding,
  type PlacementSpec,
} from './types.js';

/** By convention OCM creates a set named `global` with an empty LabelSelector: every cluster is in it. */
export const GLOBAL_CLUSTER_SET = 'global';

/**
 * The label selector that decides a set's members, or a problem when the set cannot select anything.
 * ExclusiveClusterSetLabel (the default, and its old name LegacyClusterSetLabel) selects clusters labelled
 * `cluster.open-cluster-management.io/clusterset=<set>`; LabelSelector uses the set's own selector, where an
 * empty selector selects every cluster and a missing one selects none.
 */
export function clusterSetSelector(set: ManagedClusterSet): { selector?: LabelSelector; problem?: string } {
  const spec = set.spec?.clusterSelector;
  const type = spec?.selectorType ?? 'ExclusiveClusterSetLabel';
  switch (type) {
    case 'ExclusiveClusterSetLabel':
    case 'LegacyClusterSetLabel':
      return { selector: { matchLabels: { [CLUSTER_SET_LABEL]: set.metadata.name } } };
    case 'LabelSelector': {
      const problem = labelSelectorProblem(spec?.labelSelector);
      if (problem !== undefined) return { problem };
      if (spec?.labelSelector === undefined)
        return { problem: 'selectorType LabelSelector without a labelSelector' };
      return { selector: spec.labelSelector };
    }
    default:
      return { problem: `selectorType is not right: ${type as string}` };
  }
}

/** Whether a cluster with these labels is a member of the set. */
export function isClusterInSet(set: ManagedClusterSet, labels: Labels): boolean {
  const { selector } = clusterSetSelector(set);
  return matchesLabelSelector(selector, labels);
}

/** Names of the set's member clusters, sorted. */
export function clusterSetMembers(set: ManagedClusterSet, clusters: readonly ManagedCluster[]): string[] {
  const { selector } = clusterSetSelector(set);
  return clusters
    .filter((c) => matchesLabelSelector(selector, c.metadata.labels ?? {}))
    .map((c) => c.metadata.name)
    .sort();
}

/** Names of the sets a cluster belongs to, sorted. */
export function clusterSetsOfCluster(cluster: ManagedCluster, sets: readonly ManagedClusterSet[]): string[] {
  const labels = cluster.metadata.labels ?? {};
  return sets
    .filter((s) => isClusterInSet(s, labels))
    .map((s) => s.metadata.name)
    .sort();
}

/** Names of the sets bound into `namespace` by ManagedClusterSetBindings (a binding is named after its set). */
export function boundClusterSetNames(
  bindings: readonly ManagedClusterSetBinding[],
  namespace: string,
): string[] {
  return [
    ...new Set(bindings.filter((b) => b.metadata.namespace === namespace).map((b) => b.metadata.name)),
  ].sort();
}

export interface EligibleClusterSets {
  /** Bound sets that exist: OCM ignores a binding to a set that does not. */
  validBindings: string[];
  /** validBindings ∩ spec.clusterSets, or all validBindings when spec.clusterSets is empty. */
  eligible: string[];
}

/** The sets a placement may use: those bound in its namespace that exist, narrowed by `spec.clusterSets`. */
export function eligibleClusterSets(
  spec: PlacementSpec,
  boundSetNames: readonly string[],
  sets: readonly ManagedClusterSet[],
): EligibleClusterSets {
  const existing = new Set(sets.map((s) => s.metadata.name));
  const validBindings = [...new Set(boundSetNames)].filter((name) => existing.has(name)).sort();
  const wanted = spec.clusterSets ?? [];
  const eligible =
    wanted.length === 0 ? validBindings : validBindings.filter((name) => wanted.includes(name));
  return { validBindings, eligible };
}
