import { deepClone, isPlainObject, type JsonObject } from '../object.js';
import { ownValue, setOwn } from '../own-keys.js';
import type { PatchMeta } from '../patch/patch-meta.js';
import { isGranularList, itemElement, type FieldSet, type Path } from './field-set.js';

/**
 * An applied configuration merged onto the live object: maps merge field by field, list-type maps
 * merge their items by key, sets take the union, atomic lists and scalars take the applied value.
 * A null in the configuration removes the field. Neither input is modified.
 */
export function mergeApplied(live: unknown, applied: unknown, meta: PatchMeta): unknown {
  return mergeInto(deepClone(live), applied, meta);
}

/** Merges `applied` into `target`, a copy this merge owns (changed in place where it can be). */
function mergeInto(target: unknown, applied: unknown, meta: PatchMeta): unknown {
  if (isPlainObject(applied) && isPlainObject(target) && !meta.atomicMap) {
    for (const [key, value] of Object.entries(applied)) {
      if (value === null) delete target[key];
      else setOwn(target, key, mergeInto(ownValue(target, key), value, meta.field(key)));
    }
    return target;
  }
  if (isGranularList(target, meta) && isGranularList(applied, meta)) {
    const at = new Map(target.map((item, i) => [itemElement(item, meta)!, i] as const));
    for (const item of applied) {
      const index = at.get(itemElement(item, meta)!);
      if (index === undefined) target.push(withoutNulls(item));
      else if (meta.listType === 'map') target[index] = mergeInto(target[index], item, meta.items());
    }
    return target;
  }
  return withoutNulls(applied);
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isPlainObject(value)) return value;
  const result: JsonObject = {};
  for (const [key, item] of Object.entries(value)) if (item !== null) setOwn(result, key, withoutNulls(item));
  return result;
}

/** Removes the fields and list items `paths` name from `object` (in place). */
export function removeFields(object: JsonObject, paths: FieldSet, meta: PatchMeta): void {
  for (const path of paths.paths()) removePath(object, path, meta);
}

function removePath(container: unknown, path: Path, meta: PatchMeta): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (head.startsWith('f:') && isPlainObject(container)) {
    const key = head.slice(2);
    if (rest.length === 0) delete container[key];
    else removePath(ownValue(container, key), rest, meta.field(key));
    return;
  }
  if (!Array.isArray(container)) return;
  const index = container.findIndex((item) => itemElement(item, meta) === head);
  if (index < 0) return;
  if (rest.length === 0) container.splice(index, 1);
  else removePath(container[index], rest, meta.items());
}
