import { withPublishedSchema } from '../../builtin/published-definitions.js';
import { ensureObject, type KubeObject } from '../object.js';
import { namespaceMessage } from '../protobuf/messages.js';
import type { HookContext, ResourceDefinition } from '../registry.js';
import { dnsLabelName } from '../validation/names.js';
import { AGE_COLUMN, ageCell, STANDARD_VERBS } from './common.js';

const NAME_LABEL = 'kubernetes.io/metadata.name';

function labelWithName(object: KubeObject): void {
  const labels = (object.metadata.labels ??= {});
  labels[NAME_LABEL] = object.metadata.name ?? '';
}

/** Namespaces go at once: their content is deleted in the same transaction as they are. */
function deleteContent(namespace: KubeObject, ctx: HookContext): void {
  for (const entry of ctx.tx.listCluster(ctx.cluster.id, namespace.metadata.name ?? ''))
    ctx.tx.remove(entry.key);
}

export const namespaces: ResourceDefinition = withPublishedSchema({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  resource: 'namespaces',
  singular: 'namespace',
  shortNames: ['ns'],
  categories: [],
  scope: 'Cluster',
  verbs: STANDARD_VERBS,
  subresources: ['status'],
  description: 'Namespace provides a scope for Names.',
  schemaName: 'io.k8s.api.core.v1.Namespace',
  protobuf: namespaceMessage,
  validateName: dnsLabelName,
  columns: [{ name: 'Status', type: 'string', description: 'The status of the namespace' }, AGE_COLUMN],
  cells: (object, now) => [
    (object.status as { phase?: string } | undefined)?.phase ?? '',
    ageCell(object, now),
  ],
  fieldSelectors: { 'status.phase': (object) => (object.status as { phase?: string } | undefined)?.phase },
  hooks: {
    prepareCreate(object) {
      labelWithName(object);
      ensureObject(object, 'status').phase = 'Active';
    },
    prepareUpdate(object) {
      labelWithName(object);
    },
    beforeDelete: deleteContent,
  },
});
