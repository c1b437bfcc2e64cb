import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveDiscovery } from '../api/discovery.js';
import { resourceVerb, type ResourceHandler } from '../api/handler.js';
import {
  compareKeys,
  pageInMemory,
  parseListPaging,
  startPaging,
  tooOldToContinue,
} from '../api/list-paging.js';
import { deepClone, type KubeObject } from '../api/object.js';
import { filtersNothing, pageMeta, unchangedSince } from '../api/paged-list.js';
import { OpenApiPublisher } from '../api/openapi.js';
import { groupResource, presentAs, ResourceRegistry, type ResourceDefinition } from '../api/registry.js';
import { parseIncludeObject, renderList, watchEncoder } from '../api/representation.js';
import type { RequestScope, ResourceService } from '../api/resource-service.js';
import { parseObjectFilter, type ObjectFilter } from '../api/selectors/object-filter.js';
import { translate, type WatchConsent } from '../api/watch.js';
import type { WatchEvent } from '../api/watch-event.js';
import type { Authorizer } from '../auth/authorize.js';
import type { ResourceRequest } from '../auth/rbac/rules.js';
import { identityKey, type UserInfo } from '../auth/user.js';
import {
  badRequest,
  expired,
  forbidden,
  methodNotAllowed,
  notAcceptable,
  pathNotFound,
  requestForbidden,
} from '../http/errors.js';
import { negotiateObjectFormat } from '../http/negotiate.js';
import { writeJson } from '../http/respond.js';
import { parseApiRoute, type ResourceRoute } from '../http/routes.js';
import type { WatchRegistry } from '../http/watch-registry.js';
import { streamWatch } from '../http/watch-stream.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import type { ChangeEvent } from '../storage/event-log.js';
import { isValidClusterPath } from '../tenancy/paths.js';
import { definitionsForSchema } from './bound-resources.js';
import {
  API_BINDINGS,
  API_EXPORTS,
  APIS_GROUP,
  CLUSTER_ANNOTATION,
  CONTENT_SUBRESOURCE,
} from './constants.js';
import { bindingsIn, getExport, getSchema, isBound, refersToExport } from './lookup.js';
import {
  bindingClaims,
  boundResources,
  exportClaims,
  exportResources,
  sameClaim,
  type ExportClaim,
} from './types.js';

// kcp's APIExport virtual workspace, the provider's view of its API across every consumer:
// `/services/apiexport/<export workspace path or id>/<export>/clusters/<consumer>/<API path>`,
// where <consumer> is a consumer workspace (logical cluster id or path) or `*` for all of them
// (list and watch). It serves the export's resources in the workspaces that bound them, and the
// resources the export claims in the workspaces whose binding accepted the claim (with the verbs
// both sides allow), plus discovery and OpenAPI of both.
//
// Access, as kcp decides it: the request's verb on `apiexports/content` named <export>, group
// apis.kcp.io, granted by RBAC in the export's workspace (cluster-admin there, a workspace's owner,
// or system:masters have it). Nothing about the consumer workspaces' own RBAC applies: the binding
// is the consumer's consent. A caller without that grant gets 403 whether or not the export exists.

export interface ExportViewDeps {
  service: ResourceService;
  clusters: ClusterIndex;
  registry: ResourceRegistry;
  authorizer: Authorizer;
  resources: ResourceHandler;
  watches: WatchRegistry;
  serverAddress(): string;
}

export interface ViewRequest {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  /** The decoded path segments after `/services`. */
  segments: string[];
  user: UserInfo;
}

/** One resource the view serves: one of the export's own, or one it claims. */
interface ViewEntry {
  def: ResourceDefinition;
  claim?: ExportClaim;
}

/** Whether the view may show a consumer workspace; `bindings` are its APIBindings, read when not given. */
type Allowed = (consumer: ClusterRef, bindings?: KubeObject[]) => boolean;

