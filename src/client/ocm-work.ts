// OCM's work API (work.open-cluster-management.io) as it travels on the wire: the parts of ManifestWork and
// ManifestWorkReplicaSet that kplane's two clients of it read and write, the agent on a member and `kplane deploy`
// on the user's side. One definition, so the two never drift apart from each other or from OCM's CRDs.

export const WORK_GROUP = 'work.open-cluster-management.io';
export const WORK_GROUP_VERSION = `${WORK_GROUP}/v1`;
export const WORK_V1_API = `/apis/${WORK_GROUP}/v1`;
export const WORK_V1ALPHA1_API = `/apis/${WORK_GROUP}/v1alpha1`;

/** OCM's finalizer: the hub keeps a deleted work until its agent removed what it applied. */
export const WORK_CLEANUP_FINALIZER = 'cluster.open-cluster-management.io/manifest-work-cleanup';

/** The ManifestWorks of one namespace (a cluster's namespace on the hub), relative to an API's base URL. */
export const manifestWorksPath = (namespace: string) =>
  `${WORK_V1_API}/namespaces/${encodeURIComponent(namespace)}/manifestworks`;

export const manifestWorkPath = (namespace: string, name: string) =>
  `${manifestWorksPath(namespace)}/${encodeURIComponent(name)}`;

/** metav1.Condition as it arrives: a reader cannot count on more than type and status (other writers, older hubs). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export function findCondition<C extends { type: string }>(
  conditions: readonly C[] | undefined,
  type: string,
): C | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/** OCM's ManifestResourceMeta: which object a manifest became on the member. */
export interface ResourceMeta {
  ordinal: number;
  group: string;
  version: string;
  kind: string;
  resource: string;
  name: string;
  namespace: string;
}

export interface FeedbackRule {
  type: 'WellKnownStatus' | 'JSONPaths';
  jsonPaths?: { name: string; path: string; version?: string }[];
}

export interface ManifestConfig {
  resourceIdentifier: { group?: string; resource: string; name: string; namespace?: string };
  feedbackRules?: FeedbackRule[];
}

export interface FeedbackValue {
  name: string;
  fieldValue:
    | { type: 'Integer'; integer: number }
    | { type: 'String'; string: string }
    | { type: 'Boolean'; boolean: boolean }
    | { type: 'JsonRaw'; jsonRaw: string };
}

export interface ManifestCondition {
  resourceMeta: ResourceMeta;
  conditions: Condition[];
  statusFeedback?: { values?: unknown[] };
}

export interface ManifestWorkStatus {
  conditions?: Condition[];
  resourceStatus?: { manifests?: ManifestCondition[] };
}

export interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** OCM's OrphaningRule: one object a SelectivelyOrphan work leaves on the member when it goes. */
export interface OrphaningRule {
  group?: string;
  resource: string;
  namespace?: string;
  name: string;
}

export interface DeleteOption {
  propagationPolicy?: 'Foreground' | 'Orphan' | 'SelectivelyOrphan';
  selectivelyOrphans?: { orphaningRules?: OrphaningRule[] };
}

export interface ManifestWork {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    generation?: number;
    resourceVersion?: string;
    deletionTimestamp?: string;
    finalizers?: string[];
  };
  spec?: {
    workload?: { manifests?: Manifest[] };
    manifestConfigs?: ManifestConfig[];
    deleteOption?: DeleteOption;
  };
  status?: ManifestWorkStatus;
}
