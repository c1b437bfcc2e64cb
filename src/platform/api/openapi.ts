import { createHash } from 'node:crypto';
import type { ClusterRef } from '../storage/cluster-index.js';
import { PLATFORM_VERSION } from './version.js';
import type { ResourceDefinition, ResourceRegistry } from './registry.js';
import type { Schema } from './schema.js';

// OpenAPI v3 as kubectl 1.32 consumes it: an index whose serverRelativeURLs carry a content hash,
// and per-group-version documents whose operations carry x-kubernetes-group-version-kind (how
// `explain` maps a resource to its schema) and whose PATCH offers `fieldValidation` (how `apply`
// decides to let the server validate).

type Json = Record<string, unknown>;

interface GvDocument {
  body: Json;
  hash: string;
}

const param = (name: string, description: string, where: 'query' | 'path' = 'query'): Json => ({
  name,
  in: where,
  description,
  ...(where === 'path' ? { required: true } : {}),
  schema: { type: 'string', uniqueItems: true },
});

const NAME_PARAM = param('name', 'name of the resource', 'path');
const NAMESPACE_PARAM = param(
  'namespace',
  'object name and auth scope, such as for teams and projects',
  'path',
);
const WRITE_PARAMS = [
  param('dryRun', 'When present, indicates that modifications should not be persisted.'),
  param(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  param(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.',
  ),
];
const LIST_PARAMS = [
  param('labelSelector', 'A selector to restrict the list of returned objects by their labels.'),
  param('fieldSelector', 'A selector to restrict the list of returned objects by their fields.'),
  param(
    'resourceVersion',
    'resourceVersion sets a constraint on what resource versions a request may be served from.',
  ),
  {
    ...param('timeoutSeconds', 'Timeout for the list/watch call.'),
    schema: { type: 'integer', uniqueItems: true },
  },
  {
    ...param('watch', 'Watch for changes to the described resources.'),
    schema: { type: 'boolean', uniqueItems: true },
  },
];

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
];

function ref(name: string): Json {
  return { $ref: `#/components/schemas/${name}` };
}

function jsonContent(schema: Json): Json {
  return { 'application/json': { schema }, 'application/yaml': { schema } };
}

function operation(
  def: ResourceDefinition,
  action: string,
  id: string,
  schemaName: string,
  extra: Json = {},
): Json {
  return {
    tags: [def.group ? `${def.group}_${def.version}` : 'core_v1'],
    description: `${action} ${def.kind}`,
    operationId: id,
    responses: { '200': { description: 'OK', content: jsonContent(ref(schemaName)) } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: def.group, version: def.version, kind: def.kind },
    ...extra,
  };
}

function pathsFor(def: ResourceDefinition): Record<string, Json> {
  const base = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
  const scoped =
    def.scope === 'Namespaced' ? `${base}/namespaces/{namespace}/${def.resource}` : `${base}/${def.resource}`;
  const scopeParams = def.scope === 'Namespaced' ? [NAMESPACE_PARAM] : [];
  const id = `${def.kind}${def.scope === 'Namespaced' ? 'Namespaced' : ''}`;
  const listName = `${def.schemaName}List`;
  const body = { requestBody: { content: jsonContent(ref(def.schemaName)), required: true } };
  const patchBody = {
    requestBody: {
      content: Object.fromEntries(PATCH_TYPES.map((type) => [type, { schema: { type: 'object' } }])),
      required: true,
    },
  };
  const withParams = (params: Json[]) => ({ parameters: params });

  const can = (verb: string) => def.verbs.includes(verb);
  // Only what the resource serves: a review offers create alone, a LogicalCluster no create.
  const only = (operations: Record<string, Json | false>): Json =>
    Object.fromEntries(Object.entries(operations).filter(([, op]) => op !== false));
  const collection = only({
    get: can('list') && operation(def, 'list', `list${id}`, listName, withParams(LIST_PARAMS)),
    post:
      can('create') &&
      operation(def, 'post', `create${id}`, def.schemaName, { ...body, ...withParams(WRITE_PARAMS) }),
  });
  const item = only({
    get: can('get') && operation(def, 'get', `read${id}`, def.schemaName),
    put:
      can('update') &&
      operation(def, 'put', `replace${id}`, def.schemaName, { ...body, ...withParams(WRITE_PARAMS) }),
    patch:
      can('patch') &&
      operation(def, 'patch', `patch${id}`, def.schemaName, {
        ...patchBody,
        ...withParams([...WRITE_PARAMS, param('force', 'Force is going to "force" Apply requests.')]),
      }),
    delete:
      can('delete') &&
      operation(def, 'delete', `delete${id}`, def.schemaName, withParams([param('dryRun', 'dry run')])),
  });
  const paths: Record<string, Json> = {};
  if (Object.keys(collection).length > 0) paths[scoped] = { ...collection, parameters: scopeParams };
  if (Object.keys(item).length > 0)
    paths[`${scoped}/{name}`] = { ...item, parameters: [NAME_PARAM, ...scopeParams] };
  if (def.scope === 'Namespaced' && can('list')) {
    paths[`${base}/${def.resource}`] = {
      get: operation(def, 'list', `list${def.kind}ForAllNamespaces`, listName, withParams(LIST_PARAMS)),
    };
  }
  for (const sub of def.subresources) {
    const title = sub.charAt(0).toUpperCase() + sub.slice(1);
    const action = def.actions?.[sub]?.definition;
    if (action) {
      paths[`${scoped}/{name}/${sub}`] = {
        post: operation(def, 'post', `create${id}${title}`, action.schemaName, {
          requestBody: { content: jsonContent(ref(action.schemaName)), required: true },
          ...withParams(WRITE_PARAMS),
        }),
        parameters: [NAME_PARAM, ...scopeParams],
      };
      continue;
    }
    paths[`${scoped}/{name}/${sub}`] = {
      get: operation(def, 'get', `read${id}${title}`, def.schemaName),
      put: operation(def, 'put', `replace${id}${title}`, def.schemaName, {
        ...body,
        ...withParams(WRITE_PARAMS),
      }),
      patch: operation(def, 'patch', `patch${id}${title}`, def.schemaName, {
        ...patchBody,
        ...withParams(WRITE_PARAMS),
      }),
      parameters: [NAME_PARAM, ...scopeParams],
    };
  }
  return paths;
}

