// Deciding again, cheaply and without flapping.
//
// Which placements: OCM's controller re-queues every placement whose sets might hold a changed cluster and
// recomputes them all. Here a cluster change picks out only the placements it can affect: those that chose
// the cluster (it may have gone, become unavailable, been tainted or relabelled), and those that could now use
// it and still want more clusters (fewer decisions than numberOfClusters, or no numberOfClusters at all).
// A full placement is not recomputed when a cluster it did not choose changes: a newcomer could only win on
// score, which by the Steady rule below needs a clear margin, and such score-only moves are left to the next
// full pass (OCM likewise rate-limits score-only changes with scoreRateLimit).
//
// The Steady rule: a healthy previous choice is kept unless a candidate beats it by a margin. The Steady
// prioritizer gives every previous choice 100 × its weight, so a newcomer replaces a healthy previous choice
// only when its other scores beat the previous choice's by more than that margin (`steadyMargin`), and small
// moves in allocatable CPU or memory never swap clusters. A previous choice that became unavailable, lost a
// toleration or stopped matching is filtered out before scoring and is replaced at once.
import { clusterFacts } from './cluster-facts.js';
import { eligibleClusterSets } from './cluster-sets.js';
import { filterCluster, filterSetup } from './filters.js';
import { resolveWeights, steadyMargin } from './prioritizers.js';
import type { CandidateReason, ScheduleResult } from './schedule-types.js';
import type { ManagedCluster, ManagedClusterSet, Placement } from './types.js';

export type ClusterChange =
  | { type: 'added'; cluster: ManagedCluster }
  | { type: 'updated'; cluster: ManagedCluster }
  | { type: 'removed'; clusterName: string };

/** What the server knows about one placement between decisions. */
export interface PlacementState {
  placement: Placement;
  /** Names of the sets bound into the placement's namespace. */
  bindings: readonly string[];
  /** The clusters its PlacementDecisions hold now. */
  previousDecisions: readonly string[];
}

export type RescheduleReason = 'chosen-cluster-removed' | 'chosen-cluster-changed' | 'wants-more-clusters';

export interface RescheduleNeed {
  /** Index into the placements given. */
  index: number;
  reason: RescheduleReason;
  message: string;
}

function wantsMore(state: PlacementState): boolean {
  const n = state.placement.spec.numberOfClusters;
  return n === undefined || state.previousDecisions.length < n;
}

/** Whether the cluster would pass the placement's filters now (set membership, predicates, taints, availability). */
export function clusterQualifies(
  cluster: ManagedCluster,
  state: PlacementState,
  clusterSets: readonly ManagedClusterSet[],
  now: Date,
): boolean {
  const { validBindings, eligible } = eligibleClusterSets(state.placement.spec, state.bindings, clusterSets);
  if (eligible.length === 0) return false;
  const setup = filterSetup({
    placement: state.placement,
    eligible,
    validBindings,
    clusterSets,
    previous: new Set(state.previousDecisions),
    now: now.getTime(),
  });
  return filterCluster(clusterFacts(cluster), setup).reasons.length === 0;
}

/**
 * The placements a cluster change can affect, in the order given, each with why. Placements not listed keep
 * their decisions.
 */
export function placementsToReschedule(
  change: ClusterChange,
  placements: readonly PlacementState[],
  clusterSets: readonly ManagedClusterSet[],
  now: Date,
): RescheduleNeed[] {
  const name = change.type === 'removed' ? change.clusterName : change.cluster.metadata.name;
  const needs: RescheduleNeed[] = [];
  placements.forEach((state, index) => {
    if (state.previousDecisions.includes(name)) {
      needs.push(
        change.type === 'removed'
          ? { index, reason: 'chosen-cluster-removed', message: `chosen cluster ${name} was removed` }
          : { index, reason: 'chosen-cluster-changed', message: `chosen cluster ${name} changed` },
      );
      return;
    }
    if (change.type === 'removed' || !wantsMore(state)) return;
    if (clusterQualifies(change.cluster, state, clusterSets, now))
      needs.push({
        index,
        reason: 'wants-more-clusters',
        message: `cluster ${name} qualifies and the placement has fewer clusters than it wants`,
      });
  });
  return needs;
}

/** The placements in a namespace: a ManagedClusterSetBinding there changed, so their eligible sets did. */
export function placementsInNamespace(namespace: string, placements: readonly PlacementState[]): number[] {
  return placements.flatMap((s, i) => (s.placement.metadata.namespace === namespace ? [i] : []));
}

/** The placements that may draw from a set (bound in their namespace and allowed by their clusterSets). */
export function placementsUsingClusterSet(setName: string, placements: readonly PlacementState[]): number[] {
  return placements.flatMap((s, i) => {
    if (!s.bindings.includes(setName)) return [];
    const wanted = s.placement.spec.clusterSets ?? [];
    return wanted.length === 0 || wanted.includes(setName) ? [i] : [];
  });
}

/** The margin a newcomer must beat a healthy previous choice by, for a placement's prioritizer policy. */
export function steadyMarginOf(placement: Placement): number {
  return steadyMargin(resolveWeights(placement.spec.prioritizerPolicy).prioritizers);
}

export interface DecisionChanges {
  kept: string[];
  added: string[];
  /** Previous choices that are gone, with the reasons the new result gives (empty if the cluster no longer exists). */
  dropped: Array<{ clusterName: string; reasons: readonly CandidateReason[] }>;
}

/** How a new result differs from the previous decisions: for events and for `explain`. All lists sorted. */
export function decisionChanges(
  previousDecisions: readonly string[],
  result: ScheduleResult,
): DecisionChanges {
  const previous = new Set(previousDecisions);
  const now = new Set(result.decisions.map((d) => d.clusterName));
  const candidates = new Map(result.candidates.map((c) => [c.clusterName, c]));
  return {
    kept: [...now].filter((n) => previous.has(n)).sort(),
    added: [...now].filter((n) => !previous.has(n)).sort(),
    dropped: [...previous]
      .filter((n) => !now.has(n))
      .sort()
      .map((clusterName) => ({ clusterName, reasons: candidates.get(clusterName)?.reasons ?? [] })),
  };
}
