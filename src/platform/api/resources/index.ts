import { customResourceDefinitions } from '../../apiextensions/customresourcedefinitions.js';
import { workloadResources } from '../../builtin/index.js';
import type { TokenStore } from '../../storage/token-store.js';
import { workResources } from '../../work/work-kinds.js';
import { ResourceRegistry, type ResourceDefinition } from '../registry.js';
import { apisResources } from './apis.js';
import { configMaps } from './configmaps.js';
import { logicalClusters } from './logicalclusters.js';
import { namespaces } from './namespaces.js';
import { ocmResources } from './ocm.js';
import { rbacResources } from './rbac.js';
import { secrets } from './secrets.js';
import { selfSubjectAccessReviews } from './selfsubjectaccessreviews.js';
import { selfSubjectReviews } from './selfsubjectreviews.js';
import { tokenRequestAction } from './token-requests.js';
import { workspacesResource, type WorkspaceHooksDeps } from './workspaces.js';
import { workspaceTypes } from './workspacetypes.js';

/** ServiceAccounts answer TokenRequests when the platform has a token store to mint into. */
function withTokenRequests(defs: ResourceDefinition[], tokens: TokenStore | undefined): ResourceDefinition[] {
  if (!tokens) return defs;
  return defs.map((def) => {
    if (def.group !== '' || def.resource !== 'serviceaccounts') return def;
    // Copied with its descriptors, not spread: the published schema stays a getter, read on first use.
    const withToken = Object.defineProperties(
      {},
      Object.getOwnPropertyDescriptors(def),
    ) as ResourceDefinition;
    withToken.subresources = [...def.subresources, 'token'];
    withToken.actions = { token: tokenRequestAction(tokens) };
    return withToken;
  });
}

/** Everything the platform serves. A new kind is one more entry here. */
export function builtinRegistry(deps: WorkspaceHooksDeps & { tokens?: TokenStore }): ResourceRegistry {
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
    ...withTokenRequests(workloadResources, deps.tokens),
  ]);
  return registry;
}
