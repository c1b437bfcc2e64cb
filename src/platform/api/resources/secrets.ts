import type { FieldError } from '../../http/errors.js';
import { isPlainObject } from '../object.js';
import { setOwn } from '../own-keys.js';
import { secretMessage } from '../protobuf/messages.js';
import type { ResourceDefinition } from '../registry.js';
import { withPublishedSchema } from '../../builtin/published-definitions.js';
import { dnsSubdomainName } from '../validation/names.js';
import { AGE_COLUMN, ageCell, countKeys, STANDARD_VERBS } from './common.js';
import { dataKeyErrors } from './configmaps.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `stringData` is write-only convenience: the apiserver folds it into base64 `data`. */
function foldStringData(object: Record<string, unknown>): void {
  if (!isPlainObject(object.stringData)) return;
  const data = isPlainObject(object.data) ? object.data : {};
  for (const [key, value] of Object.entries(object.stringData)) {
    setOwn(data, key, Buffer.from(String(value), 'utf8').toString('base64'));
  }
  object.data = data;
  delete object.stringData;
}

export const secrets: ResourceDefinition = withPublishedSchema({
  group: '',
  version: 'v1',
  kind: 'Secret',
  listKind: 'SecretList',
  resource: 'secrets',
  singular: 'secret',
  shortNames: [],
  categories: [],
  scope: 'Namespaced',
  verbs: STANDARD_VERBS,
  subresources: [],
  description: 'Secret holds secret data of a certain type.',
  schemaName: 'io.k8s.api.core.v1.Secret',
  protobuf: secretMessage,
  validateName: dnsSubdomainName,
  columns: [
    { name: 'Type', type: 'string', description: 'The type of the secret' },
    { name: 'Data', type: 'integer', description: 'Number of keys in data.' },
    AGE_COLUMN,
  ],
  cells: (object, now) => [object.type ?? 'Opaque', countKeys(object.data), ageCell(object, now)],
  fieldSelectors: { type: (object) => (typeof object.type === 'string' ? object.type : undefined) },
  hooks: {
    prepareCreate(object) {
      foldStringData(object);
      if (!object.type) object.type = 'Opaque';
    },
    prepareUpdate(object, old) {
      foldStringData(object);
      if (!object.type) object.type = old.type;
    },
    validate(object, old) {
      const errors: FieldError[] = dataKeyErrors('data', object.data);
      for (const [key, value] of Object.entries(isPlainObject(object.data) ? object.data : {})) {
        if (typeof value !== 'string' || !BASE64.test(value)) {
          errors.push({
            type: 'Invalid',
            field: `data[${key}]`,
            value: '<secret contents redacted>',
            detail: 'must be base64-encoded',
          });
        }
      }
      if (old && old.type !== object.type) {
        errors.push({ type: 'Invalid', field: 'type', value: object.type, detail: 'field is immutable' });
      }
      return errors;
    },
  },
});
