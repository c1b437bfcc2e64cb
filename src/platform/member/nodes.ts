import { isPlainObject, type KubeObject } from '../api/object.js';
import type { ResourceDefinition } from '../api/registry.js';
import { AGE_COLUMN, ageCell } from '../api/resources/common.js';
import { builtinKind } from '../builtin/builtin-kind.js';
import { at } from '../builtin/object-paths.js';
import { column } from '../builtin/printing.js';
import { resourceListErrors } from '../builtin/resource-quantities.js';

// core/v1 Node, served by dev members only: a workspace is a control plane and has no nodes, while a member
// stands for a cluster, and an agent reads a cluster's capacity from its Nodes.

function readyText(node: KubeObject): string {
  const conditions = isPlainObject(node.status) ? node.status.conditions : undefined;
  const ready = Array.isArray(conditions)
    ? conditions.find((c) => isPlainObject(c) && c.type === 'Ready')
    : undefined;
  if (!isPlainObject(ready)) return 'Unknown';
  return ready.status === 'True' ? 'Ready' : 'NotReady';
}

function roles(node: KubeObject): string {
  const prefix = 'node-role.kubernetes.io/';
  const names = Object.keys(node.metadata.labels ?? {})
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length));
  return names.length > 0 ? names.sort().join(',') : '<none>';
}

function kubeletVersion(node: KubeObject): string {
  const info = isPlainObject(node.status) ? node.status.nodeInfo : undefined;
  return isPlainObject(info) && typeof info.kubeletVersion === 'string' ? info.kubeletVersion : '';
}

export const nodes: ResourceDefinition = builtinKind({
  group: '',
  version: 'v1',
  kind: 'Node',
  resource: 'nodes',
  schemaName: 'io.k8s.api.core.v1.Node',
  scope: 'Cluster',
  shortNames: ['no'],
  subresources: ['status'],
  columns: [
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'Kubelet Version reported by the node.'),
  ],
  cells: (object, now) => [readyText(object), roles(object), ageCell(object, now), kubeletVersion(object)],
  hooks: {
    // Capacity admission adds workloads up against these: a negative or unbounded allocatable would lock or
    // unlock the member for every tenant, so they are checked as kube-apiserver's ValidateNode checks them.
    validate: (object) => [
      ...resourceListErrors(at(object, 'status', 'capacity'), 'status.capacity'),
      ...resourceListErrors(at(object, 'status', 'allocatable'), 'status.allocatable'),
    ],
  },
});
