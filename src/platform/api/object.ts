// Plain JSON shapes of Kubernetes objects as they travel through the server. Objects stay untyped
// JSON (like unstructured.Unstructured) so one code path can serve every kind.

import { ownValue, setOwn } from './own-keys.js';

export type JsonObject = Record<string, unknown>;

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
    const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
    return keysA.length === keysB.length && keysA.every((k) => deepEqual(a[k], ownValue(b, k)));
  }
  return false;
}

/** Reads a nested field by dotted path; undefined when any step is missing. */
export function getField(obj: unknown, path: string): unknown {
  let current: unknown = obj;
  for (const step of path.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = ownValue(current, step);
  }
  return current;
}

/** The plain objects in `value` when it is an array (what a well-formed list of records holds). */
export function jsonObjects(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

/** The entry of `status.conditions` with this type, if there is one. */
export function findCondition(object: KubeObject, type: string): JsonObject | undefined {
  return jsonObjects(getField(object, 'status.conditions')).find((condition) => condition.type === type);
}

/** Returns the object at `key` inside `parent`, creating an empty one when absent. */
export function ensureObject(parent: JsonObject, key: string): JsonObject {
  const existing = ownValue(parent, key);
  if (isPlainObject(existing)) return existing;
  const created: JsonObject = {};
  setOwn(parent, key, created);
  return created;
}

/** Kubernetes timestamps are RFC 3339 with second precision. */
export function nowTimestamp(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
