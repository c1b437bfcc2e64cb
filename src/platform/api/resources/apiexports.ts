import { createHash } from 'node:crypto';
import {
  APIS_GROUP,
  IDENTITY_VALID,
  V1ALPHA1,
  V1ALPHA2,
  VIRTUAL_WORKSPACE_URLS_READY,
} from '../../apis/constants.js';
import { apiExportToV1alpha1, apiExportToV1alpha2 } from '../../apis/conversion.js';
import { parseSchemaName } from '../../apis/types.js';
import { duplicateClaimErrors } from '../../apis/claim-validation.js';
import type { FieldError } from '../../http/errors.js';
import { isPlainObject, jsonObjects, nowTimestamp, type KubeObject } from '../object.js';
import type { ResourceDefinition } from '../registry.js';
import { dnsSubdomainName } from '../validation/names.js';
import { validateOpenApi } from '../validation/openapi-schema.js';
import { apiExportV1alpha1Schema, apiExportV1alpha2Schema } from './apis-schemas.js';
import { AGE_COLUMN, ageCell, STANDARD_VERBS } from './common.js';

// apis.kcp.io APIExport, stored as v1alpha2 and served as v1alpha1 too: the resources a provider
// offers (by APIResourceSchema name) and the permission claims it asks consumers to accept.

const specSchema = apiExportV1alpha2Schema.properties!.spec!;

/** kcp defaults storage to crd. */
function defaultStorage(object: KubeObject): void {
  const spec = isPlainObject(object.spec) ? object.spec : undefined;
  for (const resource of jsonObjects(spec?.resources)) {
    if (!isPlainObject(resource.storage) || Object.keys(resource.storage).length === 0)
      resource.storage = { crd: {} };
  }
}

function validateExport(object: KubeObject): FieldError[] {
  const spec = isPlainObject(object.spec) ? object.spec : {};
  const errors = validateOpenApi(specSchema, spec, 'spec');
  const resources = jsonObjects(spec.resources);
  resources.forEach((resource, i) => {
    const field = `spec.resources[${i}]`;
    const parsed = typeof resource.schema === 'string' ? parseSchemaName(resource.schema) : undefined;
    if (
      typeof resource.schema === 'string' &&
      (parsed?.plural !== resource.name || parsed?.group !== (resource.group ?? ''))
    ) {
      errors.push({
        type: 'Invalid',
        field: `${field}.schema`,
        value: resource.schema,
        detail: `must be <prefix>.${String(resource.name)}.${String(resource.group ?? '')}`,
      });
    }
    const storage = isPlainObject(resource.storage) ? Object.keys(resource.storage) : [];
    if (storage.length !== 1 || !['crd', 'virtual'].includes(storage[0]!)) {
      errors.push({
        type: 'Invalid',
        field: `${field}.storage`,
        value: resource.storage,
        detail: 'exactly one of crd or virtual must be set',
      });
    }
    if (resources.findIndex((r) => r.name === resource.name && r.group === resource.group) !== i)
      errors.push({
        type: 'Duplicate',
        field,
        value: `${String(resource.name)}.${String(resource.group ?? '')}`,
      });
  });
  const claims = jsonObjects(spec.permissionClaims);
  errors.push(...duplicateClaimErrors(claims));
  return errors;
}

const condition = (type: string) => ({ type, status: 'True', lastTransitionTime: nowTimestamp() });

export const apiExportsV1alpha2: ResourceDefinition = {
  group: APIS_GROUP,
  version: V1ALPHA2,
  kind: 'APIExport',
  listKind: 'APIExportList',
  resource: 'apiexports',
  singular: 'apiexport',
  shortNames: [],
  categories: ['kcp'],
  scope: 'Cluster',
  verbs: STANDARD_VERBS,
  subresources: ['status'],
  description:
    'APIExport registers an API and implementation to allow consumption by others through APIBindings.',
  schemaName: 'io.kcp.apis.v1alpha2.APIExport',
  schema: apiExportV1alpha2Schema,
  validateName: dnsSubdomainName,
  columns: [AGE_COLUMN],
  cells: (object, now) => [ageCell(object, now)],
  hooks: {
    prepareCreate(object, ctx) {
      defaultStorage(object);
      // kcp derives the identity from a secret; here it is derived from where the export lives.
      const identityHash = createHash('sha256')
        .update(`${ctx.cluster.id}:${object.metadata.name ?? ''}`)
        .digest('hex');
      object.status = {
        identityHash,
        conditions: [condition(IDENTITY_VALID), condition(VIRTUAL_WORKSPACE_URLS_READY)],
      };
    },
    prepareUpdate: (object) => defaultStorage(object),
    validate: (object) => validateExport(object),
  },
};

export const apiExportsV1alpha1: ResourceDefinition = {
  ...apiExportsV1alpha2,
  version: V1ALPHA1,
  schemaName: 'io.kcp.apis.v1alpha1.APIExport',
  schema: apiExportV1alpha1Schema,
  conversion: { storageVersion: V1ALPHA2, toStorage: apiExportToV1alpha2, fromStorage: apiExportToV1alpha1 },
};
