/**
 * Set on every Deployment, StatefulSet and ReplicaSet a dev member stores, and on its Node: the status it
 * shows was written by the member's simulation (as KWOK's), not by a kubelet running containers. In kplane's
 * own annotation domain, as `kplane.dev/spot` and `kplane.dev/maintenance` are.
 */
export const SIMULATED_ANNOTATION = 'kplane.dev/simulated';

/** The workload kinds whose status a dev member moves to ready, by storage key. */
export const SIMULATED_WORKLOADS = ['deployments.apps', 'statefulsets.apps', 'replicasets.apps'] as const;
