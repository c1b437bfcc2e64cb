import {
  CLUSTER_GROUP,
  CLUSTER_SET_LABEL,
  formatLabelSelector,
  type LabelSelector,
} from '../../../placement/index.js';
import type { Authorizer } from '../../auth/authorize.js';
import { checkClusterSetBind } from '../../compute/bind-admission.js';
import { BOUND_CONDITION, COMPUTE_PATH, MANAGED_CLUSTER_SETS } from '../../compute/constants.js';
import { boundCondition, clusterSetOf } from '../../compute/binding-status.js';
import { managedClusterSetsView } from '../../compute/views.js';
import type { FieldError } from '../../http/errors.js';
import { ensureObject, findCondition, getField, isPlainObject, type KubeObject } from '../object.js';
import type { HookContext, ResourceDefinition } from '../registry.js';
import { conditionsSchema, kindSchema, obj, str } from '../schema.js';
import { dnsLabelName } from '../validation/names.js';
import { AGE_COLUMN, ageCell, STANDARD_VERBS } from './common.js';
import { labelSelectorSchema } from './ocm-schemas.js';

// cluster.open-cluster-management.io/v1beta2 ManagedClusterSet (which clusters belong together,
// registered in root:compute) and ManagedClusterSetBinding (which sets a namespace may place onto).

const VERSION = 'v1beta2';
const SELECTOR_TYPES = ['ExclusiveClusterSetLabel', 'LabelSelector'];

const setDescription =
  "ManagedClusterSet defines a group of ManagedClusters that you can run workloads on. A ManagedCluster joins a set through the label cluster.open-cluster-management.io/clusterset (ExclusiveClusterSetLabel) or by matching the set's labelSelector (LabelSelector).";

function selectorType(object: KubeObject): string {
  const type = getField(object, 'spec.clusterSelector.selectorType');
  return typeof type === 'string' ? type : 'ExclusiveClusterSetLabel';
}

/** How the set chooses its members, as a label selector string (`<all>` for the empty selector). */
export function setSelectorText(object: KubeObject): string {
  if (selectorType(object) !== 'LabelSelector') return `${CLUSTER_SET_LABEL}=${object.metadata.name ?? ''}`;
  const selector = getField(object, 'spec.clusterSelector.labelSelector');
  if (!isPlainObject(selector)) return '<none>';
  return formatLabelSelector(selector as LabelSelector) || '<all>';
}

function validateSet(object: KubeObject): FieldError[] {
  const type = selectorType(object);
  if (!SELECTOR_TYPES.includes(type)) {
    return [
      {
        type: 'Unsupported',
        field: 'spec.clusterSelector.selectorType',
        value: type,
        detail: `supported values: ${SELECTOR_TYPES.map((t) => `"${t}"`).join(', ')}`,
      },
    ];
  }
  if (type === 'LabelSelector' && !isPlainObject(getField(object, 'spec.clusterSelector.labelSelector')))
    return [{ type: 'Required', field: 'spec.clusterSelector.labelSelector' }];
  return [];
}

export const managedClusterSets: ResourceDefinition = {
  group: CLUSTER_GROUP,
  version: VERSION,
  kind: 'ManagedClusterSet',
  listKind: 'ManagedClusterSetList',
  resource: 'managedclustersets',
  singular: 'managedclusterset',
  shortNames: ['mclset', 'mclsets'],
  categories: ['cluster-manager'],
  scope: 'Cluster',
  verbs: STANDARD_VERBS,
  subresources: ['status'],
  description: setDescription,
  schemaName: 'io.open-cluster-management.cluster.v1beta2.ManagedClusterSet',
  schema: kindSchema(setDescription, {
    spec: obj('Spec defines the attributes of the ManagedClusterSet', {
      clusterSelector: obj('ClusterSelector represents a selector of ManagedClusters', {
        selectorType: str('SelectorType could only be "ExclusiveClusterSetLabel" or "LabelSelector".', {
          enum: SELECTOR_TYPES,
          default: 'ExclusiveClusterSetLabel',
        }),
        labelSelector: labelSelectorSchema(
          'LabelSelector define the general labelSelector which clusterset will use to select target managedClusters',
        ),
      }),
    }),
    status: obj('Status represents the current status of the ManagedClusterSet', {
      conditions: conditionsSchema,
    }),
  }),
  validateName: dnsLabelName,
  columns: [
    { name: 'Selector Type', type: 'string', description: 'How the set selects its clusters.' },
    { name: 'Selector', type: 'string', description: 'The label selector clusters must match.' },
    AGE_COLUMN,
  ],
  cells: (object, now) => [selectorType(object), setSelectorText(object), ageCell(object, now)],
  projection: managedClusterSetsView,
  hooks: {
    prepareCreate(object) {
      // The CRD's default: a set without a selector is an ExclusiveClusterSetLabel set.
      const selector = ensureObject(ensureObject(object, 'spec'), 'clusterSelector');
      selector.selectorType ??= 'ExclusiveClusterSetLabel';
    },
    validate: validateSet,
  },
};

