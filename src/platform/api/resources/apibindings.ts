import { checkBind, type BindAuthorizer } from '../../apis/admission.js';
import { APIS_GROUP, READY, V1ALPHA1, V1ALPHA2 } from '../../apis/constants.js';
import { apiBindingToV1alpha1, apiBindingToV1alpha2 } from '../../apis/conversion.js';
import { bindingsIn, isBound } from '../../apis/lookup.js';
import { bindingPhase, boundResources, exportReference, groupResourceLabel } from '../../apis/types.js';
import { duplicateClaimErrors } from '../../apis/claim-validation.js';
import type { FieldError } from '../../http/errors.js';
import {
  deepEqual,
  findCondition,
  getField,
  isPlainObject,
  jsonObjects,
  type KubeObject,
} from '../object.js';
import type { HookContext, ResourceDefinition } from '../registry.js';
import { dnsSubdomainName } from '../validation/names.js';
import { validateOpenApi } from '../validation/openapi-schema.js';
import { apiBindingV1alpha1Schema, apiBindingV1alpha2Schema } from './apis-schemas.js';
import { AGE_COLUMN, ageCell, STANDARD_VERBS } from './common.js';

// apis.kcp.io APIBinding, stored as v1alpha2 and served as v1alpha1 too. Creating one needs `bind`
// on the export (kcp's admission); the binding controller does the rest. Deleting one unbinds: the
// resources it bound leave the workspace, their objects with them, in the same transaction.

export interface ApiBindingDeps {
  authorizer: BindAuthorizer;
  /** Whether a group-resource (`configmaps`, `roles.rbac.authorization.k8s.io`) is built in. */
  isBuiltin(groupResource: string): boolean;
}

const specSchema = apiBindingV1alpha2Schema.properties!.spec!;

function validateBinding(object: KubeObject, old: KubeObject | undefined): FieldError[] {
  if (!isPlainObject(object.spec)) return [{ type: 'Required', field: 'spec' }];
  const errors = validateOpenApi(specSchema, object.spec, 'spec');
  if (old && !deepEqual(getField(object, 'spec.reference'), getField(old, 'spec.reference'))) {
    errors.push({
      type: 'Invalid',
      field: 'spec.reference',
      value: getField(object, 'spec.reference'),
      detail: 'APIExport reference must not be changed',
    });
  }
  errors.push(...duplicateClaimErrors(jsonObjects(object.spec.permissionClaims)));
  return errors;
}

/** Unbinding: the objects of what this binding bound go with it, unless another binding still serves them. */
function deleteBoundObjects(binding: KubeObject, ctx: HookContext, deps: ApiBindingDeps): void {
  const others = bindingsIn(ctx.tx, ctx.cluster.id).filter(
    (other) => other.metadata.name !== binding.metadata.name && isBound(other),
  );
  for (const bound of boundResources(binding)) {
    const resource = groupResourceLabel(bound);
    // Status is writable; never let what it says reach built-in kinds or another binding's.
    if (deps.isBuiltin(resource)) continue;
    if (others.some((other) => boundResources(other).some((r) => groupResourceLabel(r) === resource)))
      continue;
    for (const entry of ctx.tx.list({ cluster: ctx.cluster.id, resource })) ctx.tx.remove(entry.key);
  }
}

export function apiBindingsV1alpha2(deps: ApiBindingDeps): ResourceDefinition {
  return {
    group: APIS_GROUP,
    version: V1ALPHA2,
    kind: 'APIBinding',
    listKind: 'APIBindingList',
    resource: 'apibindings',
    singular: 'apibinding',
    shortNames: [],
    categories: ['kcp'],
    scope: 'Cluster',
    verbs: STANDARD_VERBS,
    subresources: ['status'],
    description:
      'APIBinding enables a set of resources and their behaviour through an external service provider in this workspace.',
    schemaName: 'io.kcp.apis.v1alpha2.APIBinding',
    schema: apiBindingV1alpha2Schema,
    validateName: dnsSubdomainName,
    columns: [
      AGE_COLUMN,
      { name: 'Ready', type: 'string', description: 'Whether the binding is ready.' },
      { name: 'Export', type: 'string', description: 'The APIExport it binds, <path>:<name>.', priority: 1 },
      { name: 'Phase', type: 'string', description: 'The phase of the binding.', priority: 1 },
    ],
    cells: (object, now) => {
      const { path, name } = exportReference(object);
      const ready = findCondition(object, READY)?.status ?? '';
      return [ageCell(object, now), ready, path ? `${path}:${name}` : name, bindingPhase(object)];
    },
    hooks: {
      validate(object, old, ctx) {
        const errors = validateBinding(object, old);
        if (!old && errors.length === 0)
          checkBind(
            deps.authorizer,
            (path) => ctx.clusters.resolve(path),
            ctx.user,
            exportReference(object),
            ctx.cluster,
          );
        return errors;
      },
      beforeDelete: (object, ctx) => deleteBoundObjects(object, ctx, deps),
    },
  };
}

export function apiBindingsV1alpha1(deps: ApiBindingDeps): ResourceDefinition {
  return {
    ...apiBindingsV1alpha2(deps),
    version: V1ALPHA1,
    schemaName: 'io.kcp.apis.v1alpha1.APIBinding',
    schema: apiBindingV1alpha1Schema,
    conversion: {
      storageVersion: V1ALPHA2,
      toStorage: apiBindingToV1alpha2,
      fromStorage: apiBindingToV1alpha1,
    },
  };
}
