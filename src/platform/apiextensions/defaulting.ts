import { deepClone, isPlainObject } from '../api/object.js';
import { ownValue, setOwn } from '../api/own-keys.js';

// A structural schema's `default`s, applied as kube-apiserver applies them to custom resources: a
// missing field (or a null one that is not nullable) takes its default wherever its parent object
// exists, in properties, list items and map values. Deciding once whether a schema has any default
// lets reads of kinds without defaults skip the walk.

type Json = Record<string, unknown>;

export function hasDefaults(schema: unknown): boolean {
  if (!isPlainObject(schema)) return false;
  if (schema.default !== undefined) return true;
  if (isPlainObject(schema.properties) && Object.values(schema.properties).some(hasDefaults)) return true;
  return hasDefaults(schema.items) || hasDefaults(schema.additionalProperties);
}

/** Fills in defaults in place; `value` is the object (or part) that `schema` describes. */
export function applyDefaults(schema: Json, value: unknown): void {
  if (Array.isArray(value)) {
    if (isPlainObject(schema.items)) for (const item of value) applyDefaults(schema.items, item);
    return;
  }
  if (!isPlainObject(value)) return;
  if (isPlainObject(schema.properties)) {
    for (const [key, child] of Object.entries(schema.properties)) {
      if (!isPlainObject(child)) continue;
      const current = ownValue(value, key);
      const unset = current === undefined || (current === null && child.nullable !== true);
      if (unset && child.default !== undefined) setOwn(value, key, deepClone(child.default));
      applyDefaults(child, ownValue(value, key));
    }
  }
  if (isPlainObject(schema.additionalProperties)) {
    const known = isPlainObject(schema.properties) ? schema.properties : {};
    for (const [key, item] of Object.entries(value))
      if (ownValue(known, key) === undefined) applyDefaults(schema.additionalProperties, item);
  }
}
