import type { KubeObject } from '../api/object.js';
import type { ResourceDefinition } from '../api/registry.js';
import { AGE_COLUMN, ageCell } from '../api/resources/common.js';
import { builtinKind } from './builtin-kind.js';
import { at, defaults, num, objectAt, type Json } from './object-paths.js';
import { defaultPodTemplate } from './pod-template.js';
import {
  column,
  containerCells,
  mapText,
  selectorText,
  WIDE_POD_TEMPLATE_COLUMNS,
  WIDE_SELECTOR_COLUMN,
} from './printing.js';
import { replicatedErrors, selectorChangeErrors } from './replicated.js';
import { appsV1DeploymentMessage } from './protobuf-messages.js';
import { scaleView } from './scale.js';

// apps/v1: stored and validated, never run (a workspace is a control plane; no controller makes
// pods), so their status stays whatever a status writer last put there.

const status = (object: KubeObject, field: string) => num(at(object, 'status', field));
const wide = (object: KubeObject) => [
  ...containerCells(at(object, 'spec', 'template')),
  selectorText(at(object, 'spec', 'selector')),
];

function defaultTemplate(object: KubeObject): void {
  defaultPodTemplate(objectAt(object as Json, 'spec', 'template'));
}

const replicatedHooks = (kindWord: string, defaultSpec: (object: KubeObject) => void) => ({
  prepareCreate: (object: KubeObject) => defaultSpec(object),
  prepareUpdate: (object: KubeObject) => defaultSpec(object),
  validate: (object: KubeObject, old: KubeObject | undefined) => [
    ...replicatedErrors(object, kindWord),
    ...selectorChangeErrors(object, old),
  ],
});

export const deployments: ResourceDefinition = builtinKind({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  resource: 'deployments',
  schemaName: 'io.k8s.api.apps.v1.Deployment',
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  views: { scale: scaleView },
  protobuf: appsV1DeploymentMessage,
  columns: [
    column('Ready', 'Number of the pod with ready state'),
    column(
      'Up-to-date',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      { type: 'integer' },
    ),
    column(
      'Available',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      { type: 'integer' },
    ),
    AGE_COLUMN,
    ...WIDE_POD_TEMPLATE_COLUMNS,
    WIDE_SELECTOR_COLUMN,
  ],
  cells: (object, now) => [
    `${status(object, 'readyReplicas')}/${num(at(object, 'spec', 'replicas'))}`,
    status(object, 'updatedReplicas'),
    status(object, 'availableReplicas'),
    ageCell(object, now),
    ...wide(object),
  ],
  hooks: replicatedHooks('deployment', (object) => {
    const spec = objectAt(object as Json, 'spec');
    defaults(spec, { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
    const strategy = objectAt(object as Json, 'spec', 'strategy');
    defaults(strategy, { type: 'RollingUpdate' });
    if (strategy?.type === 'RollingUpdate')
      defaults(objectAt(strategy, 'rollingUpdate'), { maxUnavailable: '25%', maxSurge: '25%' });
    defaultTemplate(object);
  }),
});

export const replicaSets: ResourceDefinition = builtinKind({
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  resource: 'replicasets',
  schemaName: 'io.k8s.api.apps.v1.ReplicaSet',
  shortNames: ['rs'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  views: { scale: scaleView },
  columns: [
    column('Desired', 'Number of desired pods.', { type: 'integer' }),
    column('Current', 'Number of actual replicas.', { type: 'integer' }),
    column('Ready', 'The number of ready replicas for this replica set.', { type: 'integer' }),
    AGE_COLUMN,
    ...WIDE_POD_TEMPLATE_COLUMNS,
    WIDE_SELECTOR_COLUMN,
  ],
  cells: (object, now) => [
    num(at(object, 'spec', 'replicas')),
    status(object, 'replicas'),
    status(object, 'readyReplicas'),
    ageCell(object, now),
    ...wide(object),
  ],
  hooks: replicatedHooks('replicaset', (object) => {
    defaults(objectAt(object as Json, 'spec'), { replicas: 1 });
    defaultTemplate(object);
  }),
});

export const statefulSets: ResourceDefinition = builtinKind({
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  resource: 'statefulsets',
  schemaName: 'io.k8s.api.apps.v1.StatefulSet',
  shortNames: ['sts'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  views: { scale: scaleView },
  columns: [column('Ready', 'Number of the pod with ready state'), AGE_COLUMN, ...WIDE_POD_TEMPLATE_COLUMNS],
  cells: (object, now) => [
    `${status(object, 'readyReplicas')}/${num(at(object, 'spec', 'replicas'))}`,
    ageCell(object, now),
    ...containerCells(at(object, 'spec', 'template')),
  ],
  hooks: replicatedHooks('statefulset', (object) => {
    const spec = objectAt(object as Json, 'spec');
    defaults(spec, { replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10 });
    const strategy = objectAt(object as Json, 'spec', 'updateStrategy');
    defaults(strategy, { type: 'RollingUpdate' });
    if (strategy?.type === 'RollingUpdate') defaults(objectAt(strategy, 'rollingUpdate'), { partition: 0 });
    defaults(objectAt(object as Json, 'spec', 'persistentVolumeClaimRetentionPolicy'), {
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    defaultTemplate(object);
  }),
});

export const daemonSets: ResourceDefinition = builtinKind({
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  resource: 'daemonsets',
  schemaName: 'io.k8s.api.apps.v1.DaemonSet',
  shortNames: ['ds'],
  categories: ['all'],
  subresources: ['status'],
  columns: [
    column('Desired', 'The total number of nodes that should be running the daemon pod.', {
      type: 'integer',
    }),
    column('Current', 'The number of nodes running at least one daemon pod.', { type: 'integer' }),
    column(
      'Ready',
      'The number of nodes that should be running the daemon pod and have one or more running and ready.',
      { type: 'integer' },
    ),
    column('Up-to-date', 'The total number of nodes that are running updated daemon pod.', {
      type: 'integer',
    }),
    column(
      'Available',
      'The number of nodes that should be running the daemon pod and have one or more running and available.',
      { type: 'integer' },
    ),
    column('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    AGE_COLUMN,
    ...WIDE_POD_TEMPLATE_COLUMNS,
    WIDE_SELECTOR_COLUMN,
  ],
  cells: (object, now) => [
    status(object, 'desiredNumberScheduled'),
    status(object, 'currentNumberScheduled'),
    status(object, 'numberReady'),
    status(object, 'updatedNumberScheduled'),
    status(object, 'numberAvailable'),
    mapText(at(object, 'spec', 'template', 'spec', 'nodeSelector')),
    ageCell(object, now),
    ...wide(object),
  ],
  hooks: replicatedHooks('daemonset', (object) => {
    defaults(objectAt(object as Json, 'spec'), { revisionHistoryLimit: 10 });
    const strategy = objectAt(object as Json, 'spec', 'updateStrategy');
    defaults(strategy, { type: 'RollingUpdate' });
    if (strategy?.type === 'RollingUpdate')
      defaults(objectAt(strategy, 'rollingUpdate'), { maxUnavailable: 1, maxSurge: 0 });
    defaultTemplate(object);
  }),
});

export const appsResources = [deployments, statefulSets, daemonSets, replicaSets];
