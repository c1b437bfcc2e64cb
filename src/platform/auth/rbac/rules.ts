// RBAC rules and how one rule matches one request, following Kubernetes' rbac authorizer
// (plugin/pkg/auth/authorizer/rbac/rbac.go RuleAllows and helpers).

export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

export type ResourceRequest = {
  kind: 'resource';
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
};

export type NonResourceRequest = { kind: 'nonResource'; verb: string; path: string };

/** What is being asked: attributes of a resource request, or a verb on a non-resource path. */
export type AccessRequest = ResourceRequest | NonResourceRequest;

export const ALL = '*';

export function rule(partial: Partial<PolicyRule> & { verbs: string[] }): PolicyRule {
  return { apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...partial };
}

export function verbMatches(r: PolicyRule, verb: string): boolean {
  return r.verbs.includes(ALL) || r.verbs.includes(verb);
}

export function apiGroupMatches(r: PolicyRule, group: string): boolean {
  return r.apiGroups.includes(ALL) || r.apiGroups.includes(group);
}

/** `resource` is `configmaps` or, with a subresource, `workspaces/status`; `*\/status` matches any status. */
export function resourceMatches(r: PolicyRule, combined: string, subresource: string | undefined): boolean {
  for (const ruleResource of r.resources) {
    if (ruleResource === ALL || ruleResource === combined) return true;
    if (!subresource) continue;
    if (ruleResource.length === subresource.length + 2 && ruleResource === `*/${subresource}`) return true;
  }
  return false;
}

/** A rule without resourceNames covers every name; one with them covers only requests naming one. */
export function resourceNameMatches(r: PolicyRule, name: string | undefined): boolean {
  if (r.resourceNames.length === 0) return true;
  return name !== undefined && name !== '' && r.resourceNames.includes(name);
}

/** Exact, `*`, or a prefix ending in `*` (`/apis/*` matches `/apis/x/y`, and `/apis/`). */
export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  return r.nonResourceURLs.some((url) => nonResourceURLCovers(url, path));
}

export function nonResourceURLCovers(owner: string, path: string): boolean {
  if (owner === ALL || owner === path) return true;
  return owner.endsWith(ALL) && path.startsWith(owner.replace(/\*+$/, ''));
}

export function combinedResource(request: Pick<ResourceRequest, 'resource' | 'subresource'>): string {
  return request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
}

export function ruleAllows(r: PolicyRule, request: AccessRequest): boolean {
  if (request.kind === 'nonResource') {
    return verbMatches(r, request.verb) && nonResourceURLMatches(r, request.path);
  }
  return (
    verbMatches(r, request.verb) &&
    apiGroupMatches(r, request.group) &&
    resourceMatches(r, combinedResource(request), request.subresource) &&
    resourceNameMatches(r, request.name)
  );
}
