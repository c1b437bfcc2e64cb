import type { KubeObject } from '../api/object.js';
import type { DefinitionSource, ResourceDefinition } from '../api/registry.js';
import { servedVersions, type ServedVersionOptions } from '../apiextensions/served-versions.js';
import type { ObjectReader } from '../auth/rbac/objects.js';
import type { ClusterRef } from '../storage/cluster-index.js';
import { PATH_ANNOTATION } from '../tenancy/constants.js';
import { CLUSTER_ANNOTATION } from './constants.js';
import {
  bindingsIn,
  exportedResource,
  getSchema,
  isBound,
  resolveExport,
  type ResolveCluster,
} from './lookup.js';
import { boundResources, schemaSpec } from './types.js';

// The kinds an APIResourceSchema defines are served like a CRD's (apiextensions/served-versions.ts).
// Every stored object carries kcp.io/cluster (and kcp.io/path, for people) naming the workspace it
// lives in.

function annotate(object: KubeObject, cluster: ClusterRef): void {
  const annotations = (object.metadata.annotations ??= {});
  annotations[CLUSTER_ANNOTATION] = cluster.id;
  annotations[PATH_ANNOTATION] = cluster.path;
}

const BOUND: ServedVersionOptions = {
  servedBy: 'through an APIBinding',
  stamp: (object, ctx) => annotate(object, ctx.cluster),
};

/** Definitions are rebuilt only when a schema is new to the server (schemas are immutable). */
const cache = new Map<string, ResourceDefinition[]>();
const CACHED_SCHEMAS = 1024;

/** The kinds a schema defines, one per served version; none if the schema is not servable. */
export function definitionsForSchema(schema: KubeObject): ResourceDefinition[] {
  const key = `${schema.metadata.uid ?? ''}/${schema.metadata.resourceVersion ?? ''}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const spec = schemaSpec(schema);
  const defs = spec ? servedVersions(spec, BOUND) : [];
  cache.set(key, defs);
  if (cache.size > CACHED_SCHEMAS) cache.delete(cache.keys().next().value!);
  return defs;
}

/** The served versions of a bound resource, found through the binding's export. */
export function boundDefinitionsOf(
  reader: ObjectReader,
  resolve: ResolveCluster,
  binding: KubeObject,
  cluster: ClusterRef,
): ResourceDefinition[] {
  if (!isBound(binding)) return [];
  const resolved = resolveExport(reader, resolve, binding, cluster);
  if (!resolved) return [];
  return boundResources(binding).flatMap((bound) => {
    const entry = exportedResource(resolved.object, bound);
    const schema = entry && getSchema(reader, resolved.cluster.id, entry.schema);
    if (!schema || schema.metadata.uid !== bound.schema.UID) return [];
    return definitionsForSchema(schema).filter(
      (def) => def.group === bound.group && def.resource === bound.resource,
    );
  });
}

const REMEMBERED_WORKSPACES = 64;

/**
 * The registry source: what the workspace's Bound bindings add, read from storage like RBAC, so a
 * binding or unbinding shows at once. One request looks several times (discovery and OpenAPI per
 * group-version), so the answer is remembered until the store's resourceVersion moves: nothing it
 * depends on can change without a write.
 */
export function boundDefinitions(
  reader: ObjectReader,
  resolve: ResolveCluster,
  resourceVersion: () => number,
): DefinitionSource {
  const remembered = new Map<string, { rv: number; defs: ResourceDefinition[] }>();
  return (cluster) => {
    const rv = resourceVersion();
    const known = remembered.get(cluster.id);
    if (known?.rv === rv) return known.defs;
    const defs = bindingsIn(reader, cluster.id).flatMap((binding) =>
      boundDefinitionsOf(reader, resolve, binding, cluster),
    );
    remembered.delete(cluster.id);
    remembered.set(cluster.id, { rv, defs });
    if (remembered.size > REMEMBERED_WORKSPACES) remembered.delete(remembered.keys().next().value!);
    return defs;
  };
}
