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
