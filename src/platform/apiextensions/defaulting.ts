import { deepClone, isPlainObject } from '../api/object.js';
import { ownValue, setOwn } from '../api/own-keys.js';
import { ApiError } from '../http/errors.js';

// A structural schema's `default`s, applied as kube-apiserver applies them to custom resources: a
// missing field (or a null one that is not nullable) takes its default wherever its parent object
// exists, in properties, list items and map values. The schema is reduced once to the branches that
// hold a default, so an object is walked only where a default could land (a 340 KB schema with one
// default costs a few steps per object), and a read that finds nothing missing copies nothing.

type Json = Record<string, unknown>;

/**
 * The most bytes of defaults one object may gain (the request body limit): a default on every item
 * of a long list multiplies, and 10 KB on each of 100,000 empty items would be a gigabyte built
 * synchronously on the event loop every tenant shares.
 */
export const MAX_DEFAULTED_BYTES = 3 * 1024 * 1024;

export interface DefaultsPlan {
  value?: unknown;
  /** The default's JSON size, charged each time it is filled in. */
  bytes: number;
  nullable: boolean;
  properties?: Map<string, DefaultsPlan>;
  items?: DefaultsPlan;
  additional?: DefaultsPlan;
}

/** The schema's defaults as a plan; undefined when it has none. */
export function planDefaults(schema: unknown): DefaultsPlan | undefined {
  if (!isPlainObject(schema)) return undefined;
  const plan: DefaultsPlan = { nullable: schema.nullable === true, bytes: 0 };
  let found = false;
  if (schema.default !== undefined) {
    plan.value = schema.default;
    plan.bytes = JSON.stringify(schema.default)?.length ?? 0;
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

/**
 * Fills in defaults in place; `value` is the object (or part) that the plan's schema describes.
 * Throws 413 before filling in more than MAX_DEFAULTED_BYTES.
 */
export function applyDefaults(
  plan: DefaultsPlan,
  value: unknown,
  budget = { bytes: MAX_DEFAULTED_BYTES },
): void {
  if (Array.isArray(value)) {
    if (plan.items) for (const item of value) applyDefaults(plan.items, item, budget);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, sub] of plan.properties ?? []) {
    if (unset(ownValue(value, key), sub) && sub.value !== undefined) {
      budget.bytes -= sub.bytes;
      if (budget.bytes < 0)
        throw new ApiError(
          413,
          'RequestEntityTooLarge',
          `Request entity too large: defaults would add more than ${MAX_DEFAULTED_BYTES} bytes to the object`,
        );
      setOwn(value, key, deepClone(sub.value));
    }
    applyDefaults(sub, ownValue(value, key), budget);
  }
  if (plan.additional)
    for (const [key, item] of Object.entries(value as Json))
      if (!plan.properties?.has(key)) applyDefaults(plan.additional, item, budget);
}
