import { storageApiError } from './storage-errors.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveDiscovery } from '../api/discovery.js';
import { isWatch, resourceVerb, type ResourceHandler } from '../api/handler.js';
import type { OpenApiPublisher } from '../api/openapi.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { ExportView } from '../apis/export-view.js';
import type { ExportCatalog } from '../apis/catalog.js';
import { parseFieldSelector } from '../api/selectors/field-selector.js';
import { PLATFORM_VERSION } from '../api/version.js';
import type { AccessRequest, Authorizer } from '../auth/authorize.js';
import { LOGIN_DISCOVERY_PATH, type LoginDiscoveryDocument } from '../auth/oidc/login-discovery.js';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import { identityKey, type UserInfo } from '../auth/user.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import type { HomeWorkspaces } from '../tenancy/home.js';
import { isValidClusterPath, ROOT_CLUSTER_ID } from '../tenancy/paths.js';
import {
  ApiError,
  internalError,
  notAcceptable,
  pathNotFound,
  requestForbidden,
  unauthorized,
  workspaceAccessDenied,
} from './errors.js';
import { claimAnswer, type AnswerLedger } from './answer-ledger.js';
import { negotiateObjectFormat } from './negotiate.js';
import { parseRequestTarget } from './request-target.js';
import { writeError, writeJson, writeText } from './respond.js';
import { parseApiRoute, type ApiRoute, type ResourceRoute } from './routes.js';
import { parseIncludeObject, renderObject } from '../api/representation.js';

export interface RouterDeps {
  authenticator: RequestAuthenticator;
  /** Served unauthenticated at `/.well-known/kplane-login`; 404 there when the platform takes no JWTs. */
  loginDiscovery?: LoginDiscoveryDocument | undefined;
  clusters: ClusterIndex;
  registry: ResourceRegistry;
  openapi: OpenApiPublisher;
  resources: ResourceHandler;
  authorizer: Authorizer;
  homes: HomeWorkspaces;
  /** `/services/apiexport/...`: the providers' views of their exports. */
  exportView: ExportView;
  /** `/services/catalog/apiexports`: the exports the caller may bind. */
  catalog: ExportCatalog;
  /** `127.0.0.1:PORT`, for APIVersions.serverAddressByClientCIDRs. */
  serverAddress(): string;
  /** Whether a credential bound to one workspace (a service-account token) is good in this logical cluster. */
  credentialValidIn(user: UserInfo, cluster: string): boolean;
  /** Large answers in flight, counted per identity. */
  answers: AnswerLedger;
  log: boolean;
}

const CLUSTERS = 'clusters';
const SERVICES = 'services';
const HOME_NAME = '~';

/**
 * A list or watch narrowed by `fieldSelector=metadata.name=x` is authorized as a request for `x`
 * (as the apiserver does since 1.31), so `resourceNames` rules cover `kubectl get cm x -w`. The
 * handler applies the same selector, so nothing but `x` can come back.
 */
function selectedName(query: URLSearchParams): string | undefined {
  const selector = query.get('fieldSelector');
  if (!selector) return undefined;
  try {
    const names = parseFieldSelector(selector)
      .filter((req) => req.field === 'metadata.name' && req.operator === '=')
      .map((req) => req.value);
    return names[0] || undefined;
  } catch {
    return undefined;
  }
}

/** The request's attributes for RBAC, following the apiserver's RequestInfoFactory. */
export function accessRequest(
  method: string,
  route: ApiRoute,
  query: URLSearchParams,
  path: string,
): AccessRequest {
  if (route.kind !== 'resource') {
    const verb = method === 'GET' || method === 'HEAD' ? 'get' : method.toLowerCase();
    return { kind: 'nonResource', verb, path };
  }
  const verb = resourceVerb(method, route, query);
  const request: AccessRequest = { kind: 'resource', verb, group: route.group, resource: route.resource };
  if (route.subresource !== undefined) request.subresource = route.subresource;
  if (route.namespace !== undefined) request.namespace = route.namespace;
  if (route.name !== undefined) request.name = route.name;
  else if (verb === 'list' || verb === 'watch') {
    const name = selectedName(query);
    if (name !== undefined) request.name = name;
  }
  // A namespace is its own namespace: a RoleBinding in `dev` may grant reading namespace `dev`.
  if (route.group === '' && route.resource === 'namespaces' && route.name !== undefined)
    request.namespace = route.name;
  return request;
}

function isHomeRequest(method: string, route: ApiRoute, query: URLSearchParams): route is ResourceRoute {
  return (
    (method === 'GET' || method === 'HEAD') &&
    route.kind === 'resource' &&
    route.group === 'tenancy.kcp.io' &&
    route.resource === 'workspaces' &&
    route.name === HOME_NAME &&
    route.namespace === undefined &&
    route.subresource === undefined &&
    !isWatch(route, query)
  );
}

function isLoginDiscovery(method: string | undefined, segments: (string | undefined)[]): boolean {
  return (
    (method === 'GET' || method === 'HEAD') &&
    segments.length === LOGIN_DISCOVERY_PATH.length &&
    LOGIN_DISCOVERY_PATH.every((part, i) => segments[i] === part)
  );
}

