import { deepClone, deepEqual, isPlainObject, type JsonObject } from '../object.js';
import { hasOwn, ownValue, setOwn } from '../own-keys.js';
import type { PatchMeta } from './patch-meta.js';

// Strategic merge patch as apimachinery's strategicpatch package applies it on the server
// (MergeParallelList and IgnoreUnmatchedNulls set): maps merge, lists follow their field's
// x-kubernetes-patch-strategy (merge by x-kubernetes-patch-merge-key, or replace), and the
// directives kubectl sends steer it: `$patch`, `$retainKeys`, `$setElementOrder/<list>` and
// `$deleteFromPrimitiveList/<list>`.

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/** A patch kube-apiserver refuses as a bad request (a malformed directive, a list item without its merge key). */
export class StrategicPatchError extends Error {}

/** Applies `patch` to `original` for a kind whose fields `meta` describes. Neither input is modified. */
export function applyStrategicMergePatch(original: unknown, patch: unknown, meta: PatchMeta): unknown {
  if (!isPlainObject(patch)) throw new StrategicPatchError('a strategic merge patch must be a JSON object');
  const target = isPlainObject(original) ? deepClone(original) : {};
  return mergeMap(target, deepClone(patch), meta);
}

function mergeMap(original: JsonObject, patch: JsonObject, meta: PatchMeta): JsonObject {
  if (hasOwn(patch, DIRECTIVE)) return mapDirective(patch);
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, meta);
  for (const [rawKey, patchValue] of Object.entries(patch)) {
    if (rawKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const deleting = rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = deleting ? rawKey.slice(DELETE_FROM_PRIMITIVE_LIST.length) : rawKey;
    if (deleting) {
      if (!Array.isArray(patchValue)) {
        throw new StrategicPatchError('invalid patch format of primitive list');
      }
      const current = ownValue(original, key);
      if (Array.isArray(current))
        setOwn(
          original,
          key,
          current.filter((v) => !includes(patchValue, v)),
        );
      continue;
    }
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const field = meta.field(key);
    const current = ownValue(original, key);
    setOwn(original, key, mergeValue(current, patchValue, field));
  }
  return original;
}

/** One field's new value: maps and lists merge by the field's strategy, anything else replaces. */
function mergeValue(current: unknown, patchValue: unknown, field: PatchMeta): unknown {
  const replace = field.strategy.includes('replace');
  if (isPlainObject(patchValue)) {
    if (replace) return withoutDirectives(patchValue);
    // A map the object does not hold yet still has its directives (and nulls) applied, onto nothing.
    return mergeMap(isPlainObject(current) ? current : {}, patchValue, field);
  }
  if (Array.isArray(patchValue)) {
    if (!field.strategy.includes('merge')) return withoutDirectives(patchValue);
    return mergeList(Array.isArray(current) ? current : [], patchValue, field);
  }
  return patchValue;
}

function mapDirective(patch: JsonObject): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') {
    delete patch[DIRECTIVE];
    return withoutDirectives(patch) as JsonObject;
  }
  if (directive === 'delete') return {};
  throw new StrategicPatchError(`invalid patch type ${String(directive)} in ${JSON.stringify(patch)}`);
}

/** `$retainKeys` (retainKeys strategy): keys of the original not listed go, before the merge. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain) || !retain.every((key) => typeof key === 'string')) {
    throw new StrategicPatchError('invalid patch format of retainKeys');
  }
  // Every field the patch sets must be one the directive keeps.
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith('$')) continue;
    if (!retain.includes(key)) throw new StrategicPatchError('invalid patch format of retainKeys');
  }
  for (const key of Object.keys(original)) if (!retain.includes(key)) delete original[key];
}

/**
 * `$setElementOrder/<list>`: merge the list's patch, then order the result as the directive lists
 * the items, keeping items only the server holds where they were relative to the others.
 */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, meta: PatchMeta): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    if (!Array.isArray(order)) {
      throw new StrategicPatchError('invalid patch format of setElementOrder list');
    }
    const key = directiveKey.slice(SET_ELEMENT_ORDER.length);
    const field = meta.field(key);
    const current = ownValue(original, key);
    const currentList = Array.isArray(current) ? current : [];
    const patchList = ownValue(patch, key);
    if (patchList === null) continue;
    let merged = currentList;
    if (patchList !== undefined) {
      if (!Array.isArray(patchList)) {
        throw new StrategicPatchError('invalid patch format of setElementOrder list');
      }
      refuseOrderMismatch(patchList, order, itemIdentity(field.mergeKey));
      merged = field.strategy.includes('merge')
        ? mergeList(currentList, patchList, field)
        : (withoutDirectives(patchList) as unknown[]);
      delete patch[key];
    }
    const identity = itemIdentity(field.mergeKey);
    const inOrder = merged.filter((item) => order.some((o) => identity(o) === identity(item)));
    const serverOnly = merged.filter((item) => !order.some((o) => identity(o) === identity(item)));
    const result = interleave(
      sortBy(inOrder, order, identity),
      sortBy(serverOnly, currentList, identity),
      currentList,
      identity,
    );
    if (result.length === 0 && current === undefined) continue;
    setOwn(original, key, result);
  }
}