/** One request's view: which export, as the URL named it, and the verb asked for. */
interface ViewOf {
  exportCluster: ClusterRef;
  exportName: string;
  /** `<path or id>:<name>`, for messages. */
  exportLabel: string;
  verb: string;
}

const servesRoute = (route: ResourceRoute) => (entry: ViewEntry) =>
  entry.def.group === route.group &&
  entry.def.version === route.version &&
  entry.def.resource === route.resource;

/** How a watch ends when the consent it relied on is gone (a 403, as a new request would get). */
function consentWithdrawn(def: ResourceDefinition, why: string) {
  return forbidden(`watch of ${groupResource(def)} ended: ${why}`, {
    group: def.group,
    kind: def.resource,
  }).toStatus();
}

const noLongerOffered = (def: ResourceDefinition, view: ViewOf) =>
  consentWithdrawn(def, `APIExport ${JSON.stringify(view.exportLabel)} no longer offers it`);

const WILDCARD = '*';
const covers = (verbs: string[], verb: string) => verbs.includes('*') || verbs.includes(verb);

export function contentRequest(verb: string, exportName: string): ResourceRequest {
  return {
    kind: 'resource',
    verb,
    group: APIS_GROUP,
    resource: 'apiexports',
    subresource: CONTENT_SUBRESOURCE,
    name: exportName,
  };
}

function withClusterAnnotation(object: KubeObject, cluster: string): KubeObject {
  if (object.metadata.annotations?.[CLUSTER_ANNOTATION] === cluster) return object;
  const copy = deepClone(object);
  (copy.metadata.annotations ??= {})[CLUSTER_ANNOTATION] = cluster;
  return copy;
}

export class ExportView {
  constructor(private readonly deps: ExportViewDeps) {}

