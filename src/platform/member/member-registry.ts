import { customResourceDefinitions } from '../apiextensions/customresourcedefinitions.js';
import type { Authorizer } from '../auth/authorize.js';
import { workloadResources } from '../builtin/index.js';
import { groupResource, ResourceRegistry, type ResourceDefinition } from '../api/registry.js';
import { configMaps } from '../api/resources/configmaps.js';
import { namespaces } from '../api/resources/namespaces.js';
import { rbacResources } from '../api/resources/rbac.js';
import { secrets } from '../api/resources/secrets.js';
import { selfSubjectAccessReviews } from '../api/resources/selfsubjectaccessreviews.js';
import { selfSubjectReviews } from '../api/resources/selfsubjectreviews.js';
import { withMemberAdmission } from './capacity-admission.js';
import { nodes } from './nodes.js';
import { SIMULATED_WORKLOADS } from './simulated.js';

const simulated = (def: ResourceDefinition) =>
  (SIMULATED_WORKLOADS as readonly string[]).includes(groupResource(def)) ? withMemberAdmission(def) : def;

/**
 * What a dev member serves: an ordinary cluster's APIs (core, apps, batch, RBAC, CRDs, Nodes) and nothing of
 * the platform's (no workspaces, APIs to bind, compute or work), so a client sees a plain Kubernetes API.
 */
export function memberRegistry(deps: { authorizer: Authorizer }): ResourceRegistry {
  const hookDeps = { ...deps, onCreated: () => undefined };
  const registry: ResourceRegistry = new ResourceRegistry([
    namespaces,
    configMaps,
    secrets,
    nodes,
    ...rbacResources(hookDeps),
    selfSubjectReviews,
    selfSubjectAccessReviews(hookDeps),
    customResourceDefinitions({ isBuiltin: (resource) => registry.isBuiltin(resource) }),
    ...workloadResources.map(simulated),
  ]);
  return registry;
}