const bindingDescription =
  'ManagedClusterSetBinding projects a ManagedClusterSet into a namespace, so Placements there can select its clusters. It must have the same name as the set, and creating it needs create on managedclustersets/bind for that set.';

function setExists(ctx: HookContext, name: string): boolean {
  const compute = ctx.clusters.resolve(COMPUTE_PATH);
  if (!compute || name === '') return false;
  return (
    ctx.tx.get({ cluster: compute.id, resource: MANAGED_CLUSTER_SETS, namespace: '', name }) !== undefined
  );
}

function boundStatus(object: KubeObject): string {
  const status = findCondition(object, BOUND_CONDITION)?.status;
  return typeof status === 'string' ? status : '';
}

function validateBinding(object: KubeObject, old: KubeObject | undefined): FieldError[] {
  const set = getField(object, 'spec.clusterSet');
  if (typeof set !== 'string' || set === '') return [{ type: 'Required', field: 'spec.clusterSet' }];
  const errors: FieldError[] = [];
  if (set !== object.metadata.name)
    errors.push({
      type: 'Invalid',
      field: 'spec.clusterSet',
      value: set,
      detail: 'The ManagedClusterSetBinding must have the same name as the target ManagedClusterSet',
    });
  if (old && set !== clusterSetOf(old))
    errors.push({ type: 'Invalid', field: 'spec.clusterSet', value: set, detail: 'field is immutable' });
  return errors;
}

export function managedClusterSetBindings(deps: { authorizer: Authorizer }): ResourceDefinition {
  return {
    group: CLUSTER_GROUP,
    version: VERSION,
    kind: 'ManagedClusterSetBinding',
    listKind: 'ManagedClusterSetBindingList',
    resource: 'managedclustersetbindings',
    singular: 'managedclustersetbinding',
    shortNames: ['mclsetbinding', 'mclsetbindings'],
    categories: ['cluster-manager'],
    scope: 'Namespaced',
    verbs: STANDARD_VERBS,
    subresources: ['status'],
    description: bindingDescription,
    schemaName: 'io.open-cluster-management.cluster.v1beta2.ManagedClusterSetBinding',
    schema: kindSchema(bindingDescription, {
      spec: obj('Spec defines the attributes of ManagedClusterSetBinding.', {
        clusterSet: str(
          'ClusterSet is the name of the ManagedClusterSet to bind. It must match the instance name of the ManagedClusterSetBinding and cannot change once created.',
        ),
      }),
      status: obj('Status represents the current status of the ManagedClusterSetBinding', {
        conditions: conditionsSchema,
      }),
    }),
    validateName: dnsLabelName,
    columns: [
      { name: 'Cluster Set', type: 'string', description: 'The bound ManagedClusterSet.' },
      { name: 'Bound', type: 'string', description: 'Whether the set exists and is bound.' },
      AGE_COLUMN,
    ],
    cells: (object, now) => [clusterSetOf(object), boundStatus(object), ageCell(object, now)],
    hooks: {
      prepareCreate(object, ctx) {
        const set = clusterSetOf(object);
        object.status = { conditions: [boundCondition(set, setExists(ctx, set))] };
      },
      validate(object, old, ctx) {
        const errors = validateBinding(object, old);
        // The bind check comes last: a malformed binding is a 422 whoever sends it.
        if (!old && errors.length === 0)
          checkClusterSetBind(deps.authorizer, ctx.clusters, ctx.user, clusterSetOf(object));
        return errors;
      },
    },
  };
}
