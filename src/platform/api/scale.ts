import { badRequest } from '../http/errors.js';
import { deepClone, isPlainObject, type KubeObject } from './object.js';
import type { ScaleSubresource } from './registry.js';

// The scale subresource as the apiserver serves it for custom resources: an autoscaling/v1 Scale
// read from the object's spec and status replicas paths (and label selector path), and written
// back by setting the spec path alone. The paths are the simple `.a.b` form CRDs use.

const segments = (path: string) => path.replace(/^\./, '').split('.').filter(Boolean);

function read(object: unknown, path: string): unknown {
  let current = object;
  for (const segment of segments(path))
    current = isPlainObject(current) && Object.hasOwn(current, segment) ? current[segment] : undefined;
  return current;
}

function write(object: Record<string, unknown>, path: string, value: unknown): void {
  const parts = segments(path);
  let current = object;
  for (const segment of parts.slice(0, -1)) {
    const next = Object.hasOwn(current, segment) ? current[segment] : undefined;
    if (!isPlainObject(next)) {
      const created: Record<string, unknown> = {};
      Object.defineProperty(current, segment, {
        value: created,
        writable: true,
        enumerable: true,
        configurable: true,
      });
      current = created;
    } else current = next;
  }
  const last = parts.at(-1);
  if (last)
    Object.defineProperty(current, last, { value, writable: true, enumerable: true, configurable: true });
}

export function toScale(object: KubeObject, paths: ScaleSubresource): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  const replicas = read(object, paths.specReplicasPath);
  const statusReplicas = paths.statusReplicasPath ? read(object, paths.statusReplicasPath) : undefined;
  const selector = paths.labelSelectorPath ? read(object, paths.labelSelectorPath) : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, ...(namespace ? { namespace } : {}), uid, resourceVersion, creationTimestamp },
    spec: { replicas: typeof replicas === 'number' ? replicas : 0 },
    status: {
      replicas: typeof statusReplicas === 'number' ? statusReplicas : 0,
      ...(typeof selector === 'string' ? { selector } : {}),
    },
  };
}

/** The object with the Scale's replicas written to its spec path (and its resourceVersion, if any). */
export function applyScale(object: KubeObject, scale: unknown, paths: ScaleSubresource): KubeObject {
  if (!isPlainObject(scale)) throw badRequest('a Scale must be a JSON object');
  const spec = scale.spec;
  const replicas = isPlainObject(spec) ? spec.replicas : undefined;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas)))
    throw badRequest('Scale.spec.replicas must be an integer');
  const next = deepClone(object);
  write(next as unknown as Record<string, unknown>, paths.specReplicasPath, replicas ?? 0);
  const metadata = isPlainObject(scale.metadata) ? scale.metadata : {};
  if (typeof metadata.resourceVersion === 'string' && metadata.resourceVersion)
    next.metadata.resourceVersion = metadata.resourceVersion;
  else delete next.metadata.resourceVersion;
  return next;
}
