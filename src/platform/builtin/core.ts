import type { FieldError } from '../http/errors.js';
import { isPlainObject, type KubeObject } from '../api/object.js';
import type { ResourceDefinition } from '../api/registry.js';
import { AGE_COLUMN, ageCell } from '../api/resources/common.js';
import { age } from '../api/table/age.js';
import { builtinKind } from './builtin-kind.js';
import { at, defaults, list, objectAt, str, type Json } from './object-paths.js';
import { column, mapText } from './printing.js';
import { coreV1ServiceAccountMessage, coreV1ServiceMessage } from './protobuf-messages.js';

// Core v1 kinds beyond those the platform itself needs: stored and validated. No Service gets a
// cluster IP and no claim is bound: nothing here allocates addresses or volumes.

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function defaultService(object: KubeObject): void {
  const spec = objectAt(object as Json, 'spec');
  defaults(spec, { type: 'ClusterIP', sessionAffinity: 'None' });
  if (spec?.type !== 'ExternalName') defaults(spec, { internalTrafficPolicy: 'Cluster' });
  for (const port of list(spec?.ports).filter(isPlainObject))
    defaults(port, { protocol: 'TCP', targetPort: port.port });
}

function serviceErrors(object: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const type = at(object, 'spec', 'type');
  if (typeof type === 'string' && !SERVICE_TYPES.includes(type)) {
    errors.push({
      type: 'Unsupported',
      field: 'spec.type',
      value: type,
      detail: `supported values: ${SERVICE_TYPES.map((t) => JSON.stringify(t)).join(', ')}`,
    });
  }
  const ports = list(at(object, 'spec', 'ports'));
  if (type === 'ExternalName') {
    if (str(at(object, 'spec', 'externalName')) === '')
      errors.push({ type: 'Required', field: 'spec.externalName' });
    return errors;
  }
  if (ports.length === 0 && at(object, 'spec', 'clusterIP') !== 'None')
    errors.push({ type: 'Required', field: 'spec.ports' });
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const field = `spec.ports[${i}]`;
    const name = str(at(port, 'name'));
    if (ports.length > 1 && name === '') errors.push({ type: 'Required', field: `${field}.name` });
    else if (name !== '' && names.has(name))
      errors.push({ type: 'Duplicate', field: `${field}.name`, value: name });
    names.add(name);
    const number = at(port, 'port');
    if (typeof number !== 'number' || number < 1 || number > 65535) {
      errors.push({
        type: 'Invalid',
        field: `${field}.port`,
        value: number ?? 0,
        detail: 'must be between 1 and 65535, inclusive',
      });
    }
  });
  return errors;
}

