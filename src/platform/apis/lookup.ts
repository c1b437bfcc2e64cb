import type { KubeObject } from '../api/object.js';
import type { ObjectReader } from '../auth/rbac/objects.js';
import type { ClusterRef } from '../storage/cluster-index.js';
import { exportPath } from './admission.js';
import { API_BINDINGS, API_EXPORTS, API_RESOURCE_SCHEMAS } from './constants.js';
import { bindingPhase, exportReference, exportResources, type ExportResource } from './types.js';

// Reads of stored apis.kcp.io objects shared by the hooks, the binding controller, the bound
// resources and the export's view. `reader` is the ObjectStore or an open transaction.

export type ResolveCluster = (pathOrId: string) => ClusterRef | undefined;

export interface ResolvedExport {
  cluster: ClusterRef;
  object: KubeObject;
}

const key = (cluster: string, resource: string, name: string) => ({ cluster, resource, namespace: '', name });

export function getExport(reader: ObjectReader, cluster: ClusterRef, name: string): KubeObject | undefined {
  return reader.get(key(cluster.id, API_EXPORTS, name));
}

export function getSchema(reader: ObjectReader, clusterId: string, name: string): KubeObject | undefined {
  return reader.get(key(clusterId, API_RESOURCE_SCHEMAS, name));
}

export function bindingsIn(reader: ObjectReader, clusterId: string): KubeObject[] {
  return reader.list({ cluster: clusterId, resource: API_BINDINGS }).map((entry) => entry.object);
}

export function exportsIn(reader: ObjectReader, clusterId: string): KubeObject[] {
  return reader.list({ cluster: clusterId, resource: API_EXPORTS }).map((entry) => entry.object);
}

/**
 * The export a binding refers to, found by its (admission-checked, immutable) spec reference, never
 * by what its status says: status is writable by anyone allowed to update it.
 */
export function resolveExport(
  reader: ObjectReader,
  resolve: ResolveCluster,
  binding: KubeObject,
  bindingCluster: ClusterRef,
): ResolvedExport | undefined {
  const reference = exportReference(binding);
  if (!reference.name) return undefined;
  const cluster = resolve(exportPath(reference, bindingCluster));
  const object = cluster && getExport(reader, cluster, reference.name);
  return cluster && object ? { cluster, object } : undefined;
}

/**
 * Whether `binding` (in `bindingCluster`) refers to an export in the logical cluster
 * `exportClusterId` (named `name`, if given), whatever its phase.
 */
export function refersToExport(
  resolve: ResolveCluster,
  binding: KubeObject,
  bindingCluster: ClusterRef,
  exportClusterId: string,
  name?: string,
): boolean {
  const reference = exportReference(binding);
  if (name !== undefined && reference.name !== name) return false;
  return resolve(exportPath(reference, bindingCluster))?.id === exportClusterId;
}

/** The export's entry for a resource the binding says it bound; undefined if the export dropped it. */
export function exportedResource(
  apiExport: KubeObject,
  bound: { group: string; resource: string; schema: { name: string } },
): ExportResource | undefined {
  return exportResources(apiExport).find(
    (r) => r.group === bound.group && r.name === bound.resource && r.schema === bound.schema.name,
  );
}

export const isBound = (binding: KubeObject) => bindingPhase(binding) === 'Bound';
