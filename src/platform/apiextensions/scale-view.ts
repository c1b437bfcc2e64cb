import { badRequest } from '../http/errors.js';
import { isPlainObject, type KubeObject } from '../api/object.js';
import type { SubresourceView } from '../api/registry.js';
import { scaleDefinition } from '../builtin/scale.js';

// The scale subresource as the apiserver serves it for custom resources: an autoscaling/v1 Scale read
// from the paths the CRD names (spec and status replicas, label selector), written back as a merge patch
// of the spec path alone. The paths are the simple `.a.b` form CRDs use (crd-validation checks them).

/** Where a custom resource keeps what its Scale shows (JSON paths such as `.spec.replicas`). */
export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath?: string;
  labelSelectorPath?: string;
}

const segments = (path: string) => path.replace(/^\./, '').split('.').filter(Boolean);

function read(object: unknown, path: string): unknown {
  let current = object;
  for (const segment of segments(path))
    current = isPlainObject(current) && Object.hasOwn(current, segment) ? current[segment] : undefined;
  return current;
}

/** `{a: {b: value}}` for `.a.b`; keys are plain data even when named `__proto__`. */
function nested(path: string, value: unknown): Record<string, unknown> {
  let result: unknown = value;
  for (const segment of segments(path).reverse()) {
    const level: Record<string, unknown> = {};
    Object.defineProperty(level, segment, {
      value: result,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    result = level;
  }
  return result as Record<string, unknown>;
}

export function scaleViewAt(paths: ScalePaths): SubresourceView {
  return {
    definition: scaleDefinition,
    fromObject(object: KubeObject): KubeObject {
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
    },
    toPatch(_name: string, scale: unknown): Record<string, unknown> {
      if (!isPlainObject(scale)) throw badRequest('a Scale must be a JSON object');
      const replicas = isPlainObject(scale.spec) ? scale.spec.replicas : undefined;
      if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas)))
        throw badRequest('Scale.spec.replicas must be an integer');
      const patch = nested(paths.specReplicasPath, replicas ?? 0);
      const resourceVersion = isPlainObject(scale.metadata) ? scale.metadata.resourceVersion : undefined;
      // The Scale's resourceVersion is its object's: a write from a stale read is refused (409).
      if (typeof resourceVersion === 'string' && resourceVersion !== '') {
        const metadata = isPlainObject(patch.metadata) ? patch.metadata : {};
        patch.metadata = { ...metadata, resourceVersion };
      }
      return patch;
    },
  };
}
