import { CLUSTER_GROUP, PLACEMENT_LABEL, PLACEMENT_SATISFIED } from '../../../placement/index.js';
import { PLACEMENT_DECISIONS } from '../../compute/constants.js';
import { findCondition, getField, isPlainObject, type KubeObject } from '../object.js';
import type { HookContext, ResourceDefinition } from '../registry.js';
import { kindSchema } from '../schema.js';
import { dnsSubdomainName } from '../validation/names.js';
import { AGE_COLUMN, ageCell, STANDARD_VERBS } from './common.js';
import { placementDecisionStatusSchema, placementSpecSchema, placementStatusSchema } from './ocm-schemas.js';

// cluster.open-cluster-management.io/v1beta1 Placement (where a workload may run, declared by its
// users) and PlacementDecision (where the platform's scheduler decided it runs).

const VERSION = 'v1beta1';

const placementDescription =
  'Placement defines a rule to select a set of ManagedClusters from the ManagedClusterSets bound to the placement namespace. The scheduler writes the result into PlacementDecisions labelled cluster.open-cluster-management.io/placement=<name>.';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A DNS subdomain short enough to be the value of its decisions' placement label. */
function placementName(name: string): string[] {
  const errors = dnsSubdomainName(name);
  if (name.length > 63)
    errors.push(
      'must be no more than 63 characters (it labels the PlacementDecisions: cluster.open-cluster-management.io/placement)',
    );
  return errors;
}

/** What deleting a placement takes with it: its PlacementDecisions (owned by it, by uid). */
function deleteDecisions(placement: KubeObject, ctx: HookContext): void {
  const namespace = placement.metadata.namespace ?? '';
  for (const entry of ctx.tx.list({ cluster: ctx.cluster.id, resource: PLACEMENT_DECISIONS, namespace })) {
    const owners = entry.object.metadata.ownerReferences;
    const owned =
      Array.isArray(owners) &&
      owners.some((o) => isPlainObject(o) && o.kind === 'Placement' && o.uid === placement.metadata.uid);
    if (owned) ctx.tx.remove(entry.key);
  }
}

export const placements: ResourceDefinition = {
  group: CLUSTER_GROUP,
  version: VERSION,
  kind: 'Placement',
  listKind: 'PlacementList',
  resource: 'placements',
  singular: 'placement',
  shortNames: [],
  categories: ['cluster-manager'],
  scope: 'Namespaced',
  verbs: STANDARD_VERBS,
  subresources: ['status'],
  description: placementDescription,
  schemaName: 'io.open-cluster-management.cluster.v1beta1.Placement',
  schema: kindSchema(placementDescription, { spec: placementSpecSchema, status: placementStatusSchema }),
  validateName: placementName,
  columns: [
    { name: 'Succeeded', type: 'string', description: 'Status of the PlacementSatisfied condition.' },
    { name: 'Reason', type: 'string', description: 'Reason of the PlacementSatisfied condition.' },
    { name: 'SelectedClusters', type: 'integer', description: 'Number of selected ManagedClusters.' },
    AGE_COLUMN,
  ],
  cells: (object, now) => {
    const condition = findCondition(object, PLACEMENT_SATISFIED);
    const selected = getField(object, 'status.numberOfSelectedClusters');
    return [
      text(condition?.status),
      text(condition?.reason),
      typeof selected === 'number' ? selected : 0,
      ageCell(object, now),
    ];
  },
  hooks: { beforeDelete: deleteDecisions },
};

const decisionDescription =
  'PlacementDecision indicates a decision from a placement. It is labelled cluster.open-cluster-management.io/placement=<placement name> and holds at most 100 cluster decisions.';

export const placementDecisions: ResourceDefinition = {
  group: CLUSTER_GROUP,
  version: VERSION,
  kind: 'PlacementDecision',
  listKind: 'PlacementDecisionList',
  resource: 'placementdecisions',
  singular: 'placementdecision',
  shortNames: [],
  categories: ['cluster-manager'],
  scope: 'Namespaced',
  verbs: STANDARD_VERBS,
  subresources: ['status'],
  description: decisionDescription,
  schemaName: 'io.open-cluster-management.cluster.v1beta1.PlacementDecision',
  schema: kindSchema(decisionDescription, { status: placementDecisionStatusSchema }),
  validateName: dnsSubdomainName,
  columns: [
    { name: 'Placement', type: 'string', description: 'The placement this decision belongs to.' },
    { name: 'Clusters', type: 'string', description: 'The chosen clusters.' },
    AGE_COLUMN,
  ],
  cells: (object, now) => {
    const decisions = getField(object, 'status.decisions');
    const names = Array.isArray(decisions)
      ? decisions.map((d) => (isPlainObject(d) ? text(d.clusterName) : '')).filter(Boolean)
      : [];
    return [object.metadata.labels?.[PLACEMENT_LABEL] ?? '', names.join(','), ageCell(object, now)];
  },
};
