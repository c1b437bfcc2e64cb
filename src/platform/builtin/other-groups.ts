import { isPlainObject } from '../api/object.js';
import type { ResourceDefinition } from '../api/registry.js';
import { AGE_COLUMN, ageCell } from '../api/resources/common.js';
import { builtinKind } from './builtin-kind.js';
import { at, list, str } from './object-paths.js';
import { column } from './printing.js';
import { EVENT_COLUMNS, eventAge, involvedText } from './core.js';

// events.k8s.io, coordination.k8s.io, networking.k8s.io and policy: stored and validated by schema.

export const eventsV1: ResourceDefinition = builtinKind({
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  resource: 'events',
  schemaName: 'io.k8s.api.events.v1.Event',
  shortNames: ['ev'],
  columns: EVENT_COLUMNS,
  nameColumnLast: true,
  cells: (object, now) => [
    eventAge(
      now,
      at(object, 'series', 'lastObservedTime'),
      object.deprecatedLastTimestamp,
      object.eventTime,
      object.metadata.creationTimestamp,
    ),
    str(object.type),
    str(object.reason),
    involvedText(object.regarding),
    str(at(object, 'regarding', 'fieldPath')),
    [str(object.reportingController), str(object.reportingInstance)].filter(Boolean).join(', '),
    str(object.note),
    eventAge(now, object.deprecatedFirstTimestamp, object.eventTime, object.metadata.creationTimestamp),
    typeof at(object, 'series', 'count') === 'number' ? at(object, 'series', 'count') : 1,
  ],
});

export const leases: ResourceDefinition = builtinKind({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  resource: 'leases',
  schemaName: 'io.k8s.api.coordination.v1.Lease',
  columns: [
    column('Holder', 'HolderIdentity contains the identity of the holder of a current lease.'),
    AGE_COLUMN,
  ],
  cells: (object, now) => [str(at(object, 'spec', 'holderIdentity')), ageCell(object, now)],
});

/** printers.go formatHosts: at most three, then `+ N more...`; `*` for a rule with no host. */
function ingressHosts(rules: unknown): string {
  const hosts = list(rules).map((rule) => str(at(rule, 'host')) || '*');
  if (hosts.length === 0) return '*';
  const shown = hosts.slice(0, 3).join(',');
  return hosts.length > 3 ? `${shown} + ${hosts.length - 3} more...` : shown;
}

export const ingresses: ResourceDefinition = builtinKind({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  resource: 'ingresses',
  schemaName: 'io.k8s.api.networking.v1.Ingress',
  shortNames: ['ing'],
  subresources: ['status'],
  columns: [
    column('Class', 'The name of the IngressClass resource.'),
    column('Hosts', 'Hosts that incoming requests are matched against.'),
    column('Address', 'Address is a list containing ingress points for the load-balancer.'),
    column('Ports', 'Ports of TLS configurations that open.'),
    AGE_COLUMN,
  ],
  cells: (object, now) => {
    const className = at(object, 'spec', 'ingressClassName');
    const address = list(at(object, 'status', 'loadBalancer', 'ingress'))
      .filter(isPlainObject)
      .map((entry) => str(entry.ip) || str(entry.hostname))
      .join(',');
    return [
      typeof className === 'string' ? className : '<none>',
      ingressHosts(at(object, 'spec', 'rules')),
      address,
      list(at(object, 'spec', 'tls')).length > 0 ? '80, 443' : '80',
      ageCell(object, now),
    ];
  },
});

const intOrString = (value: unknown) =>
  typeof value === 'number' || typeof value === 'string' ? String(value) : 'N/A';

export const podDisruptionBudgets: ResourceDefinition = builtinKind({
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  resource: 'poddisruptionbudgets',
  schemaName: 'io.k8s.api.policy.v1.PodDisruptionBudget',
  shortNames: ['pdb'],
  subresources: ['status'],
  columns: [
    column('Min Available', 'The minimum number of pods that must be available simultaneously.'),
    column('Max Unavailable', 'The maximum number of pods that may be unavailable simultaneously.'),
    column('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', {
      type: 'integer',
    }),
    AGE_COLUMN,
  ],
  cells: (object, now) => [
    intOrString(at(object, 'spec', 'minAvailable')),
    intOrString(at(object, 'spec', 'maxUnavailable')),
    typeof at(object, 'status', 'disruptionsAllowed') === 'number'
      ? at(object, 'status', 'disruptionsAllowed')
      : 0,
    ageCell(object, now),
  ],
});

export const otherResources = [eventsV1, leases, ingresses, podDisruptionBudgets];
