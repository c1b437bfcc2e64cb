import type { Authorizer } from '../../auth/authorize.js';
import { withAcceptAdmission } from '../../compute/accept-admission.js';
import type { ResourceDefinition } from '../registry.js';
import { managedClusters } from './managedclusters.js';
import { managedClusterSetBindings, managedClusterSets } from './managedclustersets.js';
import { placementDecisions, placements } from './placements.js';

/** The Open Cluster Management kinds: compute, cluster sets and their bindings, placements. */
export function ocmResources(deps: { authorizer: Authorizer }): ResourceDefinition[] {
  return [
    withAcceptAdmission(managedClusters, deps.authorizer),
    managedClusterSets,
    managedClusterSetBindings(deps),
    placements,
    placementDecisions,
  ];
}
