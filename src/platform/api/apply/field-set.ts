import { deepEqual, isPlainObject, type JsonObject } from '../object.js';
import { hasOwn, ownValue, setOwn } from '../own-keys.js';
import type { PatchMeta } from '../patch/patch-meta.js';

// A set of field paths, as structured-merge-diff keeps them for managedFields. A path is a list of
// path elements in FieldsV1's spelling: `f:<field>`, `k:{"<key>":<value>,...}` (an item of a
// list-type map), `v:<json>` (an item of a list-type set) and `i:<n>` (never produced here: lists
// without keys are atomic).

export type Path = readonly string[];

export class FieldSet {
  /** Path elements that are in the set themselves (FieldsV1's `.` or `{}`). */
  private readonly members = new Set<string>();
  private readonly children = new Map<string, FieldSet>();

  static fromPaths(paths: Iterable<Path>): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  /** Parses metadata.managedFields[].fieldsV1. */
  static fromFieldsV1(fields: unknown): FieldSet {
    const set = new FieldSet();
    if (!isPlainObject(fields)) return set;
    for (const [element, value] of Object.entries(fields)) {
      if (element === '.') continue;
      const nested = isPlainObject(value) ? value : {};
      const keys = Object.keys(nested);
      if (keys.length === 0 || hasOwn(nested, '.')) set.members.add(element);
      if (keys.some((key) => key !== '.')) set.children.set(element, FieldSet.fromFieldsV1(nested));
    }
    return set;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    const [head, ...rest] = path as [string, ...string[]];
    if (rest.length === 0) {
      this.members.add(head);
      return;
    }
    let child = this.children.get(head);
    if (!child) this.children.set(head, (child = new FieldSet()));
    child.insert(rest);
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    const [head, ...rest] = path as [string, ...string[]];
    if (rest.length === 0) return this.members.has(head);
    return this.children.get(head)?.has(rest) ?? false;
  }

  /** Whether the set holds `path` or any path below it. */
  reaches(path: Path): boolean {
    if (path.length === 0) return !this.isEmpty();
    const [head, ...rest] = path as [string, ...string[]];
    if (rest.length === 0) return this.members.has(head) || this.children.has(head);
    return this.children.get(head)?.reaches(rest) ?? false;
  }

  /** Every path in the set, parents before their children. */
  *paths(prefix: Path = []): Generator<Path> {
    for (const element of this.elements()) {
      const path = [...prefix, element];
      if (this.members.has(element)) yield path;
      const child = this.children.get(element);
      if (child) yield* child.paths(path);
    }
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const child of this.children.values()) if (!child.isEmpty()) return false;
    return true;
  }

  // The set operations walk both trees once; a result may share untouched subtrees with its
  // inputs, so sets are not changed after they are built.
  union(other: FieldSet): FieldSet {
    const result = new FieldSet();
    for (const element of this.members) result.members.add(element);
    for (const element of other.members) result.members.add(element);
    for (const [element, child] of this.children) {
      const theirs = other.children.get(element);
      result.children.set(element, theirs ? child.union(theirs) : child);
    }
    for (const [element, child] of other.children) {
      if (!this.children.has(element)) result.children.set(element, child);
    }
    return result;
  }

  difference(other: FieldSet): FieldSet {
    const result = new FieldSet();
    for (const element of this.members) if (!other.members.has(element)) result.members.add(element);
    for (const [element, child] of this.children) {
      const theirs = other.children.get(element);
      const rest = theirs ? child.difference(theirs) : child;
      if (!rest.isEmpty()) result.children.set(element, rest);
    }
    return result;
  }

  intersection(other: FieldSet): FieldSet {
    const result = new FieldSet();
    for (const element of this.members) if (other.members.has(element)) result.members.add(element);
    for (const [element, child] of this.children) {
      const theirs = other.children.get(element);
      const both = theirs && child.intersection(theirs);
      if (both && !both.isEmpty()) result.children.set(element, both);
    }
    return result;
  }

  toFieldsV1(): JsonObject {
    const result: JsonObject = {};
    for (const element of this.elements()) {
      const child = this.children.get(element);
      const nested: JsonObject = child ? child.toFieldsV1() : {};
      if (child && this.members.has(element)) setOwn(nested, '.', {});
      setOwn(result, element, child ? sortKeys(nested) : {});
    }
    return result;
  }

  private elements(): string[] {
    return [...new Set([...this.members, ...this.children.keys()])].sort();
  }
}

function sortKeys(object: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const key of Object.keys(object).sort()) setOwn(result, key, object[key]);
  return result;
}

/** A path as structured-merge-diff prints it in conflicts: `.spec.containers[name="app"].image`. */
export function pathString(path: Path): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      if (element.startsWith('f:')) return `.${body}`;
      if (element.startsWith('v:')) return `[=${body}]`;
      if (element.startsWith('i:')) return `[${body}]`;
      const keys = JSON.parse(body) as JsonObject;
      return `[${Object.entries(keys)
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
        .join(',')}]`;
    })
    .join('');
}

