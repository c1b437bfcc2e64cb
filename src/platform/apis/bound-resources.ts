import { isPlainObject, type KubeObject } from '../api/object.js';
import type { DefinitionSource, HookContext, ResourceDefinition } from '../api/registry.js';
import { AGE_COLUMN, ageCell, STANDARD_VERBS } from '../api/resources/common.js';
import { kindSchema, objectMetaSchema, type Schema } from '../api/schema.js';
import { dnsSubdomainName, pathSegmentName } from '../api/validation/names.js';
import { validateOpenApi, type OpenApiSchema } from '../api/validation/openapi-schema.js';
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
import { printerColumns } from './printer-columns.js';
import { boundResources, schemaSpec, versionSchema, type SchemaSpec, type SchemaVersion } from './types.js';

// The kinds an APIResourceSchema defines, one ResourceDefinition per served version, so the one
// generic code path serves them like built-in kinds: discovery, OpenAPI, Table, CRUD, watch. They
// behave as the apiserver's custom resources do: validated against the schema's OpenAPI, pruned
// of unknown fields (refused under fieldValidation=Strict), a status subresource when the schema
// asks for one, all versions stored alike (conversion strategy None). Every stored object carries
// kcp.io/cluster (and kcp.io/path, for people) naming the workspace it lives in.

const ENVELOPE = ['apiVersion', 'kind', 'metadata'];

/** `db.example.io` → `io.example.db`, the apiserver's OpenAPI name prefix for a CRD's group. */
function reverseDomain(group: string): string {
  return group.split('.').reverse().join('.');
}

function annotate(object: KubeObject, cluster: ClusterRef): void {
  const annotations = (object.metadata.annotations ??= {});
  annotations[CLUSTER_ANNOTATION] = cluster.id;
  annotations[PATH_ANNOTATION] = cluster.path;
}

/** The schema's own part (no envelope): what the object, minus apiVersion, kind and metadata, must meet. */
function bodySchema(raw: Record<string, unknown>): OpenApiSchema {
  const properties = isPlainObject(raw.properties) ? { ...raw.properties } : undefined;
  for (const field of ENVELOPE) delete properties?.[field];
  const required = Array.isArray(raw.required)
    ? raw.required.filter((f) => !ENVELOPE.includes(f as string))
    : undefined;
  return {
    ...(raw as OpenApiSchema),
    ...(properties ? { properties: properties as Record<string, OpenApiSchema> } : {}),
    ...(required ? { required: required as string[] } : {}),
  };
}

function definition(spec: SchemaSpec, version: SchemaVersion, storageVersion: string): ResourceDefinition {
  const { group, names } = spec;
  const raw = versionSchema(version) ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const body = bodySchema(raw);
  const description =
    typeof raw.description === 'string' && raw.description
      ? raw.description
      : `${names.kind} is served in this workspace through an APIBinding.`;
  // The envelope is the platform's (ObjectMeta and all); the rest is the provider's schema.
  const envelope = kindSchema(description, (body.properties ?? {}) as Record<string, Schema>);
  const schema = { ...(body as Schema), ...envelope };
  const columns = version.additionalPrinterColumns?.length
    ? printerColumns(version.additionalPrinterColumns)
    : { columns: [AGE_COLUMN], cells: (object: KubeObject, now: Date) => [ageCell(object, now)] };
  const apiVersion = `${group}/${version.name}`;
  const storageApiVersion = `${group}/${storageVersion}`;
  const def: ResourceDefinition = {
    group,
    version: version.name,
    kind: names.kind,
    listKind: names.listKind || `${names.kind}List`,
    resource: names.plural,
    singular: names.singular || names.kind.toLowerCase(),
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    scope: spec.scope,
    verbs: STANDARD_VERBS,
    subresources: isPlainObject(version.subresources?.status) ? ['status'] : [],
    description,
    schemaName: `${reverseDomain(group)}.${version.name}.${names.kind}`,
    schema,
    validateName: spec.nameValidation === 'PathSegmentName' ? pathSegmentName : dnsSubdomainName,
    columns: columns.columns,
    cells: columns.cells,
    customResource: true,
    hooks: {
      prepareCreate: (object: KubeObject, ctx: HookContext) => annotate(object, ctx.cluster),
      prepareUpdate: (object: KubeObject, _old: KubeObject, ctx: HookContext) =>
        annotate(object, ctx.cluster),
      validate(object) {
        const { apiVersion: _a, kind: _k, metadata, ...content } = object;
        // Wrong types pass decoding for custom resources, so metadata's are caught here too.
        return [
          ...validateOpenApi(objectMetaSchema, metadata, 'metadata'),
          ...validateOpenApi(body, content),
        ];
      },
    },
  };
  if (version.name !== storageVersion) {
    def.conversion = {
      storageVersion,
      toStorage: (object) => ({ ...object, apiVersion: storageApiVersion }),
      fromStorage: (object) => ({ ...object, apiVersion }),
    };
  }
  return def;
}

/** Definitions are rebuilt only when a schema is new to the server (schemas are immutable). */
const cache = new Map<string, ResourceDefinition[]>();
const CACHED_SCHEMAS = 1024;

/** The kinds a schema defines, one per served version; none if the schema is not servable. */
export function definitionsForSchema(schema: KubeObject): ResourceDefinition[] {
  const key = `${schema.metadata.uid ?? ''}/${schema.metadata.resourceVersion ?? ''}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const spec = schemaSpec(schema);
  const storage = spec?.versions.find((v) => v.storage)?.name ?? spec?.versions[0]?.name;
  const defs =
    spec && storage
      ? spec.versions.filter((v) => v.served !== false).map((v) => definition(spec, v, storage))
      : [];
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