/**
 * apimachinery's validatePatchWithSetOrderList: the patch's items (deletions aside) must appear in
 * the $setElementOrder list, in the same relative order.
 */
function refuseOrderMismatch(patchList: unknown[], order: unknown[], identity: Identity): void {
  const items = patchList.filter((item) => !(isPlainObject(item) && hasOwn(item, DIRECTIVE)));
  let at = 0;
  for (const wanted of order) {
    if (at < items.length && identity(items[at]) === identity(wanted)) at++;
  }
  if (at < items.length) {
    throw new StrategicPatchError(
      `The order in patch list:\n${JSON.stringify(patchList)}\n doesn't match $setElementOrder list:\n${JSON.stringify(order)}\n`,
    );
  }
}

/** The merge strategy for a list: scalars union, maps merge by the merge key, `$patch` items steer. */
function mergeList(original: unknown[], patch: unknown[], field: PatchMeta): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const ofMaps = [...original, ...patch].some(isPlainObject);
  let merged: unknown[];
  let patchItems: unknown[];
  if (!ofMaps) {
    patchItems = patch;
    merged = dedupe([...original, ...patch]);
  } else {
    const mergeKey = field.mergeKey;
    if (!mergeKey) throw new StrategicPatchError('cannot merge lists without merge key');
    const special = listDirectives(original, patch, mergeKey);
    if (special.replace) return special.patch;
    patchItems = special.patch;
    merged = special.original.slice();
    for (const item of patchItems) {
      if (!isPlainObject(item) || !hasOwn(item, mergeKey)) {
        throw new StrategicPatchError(
          `map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`,
        );
      }
      const at = merged.findIndex(
        (o) => isPlainObject(o) && deepEqual(ownValue(o, mergeKey), item[mergeKey]),
      );
      if (at < 0) merged.push(mergeMap({}, item, field.items()));
      else merged[at] = mergeMap(merged[at] as JsonObject, item, field.items());
    }
  }
  // Items the patch names come in the patch's order; the server's others keep their places.
  const identity = itemIdentity(field.mergeKey);
  const named = merged.filter((item) => patchItems.some((p) => identity(p) === identity(item)));
  const serverOnly = merged.filter((item) => !patchItems.some((p) => identity(p) === identity(item)));
  return interleave(
    sortBy(named, patchItems, identity),
    sortBy(serverOnly, original, identity),
    original,
    identity,
  );
}

/** `$patch: delete` items remove by merge key, `$patch: replace` makes the patch's items the list. */
function listDirectives(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
): { original: unknown[]; patch: unknown[]; replace: boolean } {
  let kept = original;
  const plain: unknown[] = [];
  let replace = false;
  for (const item of patch) {
    if (!isPlainObject(item) || !hasOwn(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      if (!hasOwn(item, mergeKey)) {
        throw new StrategicPatchError(
          `map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`,
        );
      }
      kept = kept.filter((o) => !(isPlainObject(o) && deepEqual(ownValue(o, mergeKey), item[mergeKey])));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw new StrategicPatchError('merging lists cannot yet be specified in the patch');
    } else {
      throw new StrategicPatchError(`invalid patch type ${String(directive)} in ${JSON.stringify(item)}`);
    }
  }
  return { original: kept, patch: replace ? plain.map(withoutDirectives) : plain, replace };
}

type Identity = (item: unknown) => string;

/** Items are the same list entry when their merge keys match (scalars: when they are equal). */
function itemIdentity(mergeKey: string | undefined): Identity {
  return (item) =>
    JSON.stringify(mergeKey !== undefined && isPlainObject(item) ? ownValue(item, mergeKey) : item) ?? '';
}

function sortBy(items: unknown[], order: unknown[], identity: Identity): unknown[] {
  const position = new Map(order.map((item, i) => [identity(item), i] as const));
  return items
    .map((item, i) => ({ item, rank: position.get(identity(item)) ?? order.length + i }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ item }) => item);
}

/**
 * apimachinery's mergeSortedSlice: walks both sorted lists, taking the server's item first only
 * when both items are in the server's list and the server's comes earlier there.
 */
function interleave(
  fromPatch: unknown[],
  serverOnly: unknown[],
  serverOrder: unknown[],
  identity: Identity,
): unknown[] {
  const position = new Map(serverOrder.map((item, i) => [identity(item), i] as const));
  const result: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (j >= fromPatch.length) result.push(serverOnly[i++]);
    else if (i >= serverOnly.length) result.push(fromPatch[j++]);
    else {
      const left = position.get(identity(serverOnly[i]));
      const right = position.get(identity(fromPatch[j]));
      if (left !== undefined && right !== undefined && left < right) result.push(serverOnly[i++]);
      else result.push(fromPatch[j++]);
    }
  }
  return result;
}

function dedupe(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = JSON.stringify(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function includes(list: unknown[], value: unknown): boolean {
  return list.some((item) => deepEqual(item, value));
}

/** A value taken whole (a replaced list or map): its directives mean nothing there, so they go. */
function withoutDirectives(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.filter((item) => !(isPlainObject(item) && hasOwn(item, DIRECTIVE))).map(withoutDirectives);
  }
  if (!isPlainObject(value)) return value;
  const result: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('$')) continue;
    if (item === null) continue;
    setOwn(result, key, withoutDirectives(item));
  }
  return result;
}
