import type { FieldError } from '../../http/errors.js';
import { deepEqual, isPlainObject } from '../object.js';
import { ownValue } from '../own-keys.js';
import { schemaPattern } from './schema-pattern.js';

// Validates a value against an OpenAPI v3 schema the way the apiserver validates custom resources
// (kube-openapi's validator, with apiextensions' conversion to field errors): every violation is a
// FieldError on the dotted path of the offending value, worded as kubectl users know it, e.g.
// `spec.version: Required value` or `spec.storage: Invalid value: "lots": spec.storage in body
// should match '^[0-9]+Gi$'`. Unknown fields are not reported here (they are pruned, or refused
// under fieldValidation=Strict, before validation), except under `additionalProperties: false`.

export interface OpenApiSchema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(schema: OpenApiSchema, value: unknown): boolean {
  if (schema['x-kubernetes-int-or-string'])
    return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
  switch (schema.type) {
    case undefined:
    case '':
      return true;
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'string':
    case 'boolean':
      return typeof value === schema.type;
    default:
      return true;
  }
}

const child = (path: string, key: string) => (path ? `${path}.${key}` : key);
const label = (path: string) => path || '<root>';

function invalid(path: string, value: unknown, detail: string): FieldError {
  return { type: 'Invalid', field: label(path), value, detail: `${label(path)} in body ${detail}` };
}

/** Every violation of `schema` by `value`, with `path` the dotted path of `value` ('' at the top). */
export function validateOpenApi(schema: OpenApiSchema, value: unknown, path = ''): FieldError[] {
  const errors: FieldError[] = [];
  walk(schema, value, path, errors);
  return errors;
}

function walk(schema: OpenApiSchema, value: unknown, path: string, errors: FieldError[]): void {
  // Kubernetes JSON treats null as unset; only `nullable` fields keep it, and then it is valid.
  if (value === null || value === undefined) return;
  if (!typeMatches(schema, value)) {
    const expected = schema['x-kubernetes-int-or-string'] ? 'integer,string' : schema.type;
    errors.push({
      type: 'Invalid',
      field: label(path),
      value,
      detail: `${label(path)} in body must be of type ${expected}: "${jsonType(value)}"`,
    });
    return;
  }
  if (schema.enum && !schema.enum.some((allowed) => deepEqual(allowed, value))) {
    errors.push({
      type: 'Unsupported',
      field: label(path),
      value,
      detail: `supported values: ${schema.enum.map((allowed) => JSON.stringify(allowed)).join(', ')}`,
    });
  }
  if (typeof value === 'string') checkString(schema, value, path, errors);
  else if (typeof value === 'number') checkNumber(schema, value, path, errors);
  else if (Array.isArray(value)) checkArray(schema, value, path, errors);
  else if (isPlainObject(value)) checkObject(schema, value, path, errors);
}

function checkString(schema: OpenApiSchema, value: string, path: string, errors: FieldError[]): void {
  const length = [...value].length;
  if (schema.maxLength !== undefined && length > schema.maxLength)
    errors.push(invalid(path, value, `should be at most ${schema.maxLength} chars long`));
  if (schema.minLength !== undefined && length < schema.minLength)
    errors.push(invalid(path, value, `should be at least ${schema.minLength} chars long`));
  if (schema.pattern !== undefined && schemaPattern(schema)?.test(value) === false)
    errors.push(invalid(path, value, `should match '${schema.pattern}'`));
}

function checkNumber(schema: OpenApiSchema, value: number, path: string, errors: FieldError[]): void {
  const { minimum, maximum } = schema;
  if (minimum !== undefined) {
    if (schema.exclusiveMinimum ? value <= minimum : value < minimum) {
      const bound = schema.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      errors.push(invalid(path, value, `should be ${bound} ${minimum}`));
    }
  }
  if (maximum !== undefined) {
    if (schema.exclusiveMaximum ? value >= maximum : value > maximum) {
      const bound = schema.exclusiveMaximum ? 'less than' : 'less than or equal to';
      errors.push(invalid(path, value, `should be ${bound} ${maximum}`));
    }
  }
  if (schema.multipleOf !== undefined && schema.multipleOf > 0) {
    const quotient = value / schema.multipleOf;
    if (Math.abs(quotient - Math.round(quotient)) > 1e-9)
      errors.push(invalid(path, value, `should be a multiple of ${schema.multipleOf}`));
  }
}

