// Plain shapes of the Open Cluster Management objects the placement algorithm reads and writes, with OCM's
// field names (open-cluster-management-io/api cluster/v1, v1beta1, v1beta2). Only the fields the algorithm
// uses are here; the server stores whole objects and hands these parts in.

export const CLUSTER_GROUP = 'cluster.open-cluster-management.io';
export const PLACEMENT_API_VERSION = `${CLUSTER_GROUP}/v1beta1`;

/** The label that puts a cluster into a set whose selectorType is ExclusiveClusterSetLabel. */
export const CLUSTER_SET_LABEL = `${CLUSTER_GROUP}/clusterset`;
/** Labels OCM puts on every PlacementDecision. */
export const PLACEMENT_LABEL = `${CLUSTER_GROUP}/placement`;
export const DECISION_GROUP_NAME_LABEL = `${CLUSTER_GROUP}/decision-group-name`;
export const DECISION_GROUP_INDEX_LABEL = `${CLUSTER_GROUP}/decision-group-index`;

/** Taints OCM's registration controller puts on clusters that stop reporting (Available False / Unknown). */
export const UNAVAILABLE_TAINT_KEY = `${CLUSTER_GROUP}/unavailable`;
export const UNREACHABLE_TAINT_KEY = `${CLUSTER_GROUP}/unreachable`;
export const AVAILABLE_CONDITION = 'ManagedClusterConditionAvailable';

/** OCM caps one PlacementDecision at 100 cluster decisions. */
export const MAX_DECISIONS_PER_OBJECT = 100;

export type Labels = Readonly<Record<string, string>>;

// --- metav1.LabelSelector --------------------------------------------------------------------------------

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

// --- cluster.open-cluster-management.io/v1 ManagedCluster ----------------------------------------------

export type TaintEffect = 'NoSelect' | 'PreferNoSelect' | 'NoSelectIfNew';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  /** RFC 3339; tolerationSeconds count from here. */
  timeAdded?: string;
}

export interface ClusterClaim {
  name: string;
  value: string;
}

export interface ManagedCluster {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { taints?: Taint[] };
  status?: {
    /** Kubernetes quantities by resource name: `cpu` in cores, `memory` in bytes. */
    allocatable?: Record<string, string>;
    capacity?: Record<string, string>;
    conditions?: Condition[];
    clusterClaims?: ClusterClaim[];
  };
}

// --- cluster.open-cluster-management.io/v1beta2 ManagedClusterSet(Binding) -----------------------------

export type ClusterSetSelectorType = 'ExclusiveClusterSetLabel' | 'LegacyClusterSetLabel' | 'LabelSelector';

export interface ManagedClusterSet {
  metadata: { name: string };
  spec?: {
    clusterSelector?: { selectorType?: ClusterSetSelectorType; labelSelector?: LabelSelector };
  };
}

export interface ManagedClusterSetBinding {
  metadata: { name: string; namespace: string };
  spec: { clusterSet: string };
}

// --- cluster.open-cluster-management.io/v1beta1 Placement ----------------------------------------------

export interface ClaimSelector {
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ClusterPredicate {
  requiredClusterSelector?: { labelSelector?: LabelSelector; claimSelector?: ClaimSelector };
}

export type BuiltInPrioritizer =
  'Balance' | 'Steady' | 'ResourceAllocatableCPU' | 'ResourceAllocatableMemory';

export interface ScoreCoordinate {
  type?: 'BuiltIn' | 'AddOn';
  /** One of BuiltInPrioritizer; a string because the API accepts any and the scheduler reports the rest. */
  builtIn?: string;
  addOn?: { resourceName: string; scoreName: string };
}

export interface PrioritizerConfig {
  scoreCoordinate?: ScoreCoordinate;
  /** -10..10, default 1; 0 turns the prioritizer off. */
  weight?: number;
}

export interface PrioritizerPolicy {
  mode?: 'Additive' | 'Exact';
  configurations?: PrioritizerConfig[];
}

export interface SpreadConstraint {
  topologyKey: string;
  topologyKeyType?: 'Label' | 'Claim';
  /** Default 1. */
  maxSkew?: number;
  /** Default ScheduleAnyway. */
  whenUnsatisfiable?: 'DoNotSchedule' | 'ScheduleAnyway';
}

export interface Toleration {
  key?: string;
  /** Default Equal. */
  operator?: 'Equal' | 'Exists';
  value?: string;
  /** Empty matches every effect. */
  effect?: TaintEffect;
  tolerationSeconds?: number;
}

export interface PlacementSpec {
  clusterSets?: string[];
  numberOfClusters?: number;
  predicates?: ClusterPredicate[];
  prioritizerPolicy?: PrioritizerPolicy;
  spreadPolicy?: { spreadConstraints?: SpreadConstraint[] };
  tolerations?: Toleration[];
}

export interface Placement {
  metadata: { name: string; namespace: string; uid?: string };
  spec: PlacementSpec;
}

// --- cluster.open-cluster-management.io/v1beta1 PlacementDecision --------------------------------------

export interface ClusterDecision {
  clusterName: string;
  reason: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface PlacementDecision {
  apiVersion: typeof PLACEMENT_API_VERSION;
  kind: 'PlacementDecision';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ownerReferences: OwnerReference[];
  };
  status: { decisions: ClusterDecision[] };
}

export interface DecisionGroupStatus {
  decisionGroupIndex: number;
  decisionGroupName: string;
  decisions: string[];
  clustersCount: number;
}