/** printers.go getServiceExternalIP. */
function externalIp(service: KubeObject): string {
  const externalIPs = list(at(service, 'spec', 'externalIPs')).map(str);
  switch (at(service, 'spec', 'type')) {
    case 'ExternalName':
      return str(at(service, 'spec', 'externalName'));
    case 'LoadBalancer': {
      const ingress = list(at(service, 'status', 'loadBalancer', 'ingress'))
        .map((entry) => str(at(entry, 'ip')) || str(at(entry, 'hostname')))
        .filter(Boolean);
      const all = [...ingress, ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    default:
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
  }
}

function servicePorts(service: KubeObject): string {
  const ports = list(at(service, 'spec', 'ports')).filter(isPlainObject);
  if (ports.length === 0) return '<none>';
  return ports
    .map((port) => {
      const nodePort = typeof port.nodePort === 'number' && port.nodePort > 0 ? `:${port.nodePort}` : '';
      return `${String(port.port)}${nodePort}/${str(port.protocol) || 'TCP'}`;
    })
    .join(',');
}

export const services: ResourceDefinition = builtinKind({
  group: '',
  version: 'v1',
  kind: 'Service',
  resource: 'services',
  schemaName: 'io.k8s.api.core.v1.Service',
  shortNames: ['svc'],
  categories: ['all'],
  subresources: ['status'],
  validateName: dnsLabel,
  protobuf: coreV1ServiceMessage,
  columns: [
    column('Type', 'The type of the service.'),
    column('Cluster-IP', 'The IP address of the service.'),
    column('External-IP', 'The external IP address of the service.'),
    column('Port(s)', 'The ports of the service.'),
    AGE_COLUMN,
    column('Selector', 'The label selector of the service.', { priority: 1 }),
  ],
  cells: (object, now) => [
    str(at(object, 'spec', 'type')),
    str(at(object, 'spec', 'clusterIP')) || '<none>',
    externalIp(object),
    servicePorts(object),
    ageCell(object, now),
    mapText(at(object, 'spec', 'selector')),
  ],
  hooks: { prepareCreate: defaultService, prepareUpdate: defaultService, validate: serviceErrors },
});

/** Service names are DNS-1035 labels: they become DNS names, and must start with a letter. */
function dnsLabel(name: string): string[] {
  if (/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= 63) return [];
  return [
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ];
}

export const serviceAccounts: ResourceDefinition = builtinKind({
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  resource: 'serviceaccounts',
  schemaName: 'io.k8s.api.core.v1.ServiceAccount',
  shortNames: ['sa'],
  protobuf: coreV1ServiceAccountMessage,
  columns: [
    column(
      'Secrets',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
      { type: 'integer' },
    ),
    AGE_COLUMN,
  ],
  cells: (object, now) => [list(at(object, 'secrets')).length, ageCell(object, now)],
});

function pvcErrors(object: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  if (list(at(object, 'spec', 'accessModes')).length === 0)
    errors.push({
      type: 'Required',
      field: 'spec.accessModes',
      detail: 'at least 1 access mode is required',
    });
  const storage = at(object, 'spec', 'resources', 'requests', 'storage');
  if (storage === undefined || storage === null)
    errors.push({ type: 'Required', field: 'spec.resources[storage]' });
  return errors;
}

const ACCESS_MODE_SHORT: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

export const persistentVolumeClaims: ResourceDefinition = builtinKind({
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  resource: 'persistentvolumeclaims',
  schemaName: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  shortNames: ['pvc'],
  subresources: ['status'],
  columns: [
    column('Status', 'Phase represents the current phase of PersistentVolumeClaim.'),
    column('Volume', 'VolumeName is the binding reference to the PersistentVolume backing this claim.'),
    column('Capacity', 'Represents the actual resources of the underlying volume.'),
    column('Access Modes', 'AccessModes contains the desired access modes the volume should have.'),
    column('StorageClass', 'StorageClassName is the name of the StorageClass required by the claim.'),
    column(
      'VolumeAttributesClass',
      'VolumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.',
    ),
    AGE_COLUMN,
    column('VolumeMode', 'volumeMode defines what type of volume is required by the claim.', { priority: 1 }),
  ],
  cells: (object, now) => {
    const bound = str(at(object, 'spec', 'volumeName'));
    const storageClass = at(object, 'spec', 'storageClassName');
    const attributesClass = at(object, 'spec', 'volumeAttributesClassName');
    return [
      object.metadata.deletionTimestamp ? 'Terminating' : str(at(object, 'status', 'phase')),
      bound,
      bound ? String(at(object, 'status', 'capacity', 'storage') ?? '') : '',
      bound
        ? list(at(object, 'status', 'accessModes'))
            .map((m) => ACCESS_MODE_SHORT[str(m)] ?? str(m))
            .join(',')
        : '',
      typeof storageClass === 'string' ? storageClass : '<unset>',
      typeof attributesClass === 'string' && attributesClass !== '' ? attributesClass : '<unset>',
      ageCell(object, now),
      str(at(object, 'spec', 'volumeMode')) || '<unset>',
    ];
  },
  hooks: {
    prepareCreate(object) {
      defaults(objectAt(object as Json, 'spec'), { volumeMode: 'Filesystem' });
      // No provisioner runs, so a claim stays Pending, as it would on a cluster without one.
      defaults(objectAt(object as Json, 'status'), { phase: 'Pending' });
    },
    validate: pvcErrors,
  },
});

/** The columns both Event kinds print (printers.go printEvent), before the Name that -o wide adds last. */
export const EVENT_COLUMNS = [
  column('Last Seen', 'Time when this Event was last seen.'),
  column('Type', 'Type of this event (Normal, Warning), new types could be added in the future.'),
  column('Reason', 'Reason is why the action was taken. It is human-readable.'),
  column('Object', 'The object this Event is about.'),
  column('Subobject', 'The subobject this Event is about.', { priority: 1 }),
  column('Source', 'The component reporting this event.', { priority: 1 }),
  column('Message', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'The time at which the event was first recorded.', { priority: 1 }),
  column('Count', 'The number of times this event has occurred.', { priority: 1, type: 'integer' }),
];

export function involvedText(reference: unknown): string {
  return `${str(at(reference, 'kind')).toLowerCase()}/${str(at(reference, 'name'))}`;
}

/** The newest of several timestamps an event may carry, as an age; `<unknown>` when none. */
export function eventAge(now: Date, ...timestamps: unknown[]): string {
  return age(
    timestamps.find((t) => typeof t === 'string' && t !== ''),
    now,
  );
}

export const events: ResourceDefinition = builtinKind({
  group: '',
  version: 'v1',
  kind: 'Event',
  resource: 'events',
  schemaName: 'io.k8s.api.core.v1.Event',
  shortNames: ['ev'],
  columns: EVENT_COLUMNS,
  nameColumnLast: true,
  cells: (object, now) => [
    eventAge(
      now,
      at(object, 'series', 'lastObservedTime'),
      object.lastTimestamp,
      object.eventTime,
      object.metadata.creationTimestamp,
    ),
    str(object.type),
    str(object.reason),
    involvedText(object.involvedObject),
    str(at(object, 'involvedObject', 'fieldPath')),
    [str(at(object, 'source', 'component')), str(at(object, 'source', 'host'))].filter(Boolean).join(', '),
    str(object.message),
    eventAge(now, object.firstTimestamp, object.eventTime, object.metadata.creationTimestamp),
    typeof object.count === 'number' ? object.count : 1,
  ],
});

export const coreResources = [services, serviceAccounts, persistentVolumeClaims, events];
