// What schedulePlacement takes and gives back. Kept apart from the algorithm so the CLI's renderers and the
// server's controller can depend on the shapes alone.
import type { ClusterIndex } from './cluster-facts.js';
import type { Condition, ManagedCluster, ManagedClusterSet, Placement } from './types.js';

export interface ScheduleInput {
  placement: Placement;
  /**
   * Every cluster the caller knows; each one comes back as a candidate, chosen or rejected with reasons. A
   * ClusterIndex of them saves reading them again when many placements are decided over the same clusters.
   */
  clusters: readonly ManagedCluster[] | ClusterIndex;
  /** Every ManagedClusterSet (bindings to sets that do not exist are ignored, as OCM does). */
  clusterSets: readonly ManagedClusterSet[];
  /** Names of the sets bound into the placement's namespace by ManagedClusterSetBindings. */
  bindings: readonly string[];
  /** Clusters this placement chose last time: Steady keeps them, NoSelectIfNew taints let them stay. */
  previousDecisions?: readonly string[];
  /** For Balance: how many decisions of OTHER placements name each cluster (leave this placement out). */
  decisionCounts?: Readonly<Record<string, number>>;
  /** The clock for tolerationSeconds. */
  now: Date;
  /**
   * Default true: `candidates` lists every cluster with its reasons. False, for a controller that only writes
   * decisions, leaves `candidates` empty and saves building them; everything else is the same either way.
   */
  explain?: boolean;
}

/**
 * Why a cluster was rejected (or, for `chosen` and `prefer-no-select`, a note on a chosen or scored one).
 * Stable codes for scripts; the message is for people.
 */
export type ReasonCode =
  | 'misconfigured'
  | 'not-in-bound-set'
  | 'label-mismatch'
  | 'claim-mismatch'
  | 'unavailable'
  | 'taint-not-tolerated'
  | 'lost-to-higher-score'
  | 'spread-limit'
  | 'prefer-no-select'
  | 'chosen';

export interface CandidateReason {
  code: ReasonCode;
  message: string;
}

/** One prioritizer's contribution to a cluster's score: total = Σ weight × score. */
export interface ScoreTerm {
  prioritizer: string;
  weight: number;
  score: number;
}

export interface Candidate {
  clusterName: string;
  status: 'chosen' | 'rejected';
  /** Never empty. Clusters rejected for the same reason share one array: treat it as read-only. */
  reasons: readonly CandidateReason[];
  /** Present for clusters that passed every filter and were scored. */
  score?: number;
  scoreTerms?: ScoreTerm[];
}

export interface Decision {
  clusterName: string;
  score: number;
  /** Short and human: why this cluster is in the decision. */
  reason: string;
}

export type PlacementCondition = Required<Pick<Condition, 'type' | 'status' | 'reason' | 'message'>>;

export interface ScheduleResult {
  /** The chosen clusters, sorted by name (the order OCM writes them into PlacementDecisions). */
  decisions: Decision[];
  /** Every input cluster, sorted by name (none when `explain` is false). */
  candidates: Candidate[];
  /** PlacementMisconfigured and PlacementSatisfied, with OCM's reasons and messages. */
  conditions: PlacementCondition[];
  numberOfSelectedClusters: number;
  /** numberOfClusters minus the decisions made (0 when numberOfClusters is unset). */
  unscheduled: number;
  /** The sets the placement drew candidates from: bound in its namespace, existing, allowed by clusterSets. */
  eligibleClusterSets: string[];
  /** When a toleration that keeps a chosen cluster expires: decide again then (RFC 3339). */
  requeueAt?: string;
}
