import { ruleAllows, type AccessRequest, type PolicyRule } from './rules.js';

// Which rules apply to a user in a workspace: ClusterRoleBindings everywhere in it, RoleBindings
// only for resource requests in their own namespace (Kubernetes' DefaultRuleResolver).

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  kind: string;
  name: string;
}

export interface Binding {
  name: string;
  /** Set for RoleBindings. */
  namespace?: string;
  subjects: Subject[];
  roleRef: RoleRef;
}

export interface Identity {
  name: string;
  groups: string[];
}

/** The RBAC objects of one workspace, looked up as needed. */
export interface Policy {
  clusterRoleBindings(): Binding[];
  roleBindings(namespace: string): Binding[];
  /** undefined when there is no such ClusterRole. */
  clusterRole(name: string): PolicyRule[] | undefined;
  role(namespace: string, name: string): PolicyRule[] | undefined;
}

export function subjectMatches(
  subject: Subject,
  user: Identity,
  bindingNamespace: string | undefined,
): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace || '';
      return namespace !== '' && user.name === `system:serviceaccount:${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

export function bindingApplies(binding: Binding, user: Identity): boolean {
  return binding.subjects.some((subject) => subjectMatches(subject, user, binding.namespace));
}

/** The rules a binding grants; a RoleBinding may point at a Role in its namespace or a ClusterRole. */
export function bindingRules(policy: Policy, binding: Binding): PolicyRule[] {
  if (binding.roleRef.kind === 'ClusterRole') return policy.clusterRole(binding.roleRef.name) ?? [];
  if (binding.roleRef.kind === 'Role' && binding.namespace !== undefined)
    return policy.role(binding.namespace, binding.roleRef.name) ?? [];
  return [];
}

/**
 * Every rule that applies to `user` for requests in `namespace` (undefined: cluster-wide requests
 * and non-resource paths, where only ClusterRoleBindings count).
 */
export function rulesFor(policy: Policy, user: Identity, namespace: string | undefined): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const binding of policy.clusterRoleBindings()) {
    if (binding.roleRef.kind === 'ClusterRole' && bindingApplies(binding, user))
      rules.push(...bindingRules(policy, binding));
  }
  if (namespace) {
    for (const binding of policy.roleBindings(namespace)) {
      if (bindingApplies(binding, user)) rules.push(...resourceRulesOnly(bindingRules(policy, binding)));
    }
  }
  return rules;
}

// A RoleBinding to a ClusterRole grants its resource rules in the namespace; non-resource URLs are
// not namespaced, so only a ClusterRoleBinding can grant them.
function resourceRulesOnly(rules: PolicyRule[]): PolicyRule[] {
  return rules.filter((r) => r.nonResourceURLs.length === 0);
}

export function allows(policy: Policy, user: Identity, request: AccessRequest): boolean {
  const namespace = request.kind === 'resource' ? request.namespace : undefined;
  // Bindings are checked one by one so the common case stops at the first match.
  for (const binding of policy.clusterRoleBindings()) {
    if (binding.roleRef.kind !== 'ClusterRole' || !bindingApplies(binding, user)) continue;
    if (bindingRules(policy, binding).some((r) => ruleAllows(r, request))) return true;
  }
  if (request.kind !== 'resource' || !namespace) return false;
  for (const binding of policy.roleBindings(namespace)) {
    if (!bindingApplies(binding, user)) continue;
    if (resourceRulesOnly(bindingRules(policy, binding)).some((r) => ruleAllows(r, request))) return true;
  }
  return false;
}
