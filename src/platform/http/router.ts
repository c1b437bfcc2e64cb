import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  aggregatedDiscovery,
  AGGREGATED_CONTENT_TYPE,
  coreVersions,
  groupDocument,
  groupList,
  resourceList,
} from '../api/discovery.js';
import { resourceVerb, type ResourceHandler } from '../api/handler.js';
import type { OpenApiPublisher } from '../api/openapi.js';
import type { ResourceRegistry } from '../api/registry.js';
import { PLATFORM_VERSION } from '../api/version.js';
import { authenticate } from '../auth/authenticate.js';
import { authorize, type AccessRequest } from '../auth/authorize.js';
import type { UserInfo } from '../auth/user.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import type { TokenStore } from '../storage/token-store.js';
import { parseClusterSegment } from '../tenancy/paths.js';
import {
  ApiError,
  forbidden,
  internalError,
  pathNotFound,
  qualifiedResource,
  unauthorized,
  workspaceAccessDenied,
} from './errors.js';
import { negotiateDiscovery } from './negotiate.js';
import { writeError, writeJson, writeText } from './respond.js';
import { parseApiRoute, splitPath, type ApiRoute } from './routes.js';

export interface RouterDeps {
  tokens: TokenStore;
  clusters: ClusterIndex;
  registry: ResourceRegistry;
  openapi: OpenApiPublisher;
  resources: ResourceHandler;
  /** `127.0.0.1:PORT`, for APIVersions.serverAddressByClientCIDRs. */
  serverAddress(): string;
  log: boolean;
}

const CLUSTERS_PREFIX = '/clusters/';

function accessRequest(method: string, route: ApiRoute, query: URLSearchParams, path: string): AccessRequest {
  if (route.kind !== 'resource')
    return { kind: 'nonResource', verb: method === 'GET' ? 'get' : method.toLowerCase(), path };
  const request: AccessRequest = {
    kind: 'resource',
    verb: resourceVerb(method, route, query),
    group: route.group,
    resource: route.resource,
  };
  if (route.subresource !== undefined) request.subresource = route.subresource;
  if (route.namespace !== undefined) request.namespace = route.namespace;
  if (route.name !== undefined) request.name = route.name;
  return request;
}

/** The apiserver's RBAC wording, so a denial reads the same as on a real cluster. */
function deniedMessage(user: UserInfo, access: AccessRequest): string {
  if (access.kind === 'nonResource') {
    return `forbidden: User "${user.name}" cannot ${access.verb} path "${access.path}"`;
  }
  const what = qualifiedResource(access);
  const subject = access.name ? `${what} "${access.name}"` : what;
  const where = access.namespace ? ` in the namespace "${access.namespace}"` : '';
  const resource = access.subresource ? `${access.resource}/${access.subresource}` : access.resource;
  return `${subject} is forbidden: User "${user.name}" cannot ${access.verb} resource "${resource}" in API group "${access.group}"${where}`;
}

/**
 * Routes every request: the unauthenticated endpoints, then for `/clusters/<cluster>/...`
 * authentication, cluster resolution, authorization and the API itself. Order matters: an
 * anonymous caller learns nothing (401) and an unknown cluster looks like a forbidden one (403).
 */
export class Router {
  constructor(private readonly deps: RouterDeps) {}

  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    if (this.deps.log) {
      res.on('finish', () =>
        process.stderr.write(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms\n`),
      );
    }
    this.route(req, res).catch((err: unknown) => {
      const error = err instanceof ApiError ? err : internalError(err);
      if (!(err instanceof ApiError))
        process.stderr.write(`kplane platform: ${String((err as Error)?.stack ?? err)}\n`);
      writeError(res, error);
    });
  };

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (!path.startsWith(CLUSTERS_PREFIX)) {
      const segments = splitPath(path);
      const route = segments ? parseApiRoute(segments) : { kind: 'unknown' as const };
      if (route.kind === 'version' || route.kind === 'health') return this.unauthenticated(res, route);
      throw pathNotFound();
    }

    const rest = path.slice(CLUSTERS_PREFIX.length);
    const slash = rest.indexOf('/');
    const rawCluster = slash < 0 ? rest : rest.slice(0, slash);
    const segments = splitPath(slash < 0 ? '' : rest.slice(slash));
    const route: ApiRoute = segments ? parseApiRoute(segments) : { kind: 'unknown' };
    if (route.kind === 'version' || route.kind === 'health') return this.unauthenticated(res, route);

    const user = authenticate(req.headers, this.deps.tokens);
    if (!user) throw unauthorized();
    const clusterName = parseClusterSegment(rawCluster);
    const cluster = clusterName ? this.deps.clusters.resolve(clusterName) : undefined;
    if (!cluster || !clusterName) throw workspaceAccessDenied();
    const method = req.method ?? 'GET';
    const access = accessRequest(method, route, url.searchParams, slash < 0 ? '/' : rest.slice(slash));
    const decision = authorize(user, cluster, access);
    if (!decision.allowed) throw forbidden(deniedMessage(user, access));
    if (method !== 'GET' && method !== 'HEAD' && route.kind !== 'resource') throw pathNotFound();
    await this.clusterRoute(req, res, url, route, {
      cluster,
      user,
      prefix: `${CLUSTERS_PREFIX}${clusterName}`,
    });
  }

  private unauthenticated(
    res: ServerResponse,
    route: { kind: 'version' } | { kind: 'health'; check: string },
  ): void {
    if (route.kind === 'version') writeJson(res, 200, PLATFORM_VERSION);
    else writeText(res, 200, 'ok');
  }

  private async clusterRoute(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ApiRoute,
    ctx: { cluster: ClusterRef; user: UserInfo; prefix: string },
  ): Promise<void> {
    const { registry, openapi } = this.deps;
    const discovery = negotiateDiscovery(req.headers.accept);
    switch (route.kind) {
      case 'coreVersions':
        if (discovery) {
          return writeJson(
            res,
            200,
            aggregatedDiscovery(registry, ctx.cluster, true, discovery),
            AGGREGATED_CONTENT_TYPE(discovery),
          );
        }
        return writeJson(res, 200, coreVersions(this.deps.serverAddress()));
      case 'groups':
        if (discovery) {
          return writeJson(
            res,
            200,
            aggregatedDiscovery(registry, ctx.cluster, false, discovery),
            AGGREGATED_CONTENT_TYPE(discovery),
          );
        }
        return writeJson(res, 200, groupList(registry, ctx.cluster));
      case 'group':
        return writeFound(res, groupDocument(registry, ctx.cluster, route.group));
      case 'groupVersion':
        return writeFound(res, resourceList(registry, ctx.cluster, route.group, route.version));
      case 'openapiV3Index':
        return writeJson(res, 200, openapi.index(ctx.cluster, ctx.prefix));
      case 'openapiV3':
        return writeFound(res, openapi.document(ctx.cluster, route.group, route.version)?.body);
      case 'resource': {
        const def = registry.find(ctx.cluster, route.group, route.version, route.resource);
        if (!def) throw pathNotFound();
        const scope = {
          cluster: ctx.cluster,
          user: ctx.user,
          ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
        };
        return this.deps.resources.handle({ req, res, query: url.searchParams, route, def, scope });
      }
      default:
        // openapi/v2 included: kubectl falls back to v3, which is served.
        throw pathNotFound();
    }
  }
}

function writeFound(res: ServerResponse, body: unknown): void {
  if (body === undefined) throw pathNotFound();
  writeJson(res, 200, body);
}
