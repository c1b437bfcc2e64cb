import type { ResourceRegistry } from '../api/registry.js';
import type { RequestScope, ResourceService } from '../api/resource-service.js';
import { WORKSPACES } from './constants.js';
import { ROOT_PATH } from './paths.js';

/**
 * Creates the workspace `name`, of the built-in type root:<type>, in the scope's workspace unless
 * one of that name exists; what exists is left alone. For the platform's own workspaces (compute,
 * homes, the demo tree).
 */
export function ensureWorkspace(
  service: ResourceService,
  registry: ResourceRegistry,
  scope: RequestScope,
  name: string,
  type: string,
  annotations?: Record<string, string>,
): void {
  const def = registry.get(WORKSPACES);
  if (service.find(def, scope, name)) return;
  service.create(def, scope, {
    metadata: annotations ? { name, annotations } : { name },
    spec: { type: { name: type, path: ROOT_PATH } },
  });
}
