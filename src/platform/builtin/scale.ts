import { badRequest, invalid } from '../http/errors.js';
import { isPlainObject, type KubeObject } from '../api/object.js';
import type { ResourceDefinition, SubresourceView } from '../api/registry.js';
import { AGE_COLUMN, ageCell } from '../api/resources/common.js';
import { builtinKind } from './builtin-kind.js';
import { at, num } from './object-paths.js';
import { selectorText } from './printing.js';

// The `scale` subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets and StatefulSets:
// a view of spec.replicas that `kubectl scale` and autoscalers read and write without knowing the kind.

/** How a Scale renders: its own kind, never the parent's. */
export const scaleDefinition: ResourceDefinition = builtinKind({
  group: 'autoscaling',
  version: 'v1',
  kind: 'Scale',
  resource: 'scale',
  schemaName: 'io.k8s.api.autoscaling.v1.Scale',
  verbs: ['get', 'update', 'patch'],
  columns: [AGE_COLUMN],
  cells: (object, now) => [ageCell(object, now)],
});

/** The Scale a workload shows: desired replicas from spec, observed ones and the selector from status. */
function toScale(object: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: num(at(object, 'spec', 'replicas')) },
    status: {
      replicas: num(at(object, 'status', 'replicas')),
      selector: selectorText(at(object, 'spec', 'selector')).replace(/^<none>$/, ''),
    },
  };
}

/**
 * The merge patch that applies a (new) Scale to its workload. The Scale's resourceVersion, when
 * set, is the workload's, so the write is refused (409) if the workload changed since it was read.
 */
function scaleToPatch(name: string, scale: unknown): Record<string, unknown> {
  if (!isPlainObject(scale)) throw badRequest('the body must be an autoscaling/v1 Scale object');
  const replicas = at(scale, 'spec', 'replicas');
  if (
    replicas !== undefined &&
    (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
  ) {
    throw invalid({ group: 'autoscaling', resource: 'scale', kind: 'Scale' }, name, [
      {
        type: 'Invalid',
        field: 'spec.replicas',
        value: replicas,
        detail: 'must be greater than or equal to 0',
      },
    ]);
  }
  const resourceVersion = at(scale, 'metadata', 'resourceVersion');
  const patch: Record<string, unknown> = { spec: { replicas: replicas ?? 0 } };
  if (typeof resourceVersion === 'string' && resourceVersion !== '') patch.metadata = { resourceVersion };
  return patch;
}

export const scaleView: SubresourceView = {
  definition: scaleDefinition,
  fromObject: toScale,
  toPatch: scaleToPatch,
};
