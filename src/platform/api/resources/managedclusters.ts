import { AVAILABLE_CONDITION, CLUSTER_GROUP, formatTaint, type Taint } from '../../../placement/index.js';
import { managedClustersView } from '../../compute/views.js';
import type { FieldError } from '../../http/errors.js';
import { findCondition, getField, isPlainObject, nowTimestamp, type KubeObject } from '../object.js';
import type { ResourceDefinition } from '../registry.js';
import { array, bool, conditionsSchema, int, kindSchema, obj, str, type Schema } from '../schema.js';
import { dnsLabelName, labelKeyErrors } from '../validation/names.js';
import { AGE_COLUMN, ageCell, STANDARD_VERBS } from './common.js';
import { quantityMap, taintSchema } from './ocm-schemas.js';

// cluster.open-cluster-management.io/v1 ManagedCluster: a compute target, registered by the
// platform owner in root:compute (every other workspace sees the clusters of its bound sets).

const EFFECTS = ['NoSelect', 'PreferNoSelect', 'NoSelectIfNew'];

const description =
  'ManagedCluster represents the desired state and current status of a managed cluster. ManagedCluster is a cluster-scoped resource.';

const schema: Schema = kindSchema(description, {
  spec: obj('Spec represents a desired configuration for the agent on the managed cluster.', {
    hubAcceptsClient: bool('hubAcceptsClient represents that hub accepts the joining of Klusterlet agent.'),
    managedClusterClientConfigs: array(
      'ManagedClusterClientConfigs represents a list of the apiserver address of the managed cluster.',
      obj('ClientConfig represents the apiserver address of the managed cluster.', {
        url: str('URL is the URL of apiserver endpoint of the managed cluster.'),
        caBundle: str('CABundle is the ca bundle to connect to apiserver of the managed cluster.', {
          format: 'byte',
        }),
      }),
    ),
    leaseDurationSeconds: {
      ...int('LeaseDurationSeconds is used to coordinate the lease update time of Klusterlet agents.'),
      format: 'int32',
    },
    taints: array(
      'Taints is a property of managed cluster that allow the cluster to be repelled when scheduling.',
      taintSchema,
    ),
  }),
  status: obj('Status represents the current status of joined managed cluster', {
    conditions: conditionsSchema,
    capacity: quantityMap(
      'Capacity represents the total resource capacity from all nodeStatuses on the managed cluster.',
    ),
    allocatable: quantityMap(
      'Allocatable represents the total allocatable resources on the managed cluster.',
    ),
    version: obj('Version represents the kubernetes version of the managed cluster.', {
      kubernetes: str('Kubernetes is the kubernetes version of managed cluster.'),
    }),
    clusterClaims: array(
      'ClusterClaims represents cluster information that a managed cluster claims.',
      obj('ManagedClusterClaim represents a ClusterClaim collected from a managed cluster.', {
        name: str('Name is the name of a ClusterClaim resource on managed cluster.'),
        value: str('Value is a claim-dependent string'),
      }),
    ),
  }),
});

function taintsOf(object: KubeObject | undefined): Taint[] {
  const taints = getField(object, 'spec.taints');
  return Array.isArray(taints) ? taints.filter((t): t is Taint => isPlainObject(t)) : [];
}

/**
 * The server owns timeAdded, as OCM's webhook does: a taint that was there before keeps its time,
 * a new one is stamped now, so tolerationSeconds count from when the taint really appeared.
 */
function stampTaints(object: KubeObject, old: KubeObject | undefined): void {
  const previous = taintsOf(old);
  const now = nowTimestamp();
  for (const taint of taintsOf(object)) {
    const same = previous.find(
      (p) => p.key === taint.key && (p.value ?? '') === (taint.value ?? '') && p.effect === taint.effect,
    );
    taint.timeAdded = same?.timeAdded ?? now;
  }
}

/** Quantities sent as numbers (`cpu: 16` in YAML) are stored as the strings Kubernetes prints. */
function quantitiesAsStrings(object: KubeObject): void {
  for (const field of ['capacity', 'allocatable']) {
    const map = getField(object, `status.${field}`);
    if (!isPlainObject(map)) continue;
    for (const [key, value] of Object.entries(map)) if (typeof value === 'number') map[key] = String(value);
  }
}

