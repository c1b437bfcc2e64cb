import type { Authorizer } from '../../auth/authorize.js';
import { RBAC_GROUP } from '../../auth/rbac/bootstrap.js';
import { describeRule, uncoveredRules } from '../../auth/rbac/covers.js';
import { bindingOf, rulesOf } from '../../auth/rbac/objects.js';
import type { PolicyRule } from '../../auth/rbac/rules.js';
import { forbidden, notFound, type FieldError } from '../../http/errors.js';
import { deepEqual, isPlainObject, nowTimestamp, type KubeObject } from '../object.js';
import type { MessageDescriptor } from '../protobuf/messages.js';
import { clusterRoleMessage, roleBindingMessage, roleMessage } from '../protobuf/messages.js';
import type { HookContext, ResourceDefinition, TableColumn } from '../registry.js';
import { withPublishedSchema } from '../../builtin/published-definitions.js';
import { pathSegmentName } from '../validation/names.js';
import { AGE_COLUMN, ageCell, STANDARD_VERBS } from './common.js';

// rbac.authorization.k8s.io/v1: stored like any other kind, enforced by auth/authorize.ts. Writes
// go through Kubernetes' escalation check: nobody grants, in a role or a binding, what they do not
// hold themselves, unless they may `escalate` (roles) or `bind` (the referenced role).

const VERSION = 'v1';

