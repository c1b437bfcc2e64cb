import { isPlainObject, type KubeObject } from '../api/object.js';
import type { HookContext, ResourceDefinition } from '../api/registry.js';
import { STANDARD_VERBS } from '../api/resources/common.js';
import { dnsSubdomainName } from '../api/validation/names.js';
import { boundDefinitionsOf } from '../apis/bound-resources.js';
import { bindingsIn } from '../apis/lookup.js';
import { APIEXTENSIONS_GROUP, CRD_RESOURCE, CRD_SCHEMA_NAME, CRDS } from './constants.js';
import { crdNameConflict } from './crd-names.js';
import { defaultedNames, setCrdStatus, type NameConflict } from './crd-status.js';
import { validateCrd } from './crd-validation.js';
import { withPublishedSchema } from '../builtin/published-definitions.js';

// apiextensions.k8s.io/v1 CustomResourceDefinition, one set per workspace: validated as
// kube-apiserver validates it, given its status on every write (names accepted unless they collide
// with a built-in kind, an API bound into the workspace or names another CRD of the group holds),
// and served with Kubernetes' published definition for explain. Deleting one deletes its objects first, as the apiserver's finalizer does.

export interface CrdDeps {
  /** Whether a group-resource (`placements.cluster.open-cluster-management.io`) is built in. */
  isBuiltin(groupResource: string): boolean;
}

const groupResourceOf = (spec: Record<string, unknown>) => {
  const names = isPlainObject(spec.names) ? spec.names : {};
  return `${String(names.plural ?? '')}.${String(spec.group ?? '')}`;
};

/** Why the CRD's group and resource cannot be served in this workspace, if they cannot. */
function nameConflict(
  spec: Record<string, unknown>,
  ctx: HookContext,
  deps: CrdDeps,
): NameConflict | undefined {
  const groupResource = groupResourceOf(spec);
  if (deps.isBuiltin(groupResource))
    return {
      reason: 'BuiltInResourceConflict',
      message: `"${groupResource}" is built into every workspace; a CustomResourceDefinition cannot replace it`,
    };
  const resolve = (ref: string) => ctx.clusters.resolve(ref);
  for (const binding of bindingsIn(ctx.tx, ctx.cluster.id)) {
    const bound = boundDefinitionsOf(ctx.tx, resolve, binding, ctx.cluster);
    if (bound.some((def) => `${def.resource}.${def.group}` === groupResource))
      return {
        reason: 'BoundResourceConflict',
        message: `"${groupResource}" is bound into this workspace by APIBinding "${binding.metadata.name ?? ''}"`,
      };
  }
  return undefined;
}

/** The apiserver's defaults for a CRD spec: singular, listKind, conversion strategy None. */
function defaultSpec(crd: KubeObject): void {
  const spec = crd.spec;
  if (!isPlainObject(spec)) return;
  if (isPlainObject(spec.names)) spec.names = defaultedNames(spec.names);
  spec.conversion ??= { strategy: 'None' };
}

function prepare(crd: KubeObject, old: KubeObject | undefined, ctx: HookContext, deps: CrdDeps): void {
  defaultSpec(crd);
  // An invalid CRD is refused by validate; its status does not matter.
  if (!isPlainObject(crd.spec) || validateCrd(crd, old).length > 0) return;
  const others = ctx.tx
    .list({ cluster: ctx.cluster.id, resource: CRDS })
    .map((entry) => entry.object)
    .filter((other) => other.metadata.name !== crd.metadata.name);
  const names = isPlainObject(crd.spec.names) ? crd.spec.names : {};
  setCrdStatus(
    crd,
    old,
    nameConflict(crd.spec, ctx, deps) ?? crdNameConflict(String(crd.spec.group), names, old, others),
  );
}

/** Removes every object of the CRD's kind from the workspace, unless the kind belongs to someone else. */
function deleteObjects(crd: KubeObject, ctx: HookContext, deps: CrdDeps): void {
  if (!isPlainObject(crd.spec) || nameConflict(crd.spec, ctx, deps)) return;
  const resource = groupResourceOf(crd.spec);
  for (const entry of ctx.tx.list({ cluster: ctx.cluster.id, resource })) ctx.tx.remove(entry.key);
}

export function customResourceDefinitions(deps: CrdDeps): ResourceDefinition {
  // Kubernetes' published definition (schema and OpenAPI components), read the first time a request needs it.
  return withPublishedSchema({
    group: APIEXTENSIONS_GROUP,
    version: 'v1',
    kind: 'CustomResourceDefinition',
    listKind: 'CustomResourceDefinitionList',
    resource: CRD_RESOURCE,
    singular: 'customresourcedefinition',
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    scope: 'Cluster',
    verbs: STANDARD_VERBS,
    subresources: ['status'],
    description:
      'CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.',
    schemaName: CRD_SCHEMA_NAME,
    validateName: dnsSubdomainName,
    columns: [{ name: 'Created At', type: 'date', description: 'When the CRD was created.' }],
    cells: (object) => [object.metadata.creationTimestamp ?? ''],
    hooks: {
      prepareCreate: (crd, ctx) => prepare(crd, undefined, ctx, deps),
      prepareUpdate: (crd, old, ctx) => prepare(crd, old, ctx, deps),
      validate: (crd, old) => validateCrd(crd, old),
      beforeDelete: (crd, ctx) => deleteObjects(crd, ctx, deps),
    },
  });
}
