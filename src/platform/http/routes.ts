// Turns the path after `/clusters/<cluster>` into what is being asked for, following the
// apiserver's RequestInfoFactory (including its `namespaces/<name>/status` special case).

export interface ResourceRoute {
  kind: 'resource';
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The legacy `/watch/` path prefix. */
  watchPrefix: boolean;
}

export type ApiRoute =
  | { kind: 'version' }
  | { kind: 'health'; check: string }
  | { kind: 'coreVersions' }
  | { kind: 'groups' }
  | { kind: 'group'; group: string }
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'openapiV3Index' }
  | { kind: 'openapiV3'; group: string; version: string }
  | { kind: 'openapiV2' }
  | ResourceRoute
  | { kind: 'unknown' };

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const HEALTH = new Set(['healthz', 'readyz', 'livez']);

/** Splits a URL path into percent-decoded segments; undefined when a segment does not decode. */
export function splitPath(path: string): string[] | undefined {
  try {
    return path
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

function resourceRoute(group: string, version: string, rest: string[]): ApiRoute {
  let parts = rest;
  let watchPrefix = false;
  if (parts[0] === 'watch') {
    watchPrefix = true;
    parts = parts.slice(1);
  }
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] ?? '')) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  if (parts.length === 0 || parts.length > 3) return { kind: 'unknown' };
  const [resource = '', name, subresource] = parts;
  const route: ResourceRoute = { kind: 'resource', group, version, resource, watchPrefix };
  if (namespace !== undefined) route.namespace = namespace;
  if (name !== undefined) route.name = name;
  if (subresource !== undefined) route.subresource = subresource;
  return route;
}

export function parseApiRoute(segments: string[]): ApiRoute {
  const [first, second, third, fourth] = segments;
  if (segments.length === 1 && first === 'version') return { kind: 'version' };
  if (segments.length >= 1 && first && HEALTH.has(first)) return { kind: 'health', check: first };
  if (first === 'api') {
    if (segments.length === 1) return { kind: 'coreVersions' };
    if (segments.length === 2 && second) return { kind: 'groupVersion', group: '', version: second };
    return second ? resourceRoute('', second, segments.slice(2)) : { kind: 'unknown' };
  }
  if (first === 'apis') {
    if (segments.length === 1) return { kind: 'groups' };
    if (segments.length === 2 && second) return { kind: 'group', group: second };
    if (segments.length === 3 && second && third)
      return { kind: 'groupVersion', group: second, version: third };
    return second && third ? resourceRoute(second, third, segments.slice(3)) : { kind: 'unknown' };
  }
  if (first === 'openapi') {
    if (second === 'v2' && segments.length === 2) return { kind: 'openapiV2' };
    if (second !== 'v3') return { kind: 'unknown' };
    if (segments.length === 2) return { kind: 'openapiV3Index' };
    if (segments.length === 4 && third === 'api' && fourth)
      return { kind: 'openapiV3', group: '', version: fourth };
    if (segments.length === 5 && third === 'apis' && fourth && segments[4]) {
      return { kind: 'openapiV3', group: fourth, version: segments[4] };
    }
  }
  return { kind: 'unknown' };
}
