import { isPlainObject } from '../object.js';
import { ownValue } from '../own-keys.js';
import type { Schema } from '../schema.js';

export interface FieldProblems {
  /** Dotted paths of fields the schema does not know, e.g. `spec.colour`. */
  unknown: string[];
  /** Values of the wrong JSON type, worded like Go's json decoder. */
  typeErrors: string[];
}

/**
 * Walks a value against its schema, collecting unknown fields and type mismatches, and removes
 * the unknown fields (the apiserver prunes what it cannot decode, so they are never stored).
 */
export function checkAndPruneFields(schema: Schema, value: unknown): FieldProblems {
  const problems: FieldProblems = { unknown: [], typeErrors: [] };
  walk(schema, value, { path: '', goPath: '' }, problems);
  return problems;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return 'number';
  return typeof value;
}

function typeMatches(schema: Schema, value: unknown): boolean {
  switch (schema.type) {
    case undefined:
      return true;
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === schema.type;
  }
}

const EMBEDDED_ENVELOPE = ['apiVersion', 'kind', 'metadata'];

/** Where a value sits: its path as field errors write it, and as Go's decoder does (no indexes). */
interface Position {
  path: string;
  goPath: string;
  /** The innermost Go struct holding the value, for schemas that name their Go types. */
  goStruct?: string;
}

/** Go's decoder names the JSON type as `string`, `number`, `bool`, `array` or `object`. */
const GO_JSON_TYPES: Record<string, string> = { boolean: 'bool' };

function typeError(schema: Schema, value: unknown, at: Position): string {
  const found = jsonType(value);
  if (at.goStruct && schema.goType) {
    return `cannot unmarshal ${GO_JSON_TYPES[found] ?? found} into Go struct field ${at.goStruct}.${at.goPath} of type ${schema.goType}`;
  }
  return `cannot unmarshal ${found} into field ${at.path || '<root>'} of type ${schema.type}`;
}

function walk(schema: Schema, value: unknown, at: Position, problems: FieldProblems): void {
  // null means "unset" in Kubernetes JSON for every field type.
  if (value === null || value === undefined) return;
  if (!typeMatches(schema, value)) {
    problems.typeErrors.push(typeError(schema, value, at));
    return;
  }
  if (Array.isArray(value)) {
    if (schema.items)
      value.forEach((item, i) =>
        walk(schema.items as Schema, item, { ...at, path: `${at.path}[${i}]` }, problems),
      );
    return;
  }
  if (!isPlainObject(value) || schema['x-kubernetes-preserve-unknown-fields']) return;
  // A Go struct's fields are reported as `Struct.path.to.field`.
  const goStruct = schema.properties && schema.goType ? schema.goType.split('.').pop() : at.goStruct;
  for (const key of Object.keys(value)) {
    const childPath = at.path ? `${at.path}.${key}` : key;
    const position: Position = {
      path: childPath,
      goPath: at.goPath ? `${at.goPath}.${key}` : key,
      ...(goStruct ? { goStruct } : {}),
    };
    // An embedded object's envelope is implied, whatever its schema lists.
    if (
      schema['x-kubernetes-embedded-resource'] &&
      EMBEDDED_ENVELOPE.includes(key) &&
      !ownValue(schema.properties, key)
    )
      continue;
    const child = ownValue(schema.properties, key);
    if (child) {
      walk(child, value[key], position, problems);
    } else if (isPlainObject(schema.additionalProperties)) {
      walk(schema.additionalProperties, value[key], position, problems);
    } else if (schema.additionalProperties !== true && schema.properties) {
      problems.unknown.push(childPath);
      delete value[key];
    }
  }
}
