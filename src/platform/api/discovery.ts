import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathNotFound } from '../http/errors.js';
import { negotiateDiscovery } from '../http/negotiate.js';
import { writeJson } from '../http/respond.js';
import type { ApiRoute } from '../http/routes.js';
import type { ClusterRef } from '../storage/cluster-index.js';
import type { OpenApiPublisher } from './openapi.js';
import { apiVersionOf, type ResourceDefinition, type ResourceRegistry } from './registry.js';

// Both discovery dialects: aggregated (apidiscovery.k8s.io/v2, one request for everything) and
// the legacy APIVersions / APIGroupList / APIResourceList kubectl falls back to, plus the OpenAPI
// documents, served for a workspace or for a view of one.

export const AGGREGATED_CONTENT_TYPE = (version: 'v2' | 'v2beta1') =>
  `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;

const STATUS_VERBS = ['get', 'patch', 'update'];

function responseKind(def: ResourceDefinition) {
  return { group: def.group, version: def.version, kind: def.kind };
}

/** A subresource answers with its object's kind, or with its view's (autoscaling/v1 Scale). */
function subresourceKind(def: ResourceDefinition, subresource: string) {
  return responseKind(def.views?.[subresource]?.definition ?? def.actions?.[subresource]?.definition ?? def);
}

/** What a subresource takes: an action only a create, any other get/patch/update. */
function subresourceVerbs(def: ResourceDefinition, subresource: string): string[] {
  return def.actions?.[subresource] ? ['create'] : STATUS_VERBS;
}

function aggregatedResource(def: ResourceDefinition) {
  const entry: Record<string, unknown> = {
    resource: def.resource,
    responseKind: responseKind(def),
    scope: def.scope,
    singularResource: def.singular,
    verbs: def.verbs,
  };
  if (def.shortNames.length > 0) entry.shortNames = def.shortNames;
  if (def.categories.length > 0) entry.categories = def.categories;
  if (def.subresources.length > 0) {
    entry.subresources = def.subresources.map((subresource) => ({
      subresource,
      responseKind: subresourceKind(def, subresource),
      verbs: subresourceVerbs(def, subresource),
    }));
  }
  return entry;
}

/** `/api` (core only) or `/apis` (every other group) in aggregated form. */
export function aggregatedDiscovery(
  registry: ResourceRegistry,
  cluster: ClusterRef,
  core: boolean,
  version: 'v2' | 'v2beta1',
): Record<string, unknown> {
  const items = registry
    .groups(cluster)
    .filter((group) => (group.group === '') === core)
    .map((group) => ({
      metadata: { name: group.group },
      versions: group.versions.map((v) => ({
        version: v,
        resources: registry.inGroupVersion(cluster, group.group, v).map(aggregatedResource),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function coreVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string, versions: string[]) {
  const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: entries, preferredVersion: entries[0] };
}

export function groupList(registry: ResourceRegistry, cluster: ClusterRef): Record<string, unknown> {
  const groups = registry
    .groups(cluster)
    .filter((group) => group.group !== '')
    .map((group) => apiGroup(group.group, group.versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function groupDocument(
  registry: ResourceRegistry,
  cluster: ClusterRef,
  group: string,
): Record<string, unknown> | undefined {
  const found = registry.groups(cluster).find((g) => g.group === group && group !== '');
  return found ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(found.group, found.versions) } : undefined;
}

export function resourceList(
  registry: ResourceRegistry,
  cluster: ClusterRef,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const defs = registry.inGroupVersion(cluster, group, version);
  if (defs.length === 0) return undefined;
  const resources = defs.flatMap((def) => {
    const main: Record<string, unknown> = {
      name: def.resource,
      singularName: def.singular,
      namespaced: def.scope === 'Namespaced',
      kind: def.kind,
      verbs: def.verbs,
    };
    if (def.shortNames.length > 0) main.shortNames = def.shortNames;
    if (def.categories.length > 0) main.categories = def.categories;
    const subresources = def.subresources.map((sub) => {
      const view = def.views?.[sub]?.definition ?? def.actions?.[sub]?.definition;
      return {
        name: `${def.resource}/${sub}`,
        singularName: '',
        namespaced: def.scope === 'Namespaced',
        ...(view ? { group: view.group, version: view.version } : {}),
        kind: view?.kind ?? def.kind,
        verbs: subresourceVerbs(def, sub),
      };
    });
    return [main, ...subresources];
  });
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources,
  };
}

/** What a discovery request is answered from. */
export interface DiscoverySource {
  registry: ResourceRegistry;
  openapi: OpenApiPublisher;
  cluster: ClusterRef;
  /** The path the client came in through (`/clusters/<cluster>`), which OpenAPI's URLs repeat. */
  prefix: string;
  /** `127.0.0.1:PORT`, for APIVersions.serverAddressByClientCIDRs. */
  serverAddress(): string;
}

/**
 * Answers `/api`, `/apis`, `/apis/<group>[/<version>]` and `/openapi/v3[/...]`; any other route is
 * 404 (openapi/v2 included: kubectl falls back to v3, which is served).
 */
export function serveDiscovery(
  req: IncomingMessage,
  res: ServerResponse,
  route: ApiRoute,
  source: DiscoverySource,
): void {
  const { registry, openapi, cluster } = source;
  switch (route.kind) {
    case 'coreVersions':
    case 'groups': {
      const core = route.kind === 'coreVersions';
      const aggregated = negotiateDiscovery(req.headers.accept);
      if (aggregated) {
        const body = aggregatedDiscovery(registry, cluster, core, aggregated);
        return writeJson(res, 200, body, AGGREGATED_CONTENT_TYPE(aggregated));
      }
      return writeJson(res, 200, core ? coreVersions(source.serverAddress()) : groupList(registry, cluster));
    }
    case 'group':
      return writeFound(res, groupDocument(registry, cluster, route.group));
    case 'groupVersion':
      return writeFound(res, resourceList(registry, cluster, route.group, route.version));
    case 'openapiV3Index':
      return writeJson(res, 200, openapi.index(cluster, source.prefix));
    case 'openapiV3':
      return writeFound(res, openapi.document(cluster, route.group, route.version)?.body);
    default:
      throw pathNotFound();
  }
}

function writeFound(res: ServerResponse, body: unknown): void {
  if (body === undefined) throw pathNotFound();
  writeJson(res, 200, body);
}
