import type { ManifestConfig } from './status-feedback.js';

// ManifestWork (work.open-cluster-management.io/v1) as OCM's CRD defines it: the parts the agent reads and writes.

export const WORK_GROUP_VERSION = 'work.open-cluster-management.io/v1';
/** OCM's finalizer: the hub keeps a deleted work until its agent removed what it applied. */
export const WORK_CLEANUP_FINALIZER = 'cluster.open-cluster-management.io/manifest-work-cleanup';
/** Marks what the agent applied, `<cluster-namespace>.<work-name>`: only objects carrying it are ever deleted. */
export const WORK_OWNER_LABEL = 'work.kplane.io/manifestwork';
export const FIELD_MANAGER = 'kplane-agent';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
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
    deleteOption?: { propagationPolicy?: 'Foreground' | 'Orphan' | 'SelectivelyOrphan' };
  };
  status?: ManifestWorkStatus;
}

export function ownerKey(work: ManifestWork): string {
  return `${work.metadata.namespace}.${work.metadata.name}`;
}
