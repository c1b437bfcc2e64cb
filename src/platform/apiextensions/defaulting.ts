import { deepClone, isPlainObject } from '../api/object.js';
import { ownValue, setOwn } from '../api/own-keys.js';

// A structural schema's `default`s, applied as kube-apiserver applies them to custom resources: a
// missing field (or a null one that is not nullable) takes its default wherever its parent object
// exists, in properties, list items and map values. The schema is reduced once to the branches that
// hold a default, so an object is walked only where a default could land (a 340 KB schema with one
// default costs a few steps per object), and a read that finds nothing missing copies nothing.

type Json = Record<string, unknown>;

export interface DefaultsPlan {
  value?: unknown;
  nullable: boolean;
  properties?: Map<string, DefaultsPlan>;
  items?: DefaultsPlan;
  additional?: DefaultsPlan;
}

/** The schema's defaults as a plan; undefined when it has none. */
export function planDefaults(schema: unknown): DefaultsPlan | undefined {
  if (!isPlainObject(schema)) return undefined;
  const plan: DefaultsPlan = { nullable: schema.nullable === true };
  let found = false;
  if (schema.default !== undefined) {
    plan.value = schema.default;
    found = true;
  }
  if (isPlainObject(schema.properties)) {
    for (const [key, child] of Object.entries(schema.properties)) {
      const sub = planDefaults(child);
      if (!sub) continue;
      (plan.properties ??= new Map()).set(key, sub);
      found = true;
    }
  }
  const items = planDefaults(schema.items);
  if (items) plan.items = items;
  const additional = planDefaults(schema.additionalProperties);
  if (additional) plan.additional = additional;
  return found || items || additional ? plan : undefined;
}

const unset = (value: unknown, plan: DefaultsPlan) =>
  value === undefined || (value === null && !plan.nullable);

/** Whether applying the plan would change `value`. */
export function lacksDefaults(plan: DefaultsPlan, value: unknown): boolean {
  if (Array.isArray(value))
    return plan.items !== undefined && value.some((item) => lacksDefaults(plan.items!, item));
  if (!isPlainObject(value)) return false;
  for (const [key, sub] of plan.properties ?? []) {
    const current = ownValue(value, key);
    if (unset(current, sub) ? sub.value !== undefined : lacksDefaults(sub, current)) return true;
  }
  if (plan.additional)
    for (const [key, item] of Object.entries(value))
      if (!plan.properties?.has(key) && lacksDefaults(plan.additional, item)) return true;
  return false;
}

/** Fills in defaults in place; `value` is the object (or part) that the plan's schema describes. */
export function applyDefaults(plan: DefaultsPlan, value: unknown): void {
  if (Array.isArray(value)) {
    if (plan.items) for (const item of value) applyDefaults(plan.items, item);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, sub] of plan.properties ?? []) {
    if (unset(ownValue(value, key), sub) && sub.value !== undefined) setOwn(value, key, deepClone(sub.value));
    applyDefaults(sub, ownValue(value, key));
  }
  if (plan.additional)
    for (const [key, item] of Object.entries(value as Json))
      if (!plan.properties?.has(key)) applyDefaults(plan.additional, item);
}
