import { isPlainObject } from '../api/object.js';
import type { FieldError } from '../http/errors.js';

// The rules that make a CRD's schema structural (apiextensions' structural schema), with
// kube-apiserver's field paths (`…openAPIV3Schema.properties[spec].type`) and texts: every
// specified field has a type (unless it is int-or-string or keeps unknown fields), properties and
// additionalProperties exclude each other, the root is an object whose metadata says nothing beyond
// name and generateName, and list types are well formed.

type Json = Record<string, unknown>;

const LIST_TYPES = ['atomic', 'set', 'map'];

function checkNode(node: Json, path: string, errors: FieldError[], where: 'root' | 'field' | 'item'): void {
  const untyped = node.type === undefined || node.type === '';
  if (untyped && !node['x-kubernetes-int-or-string'] && !node['x-kubernetes-preserve-unknown-fields']) {
    const detail =
      where === 'root'
        ? 'must not be empty at the root'
        : where === 'item'
          ? 'must not be empty for specified array items'
          : 'must not be empty for specified object fields';
    errors.push({ type: 'Required', field: `${path}.type`, detail });
  }
  if (
    node.properties !== undefined &&
    node.additionalProperties !== undefined &&
    node.additionalProperties !== false
  )
    errors.push({
      type: 'Forbidden',
      field: `${path}.additionalProperties`,
      detail: 'additionalProperties and properties are mutual exclusive',
    });
  const listType = node['x-kubernetes-list-type'];
  if (listType !== undefined) {
    if (typeof listType !== 'string' || !LIST_TYPES.includes(listType))
      errors.push({
        type: 'Unsupported',
        field: `${path}.x-kubernetes-list-type`,
        value: listType,
        detail: 'supported values: "atomic", "map", "set"',
      });
    else if (node.type !== 'array')
      errors.push({
        type: 'Invalid',
        field: `${path}.x-kubernetes-list-type`,
        value: listType,
        detail: 'must only be used on type array',
      });
    const keys = node['x-kubernetes-list-map-keys'];
    if (listType === 'map' && (!Array.isArray(keys) || keys.length === 0))
      errors.push({
        type: 'Required',
        field: `${path}.x-kubernetes-list-map-keys`,
        detail: 'must not be empty if x-kubernetes-list-type is map',
      });
  }
  if (isPlainObject(node.properties)) {
    for (const [key, child] of Object.entries(node.properties))
      if (isPlainObject(child)) checkNode(child, `${path}.properties[${key}]`, errors, 'field');
  }
  if (isPlainObject(node.items)) checkNode(node.items, `${path}.items`, errors, 'item');
  if (isPlainObject(node.additionalProperties))
    checkNode(node.additionalProperties, `${path}.additionalProperties`, errors, 'field');
}

/** Problems that make `schema` (a version's openAPIV3Schema, found at `path`) not structural. */
export function structuralSchemaErrors(schema: Json, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (schema.type !== undefined && schema.type !== 'object')
    errors.push({
      type: 'Invalid',
      field: `${path}.type`,
      value: schema.type,
      detail: 'must be object at the root',
    });
  checkNode(schema, path, errors, 'root');
  const metadata = isPlainObject(schema.properties) ? schema.properties.metadata : undefined;
  if (isPlainObject(metadata)) {
    const fields = isPlainObject(metadata.properties) ? Object.keys(metadata.properties) : [];
    const allowed = Object.keys(metadata).every((key) => ['type', 'properties', 'description'].includes(key));
    if (!allowed || fields.some((field) => field !== 'name' && field !== 'generateName'))
      errors.push({
        type: 'Forbidden',
        field: `${path}.properties[metadata]`,
        detail:
          'must not specify anything other than name and generateName, but metadata is implicitly specified',
      });
  }
  return errors;
}
