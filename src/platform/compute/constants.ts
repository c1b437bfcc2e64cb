import { CLUSTER_GROUP } from '../../placement/index.js';
import { joinPath, ROOT_PATH } from '../tenancy/paths.js';

// Where compute lives and the storage keys of the Open Cluster Management kinds, shared by the API
// definitions, the views other workspaces get, bootstrap and the scheduler.

/** The platform's compute workspace: ManagedClusters and ManagedClusterSets are registered here. */
export const COMPUTE_WORKSPACE = 'compute';
export const COMPUTE_PATH = joinPath(ROOT_PATH, COMPUTE_WORKSPACE);

export const MANAGED_CLUSTERS = `managedclusters.${CLUSTER_GROUP}`;
export const MANAGED_CLUSTER_SETS = `managedclustersets.${CLUSTER_GROUP}`;
export const MANAGED_CLUSTER_SET_BINDINGS = `managedclustersetbindings.${CLUSTER_GROUP}`;
export const PLACEMENTS = `placements.${CLUSTER_GROUP}`;
export const PLACEMENT_DECISIONS = `placementdecisions.${CLUSTER_GROUP}`;

/** The virtual subresource OCM checks before a set may be bound into a namespace. */
export const BIND_SUBRESOURCE = 'bind';

/** Condition type and reasons of ManagedClusterSetBinding.status (OCM's registration controller). */
export const BOUND_CONDITION = 'Bound';
export const BOUND_REASON = 'ClusterSetBound';
export const NOT_BOUND_REASON = 'ClusterSetNotFound';

/** Bring-your-own-scheduler: the platform leaves a placement with this annotation set to "true" alone. */
export const SCHEDULING_DISABLED_ANNOTATION = `${CLUSTER_GROUP}/experimental-scheduling-disable`;

/** Numbers a PlacementDecision within its placement (the `<n>` of `<placement>-decision-<n>`). */
export const DECISION_INDEX_LABEL = `${CLUSTER_GROUP}/decision-index`;
