// The storage keys and labels of OCM's work API, shared by the served kinds, the replica set
// controller and the view a workspace gets of its works (kept apart so none of them import another).

export const WORK_GROUP = 'work.open-cluster-management.io';
export const MANIFEST_WORKS = `manifestworks.${WORK_GROUP}`;
export const APPLIED_MANIFEST_WORKS = `appliedmanifestworks.${WORK_GROUP}`;
export const MANIFEST_WORK_REPLICA_SETS = `manifestworkreplicasets.${WORK_GROUP}`;

/** OCM's label on the works of a replica set: `<namespace>.<name>`. */
export const REPLICA_SET_LABEL = `${WORK_GROUP}/manifestworkreplicaset`;
/** kplane's: which replica set (workspace id, namespace, name) owns a work; hashed to fit a label. */
export const OWNER_LABEL = 'work.kplane.io/owner';
/** The owner spelled out, `<workspace id>/<namespace>/<name>`, to find it from a work's change. */
export const OWNER_ANNOTATION = 'work.kplane.io/replicaset';
