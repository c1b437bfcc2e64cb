// The placement module's public face: what the server's controller and the CLI's `place` commands use.
export * from './types.js';
export * from './schedule-types.js';
export {
  LabelSelectorSyntaxError,
  formatLabelSelector,
  labelSelectorKeys,
  matchesLabelSelector,
  parseLabelSelector,
} from './label-selector.js';
export {
  MAX_MILLI_UNITS,
  QuantityParseError,
  parseQuantity,
  parseQuantityMilli,
  tryParseQuantity,
} from './quantity.js';
export {
  GLOBAL_CLUSTER_SET,
  boundClusterSetNames,
  clusterSetMembers,
  clusterSetsOfCluster,
  eligibleClusterSets,
} from './cluster-sets.js';
export { effectiveTaints, formatTaint } from './taints.js';
export { PLACEMENT_MISCONFIGURED, PLACEMENT_SATISFIED } from './conditions.js';
export { placementSpecProblem } from './validate.js';
export { ClusterIndex, type ClusterFacts } from './cluster-facts.js';
export { schedulePlacement } from './schedule.js';
export { compareRanked } from './ranking.js';
export {
  type BuiltDecisions,
  type PlacementRef,
  buildPlacementDecisions,
  decidedClusterNames,
  decisionCounts,
  placementDecisionName,
} from './decisions.js';
export {
  type ClusterChange,
  type DecisionChanges,
  type PlacementState,
  type RescheduleNeed,
  type RescheduleReason,
  clusterQualifies,
  decisionChanges,
  placementsInNamespace,
  placementsToReschedule,
  placementsUsingClusterSet,
  steadyMarginOf,
} from './rescheduling.js';
