import { isPlainObject } from '../api/object.js';

// Reading and defaulting fields of stored objects, which are JSON of unchecked shape: a hook must
// never throw on a field of the wrong type (the schema check reports that), only skip it.

export type Json = Record<string, unknown>;

/** The value at `path` (`['spec', 'template']`), or undefined where any step is missing or not an object. */
export function at(object: unknown, ...path: string[]): unknown {
  let current: unknown = object;
  for (const key of path) {
    if (!isPlainObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** The object at `path`, created where missing; undefined when something else is in the way. */
export function objectAt(object: Json, ...path: string[]): Json | undefined {
  let current: Json = object;
  for (const key of path) {
    const next = Object.hasOwn(current, key) ? current[key] : undefined;
    if (next === undefined || next === null) current = current[key] = {};
    else if (isPlainObject(next)) current = next;
    else return undefined;
  }
  return current;
}

/** Sets each field that is absent (undefined or null), as the apiserver's defaulters do. */
export function defaults(target: Json | undefined, values: Json): void {
  if (!target) return;
  for (const [key, value] of Object.entries(values)) {
    const present = Object.hasOwn(target, key) ? target[key] : undefined;
    if (present === undefined || present === null) target[key] = value;
  }
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
