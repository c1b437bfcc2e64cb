import { deepClone, isPlainObject } from '../object.js';
import { ownValue, setOwn } from '../own-keys.js';

/**
 * RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, anything else (arrays
 * included) replaces. Returns a new value; the target is not modified.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? deepClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      setOwn(result, key, applyMergePatch(ownValue(result, key), value));
    }
  }
  return result;
}

/**
 * Strategic merge patch for the map-shaped kinds served here: a merge patch, minus the
 * `$patch`/`$retainKeys`/`$setElementOrder` directives kubectl may add for list fields.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  return applyMergePatch(target, stripDirectives(patch));
}

function stripDirectives(patch: unknown): unknown {
  if (Array.isArray(patch)) return patch.map(stripDirectives);
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    setOwn(result, key, stripDirectives(value));
  }
  return result;
}
