import { customResourceDefinitions } from '../../apiextensions/customresourcedefinitions.js';
import { workloadResources } from '../../builtin/index.js';
import { workResources } from '../../work/work-kinds.js';
import { ResourceRegistry } from '../registry.js';
import { apisResources } from './apis.js';
import { configMaps } from './configmaps.js';
import { logicalClusters } from './logicalclusters.js';
import { namespaces } from './namespaces.js';
import { ocmResources } from './ocm.js';
import { rbacResources } from './rbac.js';
import { secrets } from './secrets.js';
import { selfSubjectAccessReviews } from './selfsubjectaccessreviews.js';
import { selfSubjectReviews } from './selfsubjectreviews.js';
import { workspacesResource, type WorkspaceHooksDeps } from './workspaces.js';
import { workspaceTypes } from './workspacetypes.js';

/** Everything the platform serves. A new kind is one more entry here. */
export function builtinRegistry(deps: WorkspaceHooksDeps): ResourceRegistry {
  const registry: ResourceRegistry = new ResourceRegistry([
    namespaces,
    configMaps,
    secrets,
    workspacesResource(deps),
    workspaceTypes,
    logicalClusters,
    ...rbacResources(deps),
    selfSubjectReviews,
    selfSubjectAccessReviews(deps),
    ...apisResources({ ...deps, isBuiltin: (resource) => registry.isBuiltin(resource) }),
    ...ocmResources(deps),
    ...workResources(),
    customResourceDefinitions({ isBuiltin: (resource) => registry.isBuiltin(resource) }),
    ...workloadResources,
  ]);
  return registry;
}
