import { getField } from '../object.js';
import type { ResourceDefinition } from '../registry.js';
import { bool, conditionsSchema, freeform, kindSchema, obj, str, stringList } from '../schema.js';
import { AGE_COLUMN, ageCell } from './common.js';

export const logicalClusters: ResourceDefinition = {
  group: 'core.kcp.io',
  version: 'v1alpha1',
  kind: 'LogicalCluster',
  listKind: 'LogicalClusterList',
  resource: 'logicalclusters',
  singular: 'logicalcluster',
  shortNames: [],
  categories: ['kcp'],
  scope: 'Cluster',
  // The system creates and deletes logical clusters along with their workspaces.
  verbs: ['get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status'],
  description: 'LogicalCluster describes the current logical cluster. It is a singleton named "cluster".',
  schemaName: 'io.kcp.core.v1alpha1.LogicalCluster',
  schema: kindSchema(
    'LogicalCluster describes the current logical cluster. It is a singleton named "cluster" in every workspace.',
    {
      spec: obj('LogicalClusterSpec is the specification of the LogicalCluster resource.', {
        directlyDeletable: bool(
          'DirectlyDeletable indicates that this logical cluster can be directly deleted by the user.',
        ),
        owner: freeform(
          'owner is a reference to a resource controlling the life-cycle of this logical cluster.',
        ),
        createdBy: freeform('createdBy is the user that created the workspace.'),
        initializers: stringList(
          'initializers are set on creation by the system and copied to status when initialization starts.',
        ),
        terminators: stringList(
          'terminators are set on creation by the system and copied to status when termination starts.',
        ),
      }),
      status: obj('LogicalClusterStatus communicates the observed state of the logical cluster.', {
        URL: str('url is the address under which the Kubernetes-cluster-like endpoint can be found.'),
        phase: str('Phase of the logical cluster (Initializing, Ready).'),
        conditions: conditionsSchema,
        initializers: stringList('initializers are set on creation and removed by controllers.'),
        terminators: stringList('terminators are set on deletion and removed by controllers.'),
      }),
    },
  ),
  validateName: (name) => (name === 'cluster' ? [] : ['the name of a LogicalCluster must be "cluster"']),
  columns: [
    {
      name: 'Phase',
      type: 'string',
      description: 'The current phase (e.g. Scheduling, Initializing, Ready, Deleting)',
    },
    { name: 'URL', type: 'string', description: 'URL to access the logical cluster' },
    AGE_COLUMN,
  ],
  cells: (object, now) => [
    getField(object, 'status.phase') ?? '',
    getField(object, 'status.URL') ?? '',
    ageCell(object, now),
  ],
};
