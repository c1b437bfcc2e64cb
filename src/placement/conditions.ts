// Placement status conditions with OCM's types, reasons and messages (scheduling_controller.go
// newSatisfiedCondition, newMisconfiguredCondition).
import type { PlacementCondition } from './schedule-types.js';

export const PLACEMENT_SATISFIED = 'PlacementSatisfied';
export const PLACEMENT_MISCONFIGURED = 'PlacementMisconfigured';

/** `problem` is OCM's `<plugin>:<message>` text, or undefined when the placement is well formed. */
export function misconfiguredCondition(problem: string | undefined): PlacementCondition {
  return problem === undefined
    ? {
        type: PLACEMENT_MISCONFIGURED,
        status: 'False',
        reason: 'Succeedconfigured',
        message: 'Placement configurations check pass',
      }
    : { type: PLACEMENT_MISCONFIGURED, status: 'True', reason: 'Misconfigured', message: problem };
}

export interface SatisfiedFacts {
  clusterSetsInSpec: readonly string[];
  eligibleClusterSets: readonly string[];
  validBindings: number;
  /** Clusters in the eligible sets. */
  clustersInSets: number;
  /** Clusters that passed every filter. */
  feasible: number;
  unscheduled: number;
}

/**
 * PlacementSatisfied, checked in OCM's order. One deliberate difference: OCM reports NoManagedClusterMatched
 * when it made no decision, which also fires for numberOfClusters 0; here it fires when no cluster passed the
 * filters, so an intentionally empty placement reads AllDecisionsScheduled.
 */
export function satisfiedCondition(facts: SatisfiedFacts): PlacementCondition {
  const type = PLACEMENT_SATISFIED;
  if (facts.validBindings === 0)
    return {
      type,
      status: 'False',
      reason: 'NoManagedClusterSetBindings',
      message: 'No valid ManagedClusterSetBindings found in placement namespace',
    };
  if (facts.eligibleClusterSets.length === 0)
    return {
      type,
      status: 'False',
      reason: 'NoIntersection',
      message: `None of ManagedClusterSets [${facts.clusterSetsInSpec.join(',')}] is bound to placement namespace`,
    };
  if (facts.clustersInSets === 0)
    return {
      type,
      status: 'False',
      reason: 'AllManagedClusterSetsEmpty',
      message: `All ManagedClusterSets [${facts.eligibleClusterSets.join(',')}] have no member ManagedCluster`,
    };
  if (facts.feasible === 0)
    return {
      type,
      status: 'False',
      reason: 'NoManagedClusterMatched',
      message: 'No ManagedCluster matches any of the cluster predicate',
    };
  if (facts.unscheduled <= 0)
    return {
      type,
      status: 'True',
      reason: 'AllDecisionsScheduled',
      message: 'All cluster decisions scheduled',
    };
  return {
    type,
    status: 'False',
    reason: 'NotAllDecisionsScheduled',
    message: `${facts.unscheduled} cluster decisions unscheduled`,
  };
}