function checkArray(schema: OpenApiSchema, value: unknown[], path: string, errors: FieldError[]): void {
  if (schema.maxItems !== undefined && value.length > schema.maxItems)
    errors.push(invalid(path, value.length, `should have at most ${schema.maxItems} items`));
  if (schema.minItems !== undefined && value.length < schema.minItems)
    errors.push(invalid(path, value.length, `should have at least ${schema.minItems} items`));
  if (schema.uniqueItems) {
    const index = firstRepeat(value.map(canonicalJson));
    if (index >= 0) errors.push({ type: 'Duplicate', field: `${path}[${index}]`, value: value[index] });
  }
  checkListType(schema, value, path, errors);
  if (schema.items) value.forEach((item, i) => walk(schema.items!, item, `${path}[${i}]`, errors));
}

/**
 * `x-kubernetes-list-type: set` items and `map` items' keys must be unique: the first repeat is a
 * Duplicate at its index, as kube-apiserver reports it.
 */
function checkListType(schema: OpenApiSchema, value: unknown[], path: string, errors: FieldError[]): void {
  const listType = schema['x-kubernetes-list-type'];
  if (listType !== 'set' && listType !== 'map') return;
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  const identity = (item: unknown): unknown =>
    listType === 'set' || !isPlainObject(item)
      ? item
      : Object.fromEntries(keys.map((key) => [key, ownValue(item, key)]));
  const seen = new Set<string>();
  value.forEach((item, i) => {
    const id = identity(item);
    const text = canonicalJson(id);
    if (seen.has(text)) errors.push({ type: 'Duplicate', field: `${path}[${i}]`, value: id });
    else seen.add(text);
  });
}

// Uniqueness is checked through a Set of canonical texts, not by comparing every item with every
// other: a 3 MiB body holds ~100,000 items, and the pairwise check stalled the shared event loop
// for a minute at 20,000.

/** JSON with object keys sorted, so equal values (in any key order) have equal texts. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** The index of the first text seen before, or -1. */
function firstRepeat(texts: string[]): number {
  const seen = new Set<string>();
  for (const [i, text] of texts.entries()) {
    if (seen.has(text)) return i;
    seen.add(text);
  }
  return -1;
}

function checkObject(
  schema: OpenApiSchema,
  value: Record<string, unknown>,
  path: string,
  errors: FieldError[],
): void {
  for (const key of schema.required ?? []) {
    const present = ownValue(value, key);
    if (present === undefined || present === null) errors.push({ type: 'Required', field: child(path, key) });
  }
  // An embedded object must say what it is, as the apiserver requires of x-kubernetes-embedded-resource.
  if (schema['x-kubernetes-embedded-resource']) {
    for (const key of ['apiVersion', 'kind']) {
      const present = ownValue(value, key);
      if (typeof present !== 'string' || present === '')
        errors.push({ type: 'Required', field: child(path, key), detail: 'must not be empty' });
    }
  }
  const count = Object.keys(value).length;
  if (schema.maxProperties !== undefined && count > schema.maxProperties)
    errors.push(invalid(path, count, `should have at most ${schema.maxProperties} properties`));
  if (schema.minProperties !== undefined && count < schema.minProperties)
    errors.push(invalid(path, count, `should have at least ${schema.minProperties} properties`));
  for (const [key, item] of Object.entries(value)) {
    const property = ownValue(schema.properties, key);
    if (property) walk(property, item, child(path, key), errors);
    else if (isPlainObject(schema.additionalProperties))
      walk(schema.additionalProperties, item, child(path, key), errors);
    else if (
      schema.additionalProperties === false &&
      !schema['x-kubernetes-preserve-unknown-fields'] &&
      !(schema['x-kubernetes-embedded-resource'] && ['apiVersion', 'kind', 'metadata'].includes(key))
    ) {
      errors.push({
        type: 'Forbidden',
        field: child(path, key),
        detail: `${child(path, key)} in body is a forbidden property`,
      });
    }
  }
}