/**
 * Routes every request: the unauthenticated endpoints, then for `/clusters/<cluster>/...`
 * authentication, cluster resolution, the workspace access check, RBAC and the API itself. Order
 * matters: an anonymous caller learns nothing (401), and a workspace that does not exist answers
 * exactly like one the caller may not enter (403 `workspace access not permitted`), for every
 * spelling of its URL, because both are decided on the normalised path and the resolved cluster.
 * `/services/...` (virtual workspaces, never workspace URLs) authenticate here and decide access
 * themselves.
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
      const mapped = err instanceof ApiError ? err : storageApiError(err);
      const error = mapped ?? internalError(err);
      if (!mapped) process.stderr.write(`kplane platform: ${String((err as Error)?.stack ?? err)}\n`);
      writeError(res, error);
    });
  };

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { segments, query } = parseRequestTarget(req.url ?? '/');
    const decodes = (parts: (string | undefined)[]): parts is string[] => parts.every((p) => p !== undefined);
    if (segments[0] === SERVICES) {
      const user = await this.deps.authenticator.authenticate(req.headers);
      // A service-account token belongs to its workspace; virtual workspaces are not it.
      if (!user || user.boundTo) throw unauthorized();
      claimAnswer(res, this.deps.answers, identityKey(user));
      if (!decodes(segments)) throw pathNotFound();
      if (segments[1] === 'catalog')
        return this.deps.catalog.serve(res, req.method ?? 'GET', segments.slice(1), user);
      return this.deps.exportView.serve({ req, res, query, segments: segments.slice(1), user });
    }
    if (segments[0] !== CLUSTERS) {
      const route = decodes(segments) ? parseApiRoute(segments) : { kind: 'unknown' as const };
      if (route.kind === 'version' || route.kind === 'health') return this.unauthenticated(res, route);
      if (isLoginDiscovery(req.method, segments)) return this.loginDiscovery(res);
      throw pathNotFound();
    }

    const rawCluster = segments[1];
    const rest = segments.slice(2);
    const route: ApiRoute = decodes(rest) ? parseApiRoute(rest) : { kind: 'unknown' };
    if (route.kind === 'version' || route.kind === 'health') return this.unauthenticated(res, route);

    const user = await this.deps.authenticator.authenticate(req.headers);
    if (!user) throw unauthorized();
    claimAnswer(res, this.deps.answers, identityKey(user));
    const cluster =
      rawCluster !== undefined && isValidClusterPath(rawCluster)
        ? this.deps.clusters.resolve(rawCluster)
        : undefined;
    // kcp: a service-account token anywhere but its own workspace, or after its account is gone, is no
    // credential at all (401), before any question of access.
    if (user.boundTo && (!cluster || !this.deps.credentialValidIn(user, cluster.id))) throw unauthorized();
    if (!cluster || rawCluster === undefined) throw workspaceAccessDenied();
    const method = req.method ?? 'GET';
    // kcp serves `~` to every authenticated user, before root's own rules are consulted.
    if (cluster.id === ROOT_CLUSTER_ID && isHomeRequest(method, route, query))
      return this.home(req, res, user);
    if (!this.deps.authorizer.mayEnter(user, cluster)) throw workspaceAccessDenied();
    const access = accessRequest(method, route, query, `/${rest.join('/')}`);
    if (!this.deps.authorizer.authorize(user, cluster, access)) throw requestForbidden(user.name, access);
    if (method !== 'GET' && method !== 'HEAD' && route.kind !== 'resource') throw pathNotFound();
    await this.clusterRoute(req, res, query, route, {
      cluster,
      user,
      prefix: `/${CLUSTERS}/${rawCluster}`,
    });
  }

  private async home(req: IncomingMessage, res: ServerResponse, user: UserInfo): Promise<void> {
    const format = negotiateObjectFormat(req.headers.accept);
    if (!format) throw notAcceptable();
    const workspace = await this.deps.homes.ensure(user);
    const rendered = renderObject(
      this.deps.registry.get('workspaces.tenancy.kcp.io'),
      workspace,
      format,
      parseIncludeObject(null),
    );
    writeJson(res, 200, rendered.body, rendered.contentType);
  }

  private unauthenticated(
    res: ServerResponse,
    route: { kind: 'version' } | { kind: 'health'; check: string },
  ): void {
    if (route.kind === 'version') writeJson(res, 200, PLATFORM_VERSION);
    else writeText(res, 200, 'ok');
  }

  private loginDiscovery(res: ServerResponse): void {
    if (!this.deps.loginDiscovery) throw pathNotFound();
    writeJson(res, 200, this.deps.loginDiscovery);
  }

  private async clusterRoute(
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
    route: ApiRoute,
    ctx: { cluster: ClusterRef; user: UserInfo; prefix: string },
  ): Promise<void> {
    const { registry, openapi } = this.deps;
    if (route.kind !== 'resource') {
      return serveDiscovery(req, res, route, {
        registry,
        openapi,
        cluster: ctx.cluster,
        prefix: ctx.prefix,
        serverAddress: () => this.deps.serverAddress(),
      });
    }
    const def = registry.find(ctx.cluster, route.group, route.version, route.resource);
    if (!def) throw pathNotFound();
    const scope = {
      cluster: ctx.cluster,
      user: ctx.user,
      ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
    };
    return this.deps.resources.handle({ req, res, query, route, def, scope });
  }
}