  async serve(request: ViewRequest): Promise<void> {
    const { req, res, query, segments, user } = request;
    const [service, exportRef, exportName, clustersSegment, target, ...rest] = segments;
    if (service !== 'apiexport' || clustersSegment !== 'clusters' || !exportRef || !exportName || !target)
      throw pathNotFound();
    const method = req.method ?? 'GET';
    const route = parseApiRoute(rest);
    const verb = route.kind === 'resource' ? resourceVerb(method, route, query) : 'get';
    const access = contentRequest(verb, exportName);
    const exportCluster = isValidClusterPath(exportRef) ? this.deps.clusters.resolve(exportRef) : undefined;
    if (!exportCluster || !this.deps.authorizer.authorize(user, exportCluster, access))
      throw requestForbidden(user.name, access);
    const apiExport = getExport(this.deps.service.store, exportCluster, exportName);
    if (!apiExport) throw pathNotFound();
    const entries = this.entries(exportCluster, apiExport);
    const catalog = new ResourceRegistry(entries.map((entry) => entry.def));

    if (route.kind !== 'resource') {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method);
      const prefix = `/services/${segments.slice(0, 5).join('/')}`;
      // OpenAPI too, so kubectl can explain and apply through the view.
      return serveDiscovery(req, res, route, {
        registry: catalog,
        openapi: new OpenApiPublisher(catalog),
        cluster: exportCluster,
        prefix,
        serverAddress: () => this.deps.serverAddress(),
      });
    }
    const entry = entries.find(servesRoute(route));
    if (!entry) throw pathNotFound();
    const view: ViewOf = { exportCluster, exportName, exportLabel: `${exportRef}:${exportName}`, verb };
    const allowed = this.allowedBy(view, entry);
    if (target === WILDCARD) {
      if (verb === 'list')
        return this.listEverywhere(request, route, entry.def, allowed, `${exportCluster.id}/${exportName}`);
      if (verb === 'watch') return this.watchEverywhere(request, route, view, entry);
      throw methodNotAllowed(method);
    }
    const consumer = isValidClusterPath(target) ? this.deps.clusters.resolve(target) : undefined;
    if (!consumer || !allowed(consumer)) {
      throw requestForbidden(user.name, {
        kind: 'resource',
        verb,
        group: route.group,
        resource: route.resource,
        ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
        ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
        ...(route.name !== undefined ? { name: route.name } : {}),
      });
    }
    const scope: RequestScope = {
      cluster: consumer,
      user,
      ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
    };
    const consent =
      verb === 'watch' ? this.watchConsent(view, route, entry.def, consumer, target) : undefined;
    return this.deps.resources.handle({
      req,
      res,
      query,
      route,
      def: entry.def,
      scope,
      ...(consent ? { consent } : {}),
    });
  }

  private allowedBy(view: ViewOf, entry: ViewEntry): Allowed {
    return (consumer, bindings = bindingsIn(this.deps.service.store, consumer.id)) =>
      this.allows(consumer, bindings, view.exportCluster, view.exportName, entry, view.verb);
  }

  /** The view's entry for the route as the export stands now; undefined once it no longer offers it. */
  private currentEntry(view: ViewOf, route: ResourceRoute): ViewEntry | undefined {
    const apiExport = getExport(this.deps.service.store, view.exportCluster, view.exportName);
    return apiExport && this.entries(view.exportCluster, apiExport).find(servesRoute(route));
  }

  /**
   * A resourceVersion no earlier than the consumer's consent to the view: the last change to the
   * export or to the consumer's bindings of it (a grant is one of those changes). Nothing at or
   * before it is replayed to the provider.
   */
  private consentSince(view: ViewOf, consumer: ClusterRef): number {
    const { store } = this.deps.service;
    const resolve = (ref: string) => this.deps.clusters.resolve(ref);
    const bindings = bindingsIn(store, consumer.id).filter((b) =>
      refersToExport(resolve, b, consumer, view.exportCluster.id, view.exportName),
    );
    const objects = [getExport(store, view.exportCluster, view.exportName), ...bindings];
    return Math.max(0, ...objects.map((object) => Number(object?.metadata.resourceVersion ?? 0)));
  }

  /**
   * What a watch of one consumer through the view rests on: the consumer's bindings and the
   * export, judged again whenever either changes, so that withdrawing a claim, deleting the
   * binding or the export's dropping the resource ends the watch at once.
   */
  private watchConsent(
    view: ViewOf,
    route: ResourceRoute,
    def: ResourceDefinition,
    consumer: ClusterRef,
    consumerName: string,
  ): WatchConsent {
    return {
      since: this.consentSince(view, consumer),
      affectedBy: (event) =>
        (event.key.resource === API_BINDINGS && event.key.cluster === consumer.id) ||
        (event.key.resource === API_EXPORTS && event.key.cluster === view.exportCluster.id),
      withdrawn: () => {
        const entry = this.currentEntry(view, route);
        if (!entry) return noLongerOffered(def, view);
        if (this.allowedBy(view, entry)(consumer)) return undefined;
        return consentWithdrawn(
          def,
          `workspace ${JSON.stringify(consumerName)} no longer lets APIExport ${JSON.stringify(view.exportLabel)} ${view.verb} it`,
        );
      },
    };
  }

  /** The export's own resources (every served version of their schemas) and what it claims. */
  private entries(exportCluster: ClusterRef, apiExport: KubeObject): ViewEntry[] {
    const { store } = this.deps.service;
    const entries: ViewEntry[] = [];
    for (const resource of exportResources(apiExport)) {
      const schema = getSchema(store, exportCluster.id, resource.schema);
      if (!schema) continue;
      for (const def of definitionsForSchema(schema))
        if (def.group === resource.group && def.resource === resource.name) entries.push({ def });
    }
    for (const claim of exportClaims(apiExport)) {
      // Claims on other exports' resources (by identity hash) are not served here.
      if (claim.identityHash) continue;
      for (const def of this.deps.registry.all())
        if (def.group === claim.group && def.resource === claim.resource && !def.review)
          entries.push({ def, claim });
    }
    return entries;
  }

  /**
   * Whether the consumer workspace lets the export's view at this resource with this verb: it has a
   * Bound binding to the export that bound the resource, or, for a claimed resource, that accepted
   * the claim (for all objects) with a verb both the claim and the export allow.
   */
  private allows(
    consumer: ClusterRef,
    /** The consumer's APIBindings. */
    consumerBindings: KubeObject[],
    exportCluster: ClusterRef,
    exportName: string,
    entry: ViewEntry,
    verb: string,
  ): boolean {
    const resolve = (ref: string) => this.deps.clusters.resolve(ref);
    const bindings = consumerBindings.filter(
      (b) => isBound(b) && refersToExport(resolve, b, consumer, exportCluster.id, exportName),
    );
    const { def, claim } = entry;
    if (!claim)
      return bindings.some((b) =>
        boundResources(b).some((r) => r.group === def.group && r.resource === def.resource),
      );
    if (!covers(claim.verbs, verb)) return false;
    return bindings.some((b) =>
      bindingClaims(b).some(
        (c) =>
          sameClaim(c, claim) &&
          c.state === 'Accepted' &&
          c.selector?.matchAll === true &&
          covers(c.verbs, verb),
      ),
    );
  }

  /** Every consumer workspace the view may show the resource of, judged by its bindings as listed once. */
  private consumers(allowed: Allowed): ClusterRef[] {
    const bindings = new Map<string, KubeObject[]>();
    for (const { key, object } of this.deps.service.store.listEverywhere(API_BINDINGS)) {
      const list = bindings.get(key.cluster);
      if (list) list.push(object);
      else bindings.set(key.cluster, [object]);
    }
    const found: ClusterRef[] = [];
    for (const [id, list] of bindings) {
      const cluster = this.deps.clusters.resolve(id);
      if (cluster && allowed(cluster, list)) found.push(cluster);
    }
    return found;
  }

  private format(request: ViewRequest) {
    const format = negotiateObjectFormat(request.req.headers.accept);
    if (!format) throw notAcceptable();
    return { format, include: parseIncludeObject(request.query.get('includeObject')) };
  }

  private filter(request: ViewRequest, def: ResourceDefinition): ObjectFilter {
    return parseObjectFilter(def, request.query.get('labelSelector'), request.query.get('fieldSelector'));
  }

  /** Every object across the consumers, each annotated with its logical cluster, as kcp's wildcard lists are. */
  private itemsEverywhere(
    request: ViewRequest,
    route: ResourceRoute,
    def: ResourceDefinition,
    consumers: ClusterRef[],
  ): KubeObject[] {
    const filter = this.filter(request, def);
    return consumers.flatMap((cluster) =>
      this.deps.service
        .list(
          def,
          { cluster, user: request.user, ...(route.namespace ? { namespace: route.namespace } : {}) },
          filter,
        )
        .items.map((object) => withClusterAnnotation(object, cluster.id)),
    );
  }

  private listEverywhere(
    request: ViewRequest,
    route: ResourceRoute,
    def: ResourceDefinition,
    allowed: Allowed,
    /** Which export's view: a continue token is good for this one only. */
    view: string,
  ): void {
    const { format, include } = this.format(request);
    const pageRequest = parseListPaging(request.query);
    const { store } = this.deps.service;
    if (!pageRequest) {
      const resourceVersion = String(store.resourceVersion);
      const items = this.itemsEverywhere(request, route, def, this.consumers(allowed));
      const rendered = renderList(def, items, { resourceVersion }, format, include);
      return writeJson(request.res, 200, rendered.body, rendered.contentType);
    }
    // Paged across workspaces: the view keeps no history, so a later page is served only while
    // nothing it could show (the resource, or which workspaces bound it) has changed since the first.
    const resource = groupResource(def);
    const list = `apiexport/${view}/${resource}/${route.namespace ?? ''}`;
    const { rv, paging } = startPaging(pageRequest, { list, keyLength: 3, newestRv: store.resourceVersion });
    const touchesView = (event: ChangeEvent) =>
      event.key.resource === API_BINDINGS ||
      event.key.resource === API_EXPORTS ||
      (event.key.resource === resource &&
        (route.namespace === undefined || event.key.namespace === route.namespace));
    if (paging.token && !unchangedSince(store.events, rv, touchesView)) throw tooOldToContinue();
    const keyOf = (object: KubeObject) => [
      object.metadata.annotations?.[CLUSTER_ANNOTATION] ?? '',
      object.metadata.namespace ?? '',
      object.metadata.name ?? '',
    ];
    const items = this.itemsEverywhere(request, route, def, this.consumers(allowed)).sort((a, b) =>
      compareKeys(keyOf(a), keyOf(b)),
    );
    const page = pageInMemory(items, keyOf, paging);
    const metadata = pageMeta(list, rv, page, filtersNothing(this.filter(request, def)));
    const rendered = renderList(def, page.items, metadata, format, include);
    writeJson(request.res, 200, rendered.body, rendered.contentType);
  }

  /**
   * A watch across the consumers: the current objects as ADDED (unless resuming from a
   * resourceVersion), then every change in a workspace the view may show. Which workspaces those
   * are is worked out again after any binding or export changes, so a new consumer's objects
   * appear as they are made and a consumer that withdraws its consent drops out; the watch ends
   * if the export stops offering the resource. A resume from before some consumer's consent began
   * answers 410 Expired, so no event from before a consent reaches the provider.
   */
  private watchEverywhere(request: ViewRequest, route: ResourceRoute, view: ViewOf, entry: ViewEntry): void {
    const { query } = request;
    const { def } = entry;
    const { format, include } = this.format(request);
    const rv = query.get('resourceVersion') ?? '';
    if (!/^\d*$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
    const timeout = query.get('timeoutSeconds');
    const timeoutSeconds = timeout !== null && /^\d+$/.test(timeout) ? Number(timeout) : undefined;
    const filter = this.filter(request, def);
    const encode = watchEncoder(def, format, include);
    const resource = groupResource(def);
    const log = this.deps.service.store.events;
    let allowed = this.allowedBy(view, entry);
    let members: Set<string> | undefined;
    const inScope = (event: ChangeEvent): boolean => {
      if (event.key.resource !== resource) return false;
      if (route.namespace !== undefined && event.key.namespace !== route.namespace) return false;
      members ??= new Set(this.consumers(allowed).map((c) => c.id));
      return members.has(event.key.cluster);
    };
    const watchOptions = { timeoutSeconds, registry: this.deps.watches, owner: identityKey(request.user) };
    streamWatch(request.res, watchOptions, (write, end) => {
      const emit = (event: WatchEvent, cluster: string) =>
        write(encode(event.type, withClusterAnnotation(event.object as KubeObject, cluster)));
      const deliver = (event: ChangeEvent) => {
        if (event.key.resource === API_BINDINGS || event.key.resource === API_EXPORTS) {
          members = undefined;
          if (event.key.resource === API_EXPORTS && event.key.cluster === view.exportCluster.id) {
            const current = this.currentEntry(view, route);
            if (!current) {
              write({ type: 'ERROR', object: noLongerOffered(def, view) });
              end();
              return;
            }
            allowed = this.allowedBy(view, current);
          }
        }
        if (!inScope(event)) return;
        const translated = translate(def, filter, event);
        if (translated)
          emit({ type: translated.type, object: presentAs(def, translated.object) }, event.key.cluster);
      };
      if (rv === '' || rv === '0') {
        for (const object of this.itemsEverywhere(request, route, def, this.consumers(allowed)))
          write(encode('ADDED', object));
      } else {
        const consented = Math.max(0, ...this.consumers(allowed).map((c) => this.consentSince(view, c)));
        const backlog = Number(rv) < consented ? undefined : log.since(Number(rv));
        if (!backlog) {
          const floor = Math.max(consented, log.floor);
          write({ type: 'ERROR', object: expired(`too old resource version: ${rv} (${floor})`).toStatus() });
          return undefined;
        }
        for (const event of backlog) deliver(event);
      }
      return log.subscribe(deliver);
    });
  }
}
