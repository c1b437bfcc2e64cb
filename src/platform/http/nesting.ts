// How deep a request body may nest objects and arrays. The server walks objects recursively (merge
// patches, schema pruning and validation, deepEqual, structuredClone, JSON.stringify), and each of those
// overflows the stack somewhere between about 1,000 and 5,000 levels; a stack overflow is a 500. So every
// body is measured right after it is decoded, without recursion, and refused above the limit before any
// of that work starts. The deepest real manifests we know nest about 25 levels (OCM's Placement CRD, its
// openAPIV3Schema included); 100 leaves room for CRDs that inline a pod template and for objects that
// embed other objects (ManifestWork), and stays far below what the recursive walks survive.

import { ApiError, badRequest } from './errors.js';

export const MAX_NESTING_DEPTH = 100;

/**
 * Whether `value` nests objects and arrays more than `limit` levels deep (a scalar is 0 levels, `{}` and
 * `[]` are 1, `{"a":[]}` is 2). Iterative and stops at the first level too many, so it is safe on any value.
 */
export function nestsDeeperThan(value: unknown, limit = MAX_NESTING_DEPTH): boolean {
  // Two parallel stacks rather than one of pairs: no allocation per container.
  const containers: object[] = [];
  const depths: number[] = [];
  if (typeof value === 'object' && value !== null) {
    containers.push(value);
    depths.push(1);
  }
  while (containers.length > 0) {
    const container = containers.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    const children = Array.isArray(container) ? (container as unknown[]) : Object.values(container);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        containers.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** A request body nested too deep: 400, before anything else looks at it. */
export function bodyTooDeep(): ApiError {
  return badRequest(
    `the request body is nested more than ${MAX_NESTING_DEPTH} levels deep, the limit for objects and arrays`,
  );
}

/** Refuses a decoded request body that nests deeper than the limit. */
export function refuseDeepBody(value: unknown): void {
  if (nestsDeeperThan(value)) throw bodyTooDeep();
}

/**
 * Refuses an object a write would store (a patch's result, or an object stored before the limit existed)
 * that nests deeper than the limit: 422, since the request itself was well formed.
 */
export function refuseDeepObject(value: unknown): void {
  if (nestsDeeperThan(value))
    throw new ApiError(
      422,
      'Invalid',
      `the resulting object would be nested more than ${MAX_NESTING_DEPTH} levels deep, the limit for objects and arrays`,
    );
}
