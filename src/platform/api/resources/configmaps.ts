import type { FieldError } from '../../http/errors.js';
import { configMapMessage } from '../protobuf/messages.js';
import type { ResourceDefinition } from '../registry.js';
import { withPublishedSchema } from '../../builtin/published-definitions.js';
import { dnsSubdomainName } from '../validation/names.js';
import { AGE_COLUMN, ageCell, countKeys, STANDARD_VERBS } from './common.js';

const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/** ConfigMap and Secret keys (validation.IsConfigMapKey). */
export function dataKeyErrors(field: string, data: unknown): FieldError[] {
  if (typeof data !== 'object' || data === null) return [];
  return Object.keys(data)
    .filter((key) => key.length > 253 || !DATA_KEY.test(key))
    .map((key) => ({
      type: 'Invalid' as const,
      field: `${field}[${key}]`,
      value: key,
      detail:
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    }));
}

export const configMaps: ResourceDefinition = withPublishedSchema({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  resource: 'configmaps',
  singular: 'configmap',
  shortNames: ['cm'],
  categories: [],
  scope: 'Namespaced',
  verbs: STANDARD_VERBS,
  subresources: [],
  description: 'ConfigMap holds configuration data for pods to consume.',
  schemaName: 'io.k8s.api.core.v1.ConfigMap',
  protobuf: configMapMessage,
  validateName: dnsSubdomainName,
  columns: [
    { name: 'Data', type: 'integer', description: 'Number of keys in data and binaryData.' },
    AGE_COLUMN,
  ],
  cells: (object, now) => [countKeys(object.data) + countKeys(object.binaryData), ageCell(object, now)],
  hooks: {
    validate(object, old) {
      const errors = [
        ...dataKeyErrors('data', object.data),
        ...dataKeyErrors('binaryData', object.binaryData),
      ];
      if (old?.immutable === true && (object.data !== undefined || old.data !== undefined)) {
        const same = JSON.stringify(object.data ?? {}) === JSON.stringify(old.data ?? {});
        const sameBinary = JSON.stringify(object.binaryData ?? {}) === JSON.stringify(old.binaryData ?? {});
        if (!same || !sameBinary) {
          errors.push({
            type: 'Forbidden',
            field: 'data',
            detail: 'field is immutable when `immutable` is set',
          });
        }
      }
      return errors;
    },
  },
});
