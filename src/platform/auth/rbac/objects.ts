import type { KubeObject } from '../../api/object.js';
import { ownValue } from '../../api/own-keys.js';
import type { CollectionScope, ObjectKey } from '../../storage/object-key.js';
import { RBAC_GROUP } from './bootstrap.js';
import type { Binding, Policy, Subject } from './policy.js';
import type { PolicyRule } from './rules.js';

// Stored RBAC objects as the evaluator sees them, and the objects the platform writes itself.

export const ROLES = `roles.${RBAC_GROUP}`;
export const ROLE_BINDINGS = `rolebindings.${RBAC_GROUP}`;
export const CLUSTER_ROLES = `clusterroles.${RBAC_GROUP}`;
export const CLUSTER_ROLE_BINDINGS = `clusterrolebindings.${RBAC_GROUP}`;

/** What a policy needs from storage: the ObjectStore, or an open transaction. */
export interface ObjectReader {
  get(key: ObjectKey): KubeObject | undefined;
  list(scope: CollectionScope): { object: KubeObject }[];
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

export function rulesOf(object: KubeObject | undefined): PolicyRule[] | undefined {
  if (!object) return undefined;
  const rules = Array.isArray(object.rules) ? (object.rules as unknown[]) : [];
  return rules
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
    .map((r) => ({
      verbs: strings(r.verbs),
      apiGroups: strings(r.apiGroups),
      resources: strings(r.resources),
      resourceNames: strings(r.resourceNames),
      nonResourceURLs: strings(r.nonResourceURLs),
    }));
}

export function bindingOf(object: KubeObject): Binding {
  const roleRef = (object.roleRef ?? {}) as Record<string, unknown>;
  const subjects = (Array.isArray(object.subjects) ? (object.subjects as unknown[]) : [])
    .filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null)
    .map((s) => {
      const subject: Subject = { kind: str(s.kind), name: str(s.name) };
      if (typeof s.namespace === 'string' && s.namespace) subject.namespace = s.namespace;
      return subject;
    });
  const binding: Binding = {
    name: object.metadata.name ?? '',
    subjects,
    roleRef: { kind: str(roleRef.kind), name: str(roleRef.name) },
  };
  if (object.metadata.namespace) binding.namespace = object.metadata.namespace;
  return binding;
}

/**
 * The policy of one logical cluster, read from storage on demand and remembered for the life of
 * this object (one request), so nothing stale outlives a request. `fallback` supplies the built-in
 * ClusterRoles a workspace may reference without holding a copy.
 */
export function storedPolicy(
  reader: ObjectReader,
  cluster: string,
  fallback: Readonly<Record<string, PolicyRule[]>>,
): Policy {
  const key = (resource: string, namespace: string, name: string): ObjectKey => ({
    cluster,
    resource,
    namespace,
    name,
  });
  const clusterRoles = new Map<string, PolicyRule[] | undefined>();
  let clusterRoleBindings: Binding[] | undefined;
  const roleBindings = new Map<string, Binding[]>();
  return {
    clusterRoleBindings: () =>
      (clusterRoleBindings ??= reader
        .list({ cluster, resource: CLUSTER_ROLE_BINDINGS, namespace: '' })
        .map((entry) => bindingOf(entry.object))),
    roleBindings: (namespace) => {
      let bindings = roleBindings.get(namespace);
      if (!bindings) {
        bindings = reader
          .list({ cluster, resource: ROLE_BINDINGS, namespace })
          .map((entry) => bindingOf(entry.object));
        roleBindings.set(namespace, bindings);
      }
      return bindings;
    },
    clusterRole: (name) => {
      if (!clusterRoles.has(name)) {
        clusterRoles.set(name, rulesOf(reader.get(key(CLUSTER_ROLES, '', name))) ?? ownValue(fallback, name));
      }
      return clusterRoles.get(name);
    },
    role: (namespace, name) => rulesOf(reader.get(key(ROLES, namespace, name))),
  };
}

/** A fixed policy: the built-in bindings over the built-in roles. */
export function fixedPolicy(
  bindings: readonly Binding[],
  clusterRoles: Readonly<Record<string, PolicyRule[]>>,
): Policy {
  return {
    clusterRoleBindings: () => [...bindings],
    roleBindings: () => [],
    clusterRole: (name) => ownValue(clusterRoles, name),
    role: () => undefined,
  };
}

function ruleObject(r: PolicyRule): Record<string, string[]> {
  const out: Record<string, string[]> = { verbs: r.verbs };
  if (r.apiGroups.length > 0) out.apiGroups = r.apiGroups;
  if (r.resources.length > 0) out.resources = r.resources;
  if (r.resourceNames.length > 0) out.resourceNames = r.resourceNames;
  if (r.nonResourceURLs.length > 0) out.nonResourceURLs = r.nonResourceURLs;
  return out;
}

export function clusterRoleObject(
  name: string,
  rules: PolicyRule[],
  labels: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: Object.keys(labels).length > 0 ? { name, labels } : { name },
    rules: rules.map(ruleObject),
  };
}

export function clusterRoleBindingObject(
  name: string,
  roleName: string,
  subjects: Subject[],
  labels: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: Object.keys(labels).length > 0 ? { name, labels } : { name },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName },
    subjects: subjects.map((s) => ({
      kind: s.kind,
      ...(s.kind === 'ServiceAccount' ? {} : { apiGroup: RBAC_GROUP }),
      name: s.name,
      ...(s.namespace ? { namespace: s.namespace } : {}),
    })),
  };
}