/** The path element of a list item: its keys for a list-type map, its value for a set. */
export function itemElement(item: unknown, meta: PatchMeta): string | undefined {
  if (meta.listType === 'set') return `v:${JSON.stringify(item)}`;
  if (meta.listType !== 'map' || !meta.listMapKeys || !isPlainObject(item)) return undefined;
  const keys: JsonObject = {};
  for (const key of [...meta.listMapKeys].sort()) {
    const value = ownValue(item, key) ?? meta.items().field(key).default;
    if (value !== undefined) setOwn(keys, key, value);
  }
  return `k:${JSON.stringify(keys)}`;
}

/** Whether apply and ownership look inside the list's items, rather than at the list as one value. */
export function isGranularList(value: unknown, meta: PatchMeta): value is unknown[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  return value.every((item) => itemElement(item, meta) !== undefined);
}

/** Whether the map's fields are owned one by one (atomic maps and empty ones are one value). */
export function isGranularMap(value: unknown, meta: PatchMeta): value is JsonObject {
  return isPlainObject(value) && !meta.atomicMap && Object.keys(value).length > 0;
}

/**
 * The fields an applied configuration sets: every leaf, every list item (a whole item is owned
 * too), and maps only when empty or atomic. What structured-merge-diff's ToFieldSet yields.
 */
export function fieldsOf(value: unknown, meta: PatchMeta, path: Path = [], set = new FieldSet()): FieldSet {
  if (isGranularMap(value, meta)) {
    for (const [key, child] of Object.entries(value))
      fieldsOf(child, meta.field(key), [...path, `f:${key}`], set);
  } else if (isGranularList(value, meta)) {
    for (const item of value) {
      const itemPath = [...path, itemElement(item, meta)!];
      set.insert(itemPath);
      if (meta.listType === 'map') fieldsOf(item, meta.items(), itemPath, set);
    }
  } else {
    set.insert(path);
  }
  return set;
}

/** Every path of `value`, its own included: what an added or removed subtree counts as. */
function everyPath(value: unknown, meta: PatchMeta, path: Path, set: FieldSet): void {
  set.insert(path);
  if (isGranularMap(value, meta)) {
    for (const [key, child] of Object.entries(value))
      everyPath(child, meta.field(key), [...path, `f:${key}`], set);
  } else if (isGranularList(value, meta)) {
    for (const item of value) {
      const itemPath = [...path, itemElement(item, meta)!];
      if (meta.listType === 'map') everyPath(item, meta.items(), itemPath, set);
      else set.insert(itemPath);
    }
  }
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from `before` to `after`, path by path (structured-merge-diff's Compare). */
export function compare(before: unknown, after: unknown, meta: PatchMeta): Comparison {
  const result = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(before, after, meta, [], result);
  return result;
}

function compareAt(before: unknown, after: unknown, meta: PatchMeta, path: Path, out: Comparison): void {
  if (before === undefined && after === undefined) return;
  if (before === undefined) return everyPath(after, meta, path, out.added);
  if (after === undefined) return everyPath(before, meta, path, out.removed);
  if (isPlainObject(before) && isPlainObject(after) && !meta.atomicMap) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      compareAt(ownValue(before, key), ownValue(after, key), meta.field(key), [...path, `f:${key}`], out);
    }
    return;
  }
  const beforeItems = itemsByElement(before, meta);
  const afterItems = itemsByElement(after, meta);
  if (beforeItems && afterItems) {
    for (const element of new Set([...beforeItems.keys(), ...afterItems.keys()])) {
      const itemPath = [...path, element];
      const [was, is] = [beforeItems.get(element), afterItems.get(element)];
      if (meta.listType === 'map') compareAt(was, is, meta.items(), itemPath, out);
      else if (was === undefined) out.added.insert(itemPath);
      else if (is === undefined) out.removed.insert(itemPath);
    }
    return;
  }
  if (!deepEqual(before, after)) out.modified.insert(path);
}

function itemsByElement(value: unknown, meta: PatchMeta): Map<string, unknown> | undefined {
  if (!Array.isArray(value) || (meta.listType !== 'map' && meta.listType !== 'set')) return undefined;
  if (value.length > 0 && !isGranularList(value, meta)) return undefined;
  return new Map(value.map((item) => [itemElement(item, meta)!, item] as const));
}

/** The value a path names in `value`, or undefined. */
export function valueAt(value: unknown, path: Path, meta: PatchMeta): unknown {
  let current = value;
  let node = meta;
  for (const element of path) {
    if (element.startsWith('f:')) {
      if (!isPlainObject(current)) return undefined;
      current = ownValue(current, element.slice(2));
      node = node.field(element.slice(2));
    } else {
      if (!Array.isArray(current)) return undefined;
      const list = node;
      current = current.find((item) => itemElement(item, list) === element);
      node = node.items();
    }
  }
  return current;
}
