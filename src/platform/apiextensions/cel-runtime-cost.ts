import { isPlainObject } from '../api/object.js';
import { ownValue } from '../api/own-keys.js';

// What bounds CEL work at runtime. @bufbuild/cel cannot count operations as it evaluates, so each
// evaluation is charged, before it runs, the static estimate of its rule over the value actually
// at hand: the schema with every list's, map's and string's bound tightened to the largest one in
// the value (its "shape"). That is the most the evaluation can cost, so charging it before running
// keeps the limits exact: one evaluation over kube's per-call limit is not run, and an object
// stops being evaluated once its rules used up kube's per-object budget.

type Json = Record<string, unknown>;

/** kube's runtime limit for one rule evaluation (celconfig.PerCallLimit). */
export const PER_CALL_LIMIT = 1_000_000;
/** kube's runtime budget for all rule evaluations of one object (celconfig.RuntimeCELCostBudget). */
export const RUNTIME_CEL_COST_BUDGET = 10_000_000;

const larger = (a: unknown, b: unknown) =>
  typeof a === 'number' && typeof b === 'number' ? Math.max(a, b) : (a ?? b);

/** One shape that bounds both: every bound the larger, fields and items merged. */
function merge(a: Json | undefined, b: Json | undefined): Json | undefined {
  if (!a || !b) return a ?? b;
  const merged: Json = { ...a, ...b };
  for (const bound of ['maxItems', 'maxLength', 'maxProperties']) merged[bound] = larger(a[bound], b[bound]);
  merged.items = merge(a.items as Json | undefined, b.items as Json | undefined);
  merged.additionalProperties = merge(
    a.additionalProperties as Json | undefined,
    b.additionalProperties as Json | undefined,
  );
  const properties: Json = { ...(a.properties as Json | undefined) };
  for (const [key, shape] of Object.entries((b.properties as Json | undefined) ?? {}))
    properties[key] = merge(properties[key] as Json | undefined, shape as Json);
  merged.properties = properties;
  return merged;
}

/** Shapes made during one object's validation, by value and schema (a rule's self is in its parent's). */
export type Shapes = Map<object, Map<Json | undefined, Json>>;

/** The value's shape under `schema` (its type, with bounds as large as the value's own). */
export function shapeOf(value: unknown, schema: Json | undefined, done: Shapes): Json {
  if (typeof value !== 'object' || value === null) return leafShape(value, schema);
  let bySchema = done.get(value);
  const known = bySchema?.get(schema);
  if (known) return known;
  const shape = containerShape(value, schema, done);
  if (!bySchema) done.set(value, (bySchema = new Map()));
  bySchema.set(schema, shape);
  return shape;
}

function leafShape(value: unknown, schema: Json | undefined): Json {
  if (typeof value === 'string') return { type: 'string', maxLength: value.length };
  return { type: typeof schema?.type === 'string' ? schema.type : typeof value };
}

function containerShape(value: object, schema: Json | undefined, done: Shapes): Json {
  if (Array.isArray(value)) {
    const items = isPlainObject(schema?.items) ? schema.items : undefined;
    let merged: Json | undefined;
    for (const item of value) merged = merge(merged, shapeOf(item, items, done));
    return { type: 'array', maxItems: value.length, ...(merged ? { items: merged } : {}) };
  }
  if (isPlainObject(value)) {
    const declared = isPlainObject(schema?.properties) ? schema.properties : undefined;
    const additional = isPlainObject(schema?.additionalProperties) ? schema.additionalProperties : undefined;
    const properties: Json = {};
    let rest: Json | undefined;
    for (const [key, item] of Object.entries(value)) {
      const child = ownValue(declared, key);
      if (isPlainObject(child)) properties[key] = shapeOf(item, child, done);
      else rest = merge(rest, shapeOf(item, additional, done));
    }
    return {
      type: 'object',
      maxProperties: Object.keys(value).length,
      properties,
      ...(rest ? { additionalProperties: rest } : {}),
    };
  }
  return leafShape(value, schema);
}