const CREATED_AT: TableColumn = {
  name: 'Created At',
  type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

const BINDING_COLUMNS: TableColumn[] = [
  { name: 'Role', type: 'string', description: 'RoleRef can reference a Role or a ClusterRole.' },
  AGE_COLUMN,
  { name: 'Users', type: 'string', priority: 1, description: 'Users in the binding' },
  { name: 'Groups', type: 'string', priority: 1, description: 'Groups in the binding' },
  { name: 'ServiceAccounts', type: 'string', priority: 1, description: 'ServiceAccounts in the binding' },
];

function bindingCells(object: KubeObject, now: Date): unknown[] {
  const binding = bindingOf(object);
  const named = (kind: string) =>
    binding.subjects
      .filter((s) => s.kind === kind)
      .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
      .join(', ');
  return [
    `${binding.roleRef.kind}/${binding.roleRef.name}`,
    ageCell(object, now),
    named('User'),
    named('Group'),
    named('ServiceAccount'),
  ];
}

function createdAtCell(object: KubeObject): string {
  return object.metadata.creationTimestamp ?? nowTimestamp();
}

function validateRules(object: KubeObject, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  (rulesOf(object) ?? []).forEach((r, i) => {
    const at = `rules[${i}]`;
    if (r.verbs.length === 0)
      errors.push({
        type: 'Required',
        field: `${at}.verbs`,
        detail: 'verbs must contain at least one value',
      });
    if (r.nonResourceURLs.length > 0) {
      if (namespaced) {
        errors.push({
          type: 'Invalid',
          field: `${at}.nonResourceURLs`,
          value: r.nonResourceURLs,
          detail: 'namespaced rules cannot apply to non-resource URLs',
        });
      }
      if (r.apiGroups.length > 0 || r.resources.length > 0 || r.resourceNames.length > 0) {
        errors.push({
          type: 'Invalid',
          field: `${at}.nonResourceURLs`,
          value: r.nonResourceURLs,
          detail: 'rules cannot apply to both regular resources and non-resource URLs',
        });
      }
      return;
    }
    if (r.apiGroups.length === 0) {
      errors.push({
        type: 'Required',
        field: `${at}.apiGroups`,
        detail: 'resource rules must supply at least one api group',
      });
    }
    if (r.resources.length === 0) {
      errors.push({
        type: 'Required',
        field: `${at}.resources`,
        detail: 'resource rules must supply at least one resource',
      });
    }
  });
  return errors;
}

/** SetDefaults_Subject and SetDefaults_*RoleBinding. */
function defaultBinding(object: KubeObject): void {
  if (isPlainObject(object.roleRef) && !object.roleRef.apiGroup) object.roleRef.apiGroup = RBAC_GROUP;
  if (!Array.isArray(object.subjects)) return;
  for (const subject of object.subjects as unknown[]) {
    if (!isPlainObject(subject) || subject.apiGroup) continue;
    if (subject.kind === 'User' || subject.kind === 'Group') subject.apiGroup = RBAC_GROUP;
  }
}

function validateBinding(object: KubeObject, old: KubeObject | undefined, roleKinds: string[]): FieldError[] {
  const errors: FieldError[] = [];
  const roleRef = isPlainObject(object.roleRef) ? object.roleRef : {};
  if (roleRef.apiGroup !== RBAC_GROUP) {
    errors.push({
      type: 'Unsupported',
      field: 'roleRef.apiGroup',
      value: roleRef.apiGroup ?? '',
      detail: `supported values: "${RBAC_GROUP}"`,
    });
  }
  if (typeof roleRef.kind !== 'string' || !roleKinds.includes(roleRef.kind)) {
    errors.push({
      type: 'Unsupported',
      field: 'roleRef.kind',
      value: roleRef.kind ?? '',
      detail: `supported values: ${roleKinds.map((k) => `"${k}"`).join(', ')}`,
    });
  }
  if (typeof roleRef.name !== 'string' || roleRef.name === '') {
    errors.push({ type: 'Required', field: 'roleRef.name' });
  } else {
    for (const detail of pathSegmentName(roleRef.name))
      errors.push({ type: 'Invalid', field: 'roleRef.name', value: roleRef.name, detail });
  }
  const subjects = Array.isArray(object.subjects) ? (object.subjects as unknown[]) : [];
  subjects.forEach((raw, i) => {
    const at = `subjects[${i}]`;
    const subject = isPlainObject(raw) ? raw : {};
    if (typeof subject.name !== 'string' || subject.name === '')
      errors.push({ type: 'Required', field: `${at}.name` });
    if (subject.kind === 'User' || subject.kind === 'Group') {
      if (subject.apiGroup !== RBAC_GROUP) {
        errors.push({
          type: 'Unsupported',
          field: `${at}.apiGroup`,
          value: subject.apiGroup,
          detail: `supported values: "${RBAC_GROUP}"`,
        });
      }
    } else if (subject.kind === 'ServiceAccount') {
      if (subject.apiGroup) {
        errors.push({
          type: 'Unsupported',
          field: `${at}.apiGroup`,
          value: subject.apiGroup,
          detail: 'supported values: ""',
        });
      }
      if (!subject.namespace && !object.metadata.namespace)
        errors.push({ type: 'Required', field: `${at}.namespace` });
    } else {
      errors.push({
        type: 'Unsupported',
        field: `${at}.kind`,
        value: subject.kind,
        detail: 'supported values: "ServiceAccount", "User", "Group"',
      });
    }
  });
  if (old && !deepEqual(object.roleRef, old.roleRef)) {
    errors.push({
      type: 'Invalid',
      field: 'roleRef',
      value: object.roleRef,
      detail: 'cannot change roleRef',
    });
  }
  return errors;
}

export interface RbacHooksDeps {
  authorizer: Authorizer;
}

function escalationError(
  def: ResourceDefinition,
  object: KubeObject,
  ctx: HookContext,
  missing: PolicyRule[],
) {
  const name = object.metadata.name ?? '';
  const groups = JSON.stringify(ctx.user.groups);
  return forbidden(
    `${def.resource}.${def.group} "${name}" is forbidden: user "${ctx.user.name}" (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${missing.map(describeRule).join('\n')}`,
    { name, group: def.group, kind: def.resource },
  );
}

/**
 * Whether the writer may grant what they do not hold: `escalate` on the role, `bind` on the role a
 * binding references. (`system:masters` may do anything, this included.)
 */
function mayGrantUnheld(
  authorizer: Authorizer,
  ctx: HookContext,
  verb: 'escalate' | 'bind',
  resource: string,
  name: string,
  namespace: string | undefined,
): boolean {
  return authorizer.authorize(ctx.user, ctx.cluster, {
    kind: 'resource',
    verb,
    group: RBAC_GROUP,
    resource,
    name,
    ...(namespace ? { namespace } : {}),
  });
}

/** Roles: what the writer holds (in the role's namespace) must cover every rule, unless they may escalate. */
function checkRoleEscalation(
  deps: RbacHooksDeps,
  def: ResourceDefinition,
  object: KubeObject,
  ctx: HookContext,
): void {
  const { authorizer } = deps;
  const namespace = object.metadata.namespace || undefined;
  if (mayGrantUnheld(authorizer, ctx, 'escalate', def.resource, object.metadata.name ?? '', namespace))
    return;
  const missing = uncoveredRules(
    authorizer.rulesFor(ctx.user, ctx.cluster, namespace),
    rulesOf(object) ?? [],
  );
  if (missing.length > 0) throw escalationError(def, object, ctx, missing);
}

/** Bindings: the writer may `bind` the referenced role, or holds everything it grants. */
function checkBindingEscalation(
  deps: RbacHooksDeps,
  def: ResourceDefinition,
  object: KubeObject,
  ctx: HookContext,
): void {
  const { authorizer } = deps;
  const { roleRef, namespace } = bindingOf(object);
  const roleResource = roleRef.kind === 'Role' ? 'roles' : 'clusterroles';
  if (mayGrantUnheld(authorizer, ctx, 'bind', roleResource, roleRef.name, namespace)) return;
  const local = authorizer.policies(ctx.cluster)[1];
  const rules =
    roleRef.kind === 'Role' ? local?.role(namespace ?? '', roleRef.name) : local?.clusterRole(roleRef.name);
  if (!rules) throw notFound({ group: RBAC_GROUP, resource: roleResource, kind: roleRef.kind }, roleRef.name);
  const missing = uncoveredRules(authorizer.rulesFor(ctx.user, ctx.cluster, namespace), rules);
  if (missing.length > 0) throw escalationError(def, object, ctx, missing);
}

interface KindSpec {
  kind: string;
  resource: string;
  singular: string;
  scope: 'Namespaced' | 'Cluster';
  description: string;
  protobuf: MessageDescriptor;
}

function baseDefinition(
  spec: KindSpec,
  columns: TableColumn[],
  cells: ResourceDefinition['cells'],
): ResourceDefinition {
  return withPublishedSchema({
    group: RBAC_GROUP,
    version: VERSION,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    resource: spec.resource,
    singular: spec.singular,
    shortNames: [],
    categories: [],
    scope: spec.scope,
    verbs: STANDARD_VERBS,
    subresources: [],
    description: spec.description,
    schemaName: `io.k8s.api.rbac.v1.${spec.kind}`,
    validateName: pathSegmentName,
    columns,
    cells,
    protobuf: spec.protobuf,
  });
}

function roleDefinition(deps: RbacHooksDeps, spec: KindSpec): ResourceDefinition {
  const namespaced = spec.scope === 'Namespaced';
  const def = baseDefinition(spec, [CREATED_AT], (object) => [createdAtCell(object)]);
  def.hooks = {
    validate(object, _old, ctx) {
      const errors = validateRules(object, namespaced);
      if (errors.length === 0) checkRoleEscalation(deps, def, object, ctx);
      return errors;
    },
  };
  return def;
}

function bindingDefinition(deps: RbacHooksDeps, spec: KindSpec): ResourceDefinition {
  const roleKinds = spec.scope === 'Namespaced' ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  const def = baseDefinition(spec, BINDING_COLUMNS, bindingCells);
  def.hooks = {
    prepareCreate: defaultBinding,
    prepareUpdate: defaultBinding,
    validate(object, old, ctx) {
      const errors = validateBinding(object, old, roleKinds);
      if (errors.length === 0) checkBindingEscalation(deps, def, object, ctx);
      return errors;
    },
  };
  return def;
}

export function rbacResources(deps: RbacHooksDeps): ResourceDefinition[] {
  return [
    roleDefinition(deps, {
      kind: 'Role',
      resource: 'roles',
      singular: 'role',
      scope: 'Namespaced',
      description:
        'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.',
      protobuf: roleMessage,
    }),
    bindingDefinition(deps, {
      kind: 'RoleBinding',
      resource: 'rolebindings',
      singular: 'rolebinding',
      scope: 'Namespaced',
      description:
        'RoleBinding references a role, but does not contain it. It can reference a Role in the same namespace or a ClusterRole in the global namespace.',
      protobuf: roleBindingMessage,
    }),
    roleDefinition(deps, {
      kind: 'ClusterRole',
      resource: 'clusterroles',
      singular: 'clusterrole',
      scope: 'Cluster',
      description:
        'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.',
      protobuf: clusterRoleMessage,
    }),
    bindingDefinition(deps, {
      kind: 'ClusterRoleBinding',
      resource: 'clusterrolebindings',
      singular: 'clusterrolebinding',
      scope: 'Cluster',
      description:
        'ClusterRoleBinding references a ClusterRole, but not contain it. It can reference a ClusterRole in the global namespace, and adds who information via Subject.',
      protobuf: roleBindingMessage,
    }),
  ];
}
