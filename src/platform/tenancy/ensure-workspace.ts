import type { KubeObject } from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { RequestScope, TransactionWrites } from '../api/resource-service.js';
import { WORKSPACES } from './constants.js';
import { ROOT_PATH } from './paths.js';

/**
 * The workspace `name` in the scope's workspace, created of the built-in type root:<type> unless
 * one of that name exists; what exists is left alone. For the platform's own workspaces (compute,
 * homes, the demo tree), in the caller's transaction.
 */
export function ensureWorkspace(
  writes: TransactionWrites,
  registry: ResourceRegistry,
  scope: RequestScope,
  name: string,
  type: string,
  annotations?: Record<string, string>,
): KubeObject {
  const def = registry.get(WORKSPACES);
  return (
    writes.find(def, scope, name) ??
    writes.create(def, scope, {
      metadata: annotations ? { name, annotations } : { name },
      spec: { type: { name: type, path: ROOT_PATH } },
    })
  );
}
