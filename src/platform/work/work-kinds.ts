import { readFileSync } from 'node:fs';
import type { ResourceDefinition } from '../api/registry.js';
import { servedVersions } from '../apiextensions/served-versions.js';
import type { SchemaSpec } from '../apis/types.js';
import { withOwnershipAdmission } from './work-admission.js';
import { MANIFEST_WORK_REPLICA_SETS, MANIFEST_WORKS } from './work-names.js';
import { manifestWorksView } from './works-view.js';

// Open Cluster Management's work API (work.open-cluster-management.io) as a hub serves it:
// ManifestWork (v1, in a cluster's namespace of the compute workspace) and ManifestWorkReplicaSet
// (v1alpha1, in a user's namespace). AppliedManifestWork is carried in the data too but not served:
// it is the agent's bookkeeping on a member, where OCM's klusterlet installs it as a CRD, and a hub
// that served it would refuse that CRD in a workspace acting as a member. They are served from OCM's
// own CRDs (ocm-work-crds.json, derived by scripts/generate-ocm-work-crds.js), through the same path
// as a workspace's CRDs, so validation, defaulting, pruning, printer columns and `kubectl explain`
// match a real OCM hub, and the CLI and the agent work against either unchanged. Outside the compute
// workspace, ManifestWork is a read-only view of the works the workspace's replica sets own (works-view.ts).

export {
  APPLIED_MANIFEST_WORKS,
  MANIFEST_WORK_REPLICA_SETS,
  MANIFEST_WORKS,
  WORK_GROUP,
} from './work-names.js';

interface WorkCrds {
  crds: { name: string; spec: SchemaSpec }[];
}

function readWorkCrds(): WorkCrds {
  return JSON.parse(readFileSync(new URL('./ocm-work-crds.json', import.meta.url), 'utf8')) as WorkCrds;
}

const HUB_KINDS = new Set([MANIFEST_WORKS, MANIFEST_WORK_REPLICA_SETS]);

/** The served versions of the hub's work kinds, built once when the registry is. */
export function workResources(): ResourceDefinition[] {
  return readWorkCrds()
    .crds.filter((crd) => HUB_KINDS.has(crd.name))
    .flatMap((crd) => servedVersions(crd.spec, { servedBy: "as Open Cluster Management's work API" }))
    .map((def) =>
      def.resource === 'manifestworks'
        ? withOwnershipAdmission({ ...def, projection: manifestWorksView })
        : def,
    );
}
