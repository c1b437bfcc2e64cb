import type { KubeObject } from '../api/object.js';
import type { Projection, ProjectionOf, ProjectionSource } from '../api/projected-kind.js';
import { COMPUTE_PATH } from '../compute/constants.js';
import type { ClusterRef } from '../storage/cluster-index.js';
import { MANIFEST_WORKS } from './work-names.js';
import { ownerOf } from './work-owner.js';

// What a workspace other than the compute workspace sees of ManifestWorks: read-only, the works its
// own ManifestWorkReplicaSets own, with their namespace (the cluster's name) and name as stored in
// root:compute, so `GET .../manifestworks?labelSelector=work.open-cluster-management.io/
// manifestworkreplicaset=<ns>.<name>` answers here as it does on an OCM hub. A user cannot read the
// compute workspace, and must not see another tenant's works, which share its cluster namespaces.
// Owner is read from the annotation the replica set controller stamps, `<workspace id>/<ns>/<name>`, and
// only when the owner label holds its hash: a work whose two disagree was not written so and shows nowhere.

const VIEW_MESSAGE =
  'ManifestWorks are written by the platform in root:compute; this workspace shows, read-only, those its ManifestWorkReplicaSets own. Change the ManifestWorkReplicaSet instead (kplane deploy NAME -f FILE --placement P).';

const ownedBy = (cluster: ClusterRef) => (work: KubeObject) => ownerOf(work)?.workspace === cluster.id;

function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const ns = (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '');
  return ns !== 0 ? ns : (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

export const manifestWorksView: ProjectionOf = (
  cluster,
  source: ProjectionSource,
): Projection | undefined => {
  const compute = source.clusters.resolve(COMPUTE_PATH);
  // The compute workspace stores them; a server without one (a plain hub) stores them anywhere.
  if (!compute || compute.id === cluster.id) return undefined;
  const mine = ownedBy(cluster);
  const list = () =>
    source.reader
      .list({ cluster: compute.id, resource: MANIFEST_WORKS })
      .map((entry) => entry.object)
      .filter(mine)
      .sort(byNamespaceAndName);
  return {
    list,
    affectedBy: (event) =>
      event.key.cluster === compute.id &&
      event.key.resource === MANIFEST_WORKS &&
      (mine(event.object) || (event.previous !== undefined && mine(event.previous))),
    readOnlyMessage: VIEW_MESSAGE,
    readOnlyMessageFor: (namespace, name) => {
      const work = list().find((w) => w.metadata.namespace === namespace && w.metadata.name === name);
      const owner = work && ownerOf(work);
      if (!owner) return undefined;
      return `ManifestWork ${name} in namespace ${namespace} is written by the platform for ManifestWorkReplicaSet ${owner.name} in namespace ${owner.namespace}; this workspace shows it read-only. Change that ManifestWorkReplicaSet instead (kplane deploy ${owner.name} -n ${owner.namespace} -f FILE --placement P, or kplane deploy delete ${owner.name}).`;
    },
  };
};
