import { APIS_GROUP, V1ALPHA1 } from '../../apis/constants.js';
import { exportsIn } from '../../apis/lookup.js';
import { exportResources, versionSchema, type SchemaVersion } from '../../apis/types.js';
import { conflict, type FieldError } from '../../http/errors.js';
import { deepEqual, getField, isPlainObject, type KubeObject } from '../object.js';
import type { ResourceDefinition } from '../registry.js';
import { dnsSubdomainName } from '../validation/names.js';
import { validateOpenApi } from '../validation/openapi-schema.js';
import { patternErrors } from '../validation/schema-pattern.js';
import { ruleCostErrors } from '../../apiextensions/cel-cost.js';
import { apiResourceSchemaSchema } from './apis-schemas.js';
import { AGE_COLUMN, ageCell, STANDARD_VERBS } from './common.js';

// apis.kcp.io/v1alpha1 APIResourceSchema: a CRD-like snapshot of one resource, named
// `<prefix>.<plural>.<group>`, immutable once made, kept while an APIExport of its workspace uses it.

const specSchema = apiResourceSchemaSchema.properties!.spec!;

function validateSchema(object: KubeObject, old: KubeObject | undefined): FieldError[] {
  if (old) {
    return deepEqual(object.spec, old.spec)
      ? []
      : [{ type: 'Invalid', field: 'spec', value: object.spec, detail: 'Spec is immutable' }];
  }
  if (!isPlainObject(object.spec)) return [{ type: 'Required', field: 'spec' }];
  const errors = validateOpenApi(specSchema, object.spec, 'spec');
  if (errors.length > 0) return errors;
  const versions = (getField(object, 'spec.versions') as Record<string, unknown>[]) ?? [];
  if (versions.filter((v) => v.storage === true).length !== 1) {
    errors.push({
      type: 'Invalid',
      field: 'spec.versions',
      value: versions.map((v) => v.name),
      detail: 'must have exactly one version marked as storage version',
    });
  }
  versions.forEach((version, i) => {
    if (versions.findIndex((v) => v.name === version.name) !== i)
      errors.push({ type: 'Duplicate', field: `spec.versions[${i}].name`, value: version.name });
    const schema = versionSchema(version as unknown as SchemaVersion);
    if (schema)
      errors.push(
        ...patternErrors(schema, `spec.versions[${i}].schema`),
        ...ruleCostErrors(schema, `spec.versions[${i}].schema`),
      );
  });
  const suffix = `.${String(getField(object, 'spec.names.plural'))}.${String(getField(object, 'spec.group'))}`;
  const name = object.metadata.name ?? '';
  const prefix = name.endsWith(suffix) ? name.slice(0, -suffix.length) : '';
  if (!prefix || prefix.includes('.')) {
    errors.push({
      type: 'Invalid',
      field: 'metadata.name',
      value: name,
      detail: `must be <prefix>${suffix}, i.e. <prefix>.<spec.names.plural>.<spec.group>`,
    });
  }
  return errors;
}

export const apiResourceSchemas: ResourceDefinition = {
  group: APIS_GROUP,
  version: V1ALPHA1,
  kind: 'APIResourceSchema',
  listKind: 'APIResourceSchemaList',
  resource: 'apiresourceschemas',
  singular: 'apiresourceschema',
  shortNames: [],
  categories: ['kcp'],
  scope: 'Cluster',
  verbs: STANDARD_VERBS,
  subresources: [],
  description: 'APIResourceSchema describes a resource, identified by (group, version, resource, schema).',
  schemaName: 'io.kcp.apis.v1alpha1.APIResourceSchema',
  schema: apiResourceSchemaSchema,
  validateName: dnsSubdomainName,
  columns: [AGE_COLUMN],
  cells: (object, now) => [ageCell(object, now)],
  hooks: {
    validate: (object, old) => validateSchema(object, old),
    beforeDelete(object, ctx) {
      const name = object.metadata.name ?? '';
      const users = exportsIn(ctx.tx, ctx.cluster.id)
        .filter((apiExport) => exportResources(apiExport).some((r) => r.schema === name))
        .map((apiExport) => `"${apiExport.metadata.name ?? ''}"`);
      if (users.length > 0) {
        throw conflict(
          { group: APIS_GROUP, resource: 'apiresourceschemas', kind: 'APIResourceSchema' },
          name,
          `the schema is in use by APIExport ${users.join(', ')}; remove it from the export first`,
        );
      }
    },
  },
};