function validateTaints(object: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  taintsOf(object).forEach((taint, i) => {
    const field = `spec.taints[${i}]`;
    if (typeof taint.key !== 'string' || taint.key === '')
      errors.push({ type: 'Required', field: `${field}.key` });
    else
      for (const detail of labelKeyErrors(taint.key))
        errors.push({ type: 'Invalid', field: `${field}.key`, value: taint.key, detail });
    if (!EFFECTS.includes(taint.effect))
      errors.push({
        type: 'Unsupported',
        field: `${field}.effect`,
        value: taint.effect ?? '',
        detail: `supported values: ${EFFECTS.map((e) => `"${e}"`).join(', ')}`,
      });
  });
  return errors;
}

const quantity = (object: KubeObject, path: string): string => {
  const value = getField(object, path);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
};

export const managedClusters: ResourceDefinition = {
  group: CLUSTER_GROUP,
  version: 'v1',
  kind: 'ManagedCluster',
  listKind: 'ManagedClusterList',
  resource: 'managedclusters',
  singular: 'managedcluster',
  shortNames: ['mcl', 'mcls'],
  categories: ['cluster-manager'],
  scope: 'Cluster',
  verbs: STANDARD_VERBS,
  subresources: ['status'],
  description,
  schemaName: 'io.open-cluster-management.cluster.v1.ManagedCluster',
  schema,
  validateName: dnsLabelName,
  columns: [
    { name: 'Region', type: 'string', description: 'The region label of the cluster.' },
    { name: 'Provider', type: 'string', description: 'The provider label of the cluster.' },
    {
      name: 'Available',
      type: 'string',
      description: 'Status of the ManagedClusterConditionAvailable condition.',
    },
    { name: 'CPU', type: 'string', description: 'Allocatable CPU.' },
    AGE_COLUMN,
    { name: 'Zone', type: 'string', description: 'The zone label of the cluster.', priority: 1 },
    { name: 'Tier', type: 'string', description: 'The tier label of the cluster.', priority: 1 },
    { name: 'Memory', type: 'string', description: 'Allocatable memory.', priority: 1 },
    { name: 'Taints', type: 'string', description: 'Taints of the cluster.', priority: 1 },
  ],
  cells: (object, now) => [
    object.metadata.labels?.region ?? '',
    object.metadata.labels?.provider ?? '',
    findCondition(object, AVAILABLE_CONDITION)?.status ?? '',
    quantity(object, 'status.allocatable.cpu'),
    ageCell(object, now),
    object.metadata.labels?.zone ?? '',
    object.metadata.labels?.tier ?? '',
    quantity(object, 'status.allocatable.memory'),
    taintsOf(object).map(formatTaint).join(','),
  ],
  projection: managedClustersView,
  hooks: {
    prepareCreate(object) {
      stampTaints(object, undefined);
    },
    prepareUpdate(object, old) {
      stampTaints(object, old);
      quantitiesAsStrings(object);
      // A condition whose status did not change keeps its transition time.
      keepTransitionTimes(object, old);
    },
    validate: validateTaints,
  },
};

function keepTransitionTimes(object: KubeObject, old: KubeObject): void {
  const conditions = getField(object, 'status.conditions');
  const before = getField(old, 'status.conditions');
  if (!Array.isArray(conditions)) return;
  const now = nowTimestamp();
  for (const condition of conditions as Record<string, unknown>[]) {
    if (!isPlainObject(condition)) continue;
    const previous = Array.isArray(before)
      ? (before as Record<string, unknown>[]).find((c) => isPlainObject(c) && c.type === condition.type)
      : undefined;
    if (previous && previous.status === condition.status && previous.lastTransitionTime !== undefined) {
      if (condition.lastTransitionTime === undefined)
        condition.lastTransitionTime = previous.lastTransitionTime;
    } else if (
      condition.lastTransitionTime === undefined ||
      condition.lastTransitionTime === previous?.lastTransitionTime
    ) {
      condition.lastTransitionTime = now;
    }
  }
}