function componentsFor(def: ResourceDefinition): Record<string, Json> {
  const gvk = [{ group: def.group, version: def.version, kind: def.kind }];
  const listGvk = [{ group: def.group, version: def.version, kind: def.listKind }];
  // Published definitions come whole, with their $refs; the kind's own keeps its published GVK.
  const described: Record<string, Json> = def.openApiComponents
    ? (def.openApiComponents() as Record<string, Json>)
    : { [def.schemaName]: { ...def.schema, 'x-kubernetes-group-version-kind': gvk } };
  return {
    ...described,
    [`${def.schemaName}List`]: {
      type: 'object',
      description: `${def.listKind} is a list of ${def.kind} objects.`,
      required: ['items'],
      properties: {
        apiVersion: {
          type: 'string',
          description: 'APIVersion defines the versioned schema of this representation of an object.',
        },
        kind: {
          type: 'string',
          description: 'Kind is a string value representing the REST resource this object represents.',
        },
        metadata: {
          type: 'object',
          description: 'Standard list metadata.',
          'x-kubernetes-preserve-unknown-fields': true,
        },
        items: {
          type: 'array',
          description: `List of ${def.resource}.`,
          items: ref(def.schemaName) as Schema,
        },
      },
      'x-kubernetes-group-version-kind': listGvk,
    },
  };
}

function buildDocument(defs: ResourceDefinition[]): Json {
  const paths: Record<string, Json> = {};
  const schemas: Record<string, Json> = {};
  for (const def of defs) {
    Object.assign(paths, pathsFor(def));
    Object.assign(schemas, componentsFor(def));
    // What an action subresource takes and answers (TokenRequest), described beside its parent.
    for (const action of Object.values(def.actions ?? {}))
      if (action.definition.openApiComponents)
        Object.assign(schemas, action.definition.openApiComponents() as Record<string, Json>);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: PLATFORM_VERSION.gitVersion },
    paths,
    components: { schemas },
  };
}

function gvKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** How many documents are kept, least recently used dropped first. */
const CACHED_DOCUMENTS = 512;

/**
 * Builds each group-version document once per set of definitions: workspaces with the same bound
 * APIs share a document, and the hash changes whenever the served schemas do.
 */
export class OpenApiPublisher {
  private readonly cache = new Map<string, GvDocument>();
  private readonly ids = new WeakMap<ResourceDefinition, number>();
  private nextId = 0;

  constructor(private readonly registry: ResourceRegistry) {}

  /** Definitions are immutable objects, so an object's identity stands for its content. */
  private idOf(def: ResourceDefinition): number {
    let id = this.ids.get(def);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(def, id);
    }
    return id;
  }

  document(cluster: ClusterRef, group: string, version: string): GvDocument | undefined {
    const defs = this.registry.inGroupVersion(cluster, group, version);
    if (defs.length === 0) return undefined;
    const key = `${gvKey(group, version)}#${defs.map((def) => this.idOf(def)).join(',')}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const body = buildDocument(defs);
    const hash = createHash('sha512').update(JSON.stringify(body)).digest('hex').toUpperCase();
    const doc = { body, hash };
    this.cache.set(key, doc);
    if (this.cache.size > CACHED_DOCUMENTS) this.cache.delete(this.cache.keys().next().value!);
    return doc;
  }

  /**
   * The discovery index. client-go replaces the whole request path with serverRelativeURL, so the
   * URL must repeat the `/clusters/<cluster>` prefix the client came in through.
   */
  index(cluster: ClusterRef, prefix: string): Json {
    const paths: Record<string, Json> = {};
    for (const { group, versions } of this.registry.groups(cluster)) {
      for (const version of versions) {
        const doc = this.document(cluster, group, version);
        if (!doc) continue;
        const key = gvKey(group, version);
        paths[key] = { serverRelativeURL: `${prefix}/openapi/v3/${key}?hash=${doc.hash}` };
      }
    }
    return { paths };
  }
}
