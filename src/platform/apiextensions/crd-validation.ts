import { isPlainObject, jsonObjects, type KubeObject } from '../api/object.js';
import { dnsSubdomainName } from '../api/validation/names.js';
import { patternErrors } from '../api/validation/schema-pattern.js';
import type { FieldError } from '../http/errors.js';
import { ruleCostErrors } from './cel-cost.js';
import { compileRules } from './cel-rules.js';
import { structuralSchemaErrors } from './structural-schema.js';

// What kube-apiserver checks of a CustomResourceDefinition before storing it, worded as it words
// them (apiextensions' validation): the name is `<plural>.<group>`, the group a domain with a dot,
// names are DNS-1035 labels, exactly one storage version and at least one served, every version
// has a structural schema whose x-kubernetes-validations compile, and the scale subresource's
// paths point under .spec and .status. Anything else the published schema of the kind describes
// was already type-checked when the body was decoded.

const DNS1035_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035 = new RegExp(`^${DNS1035_FMT}$`);
const DNS1035_MESSAGE = `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${DNS1035_FMT}')`;
const COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function dns1035(value: string, field: string, errors: FieldError[]): void {
  if (value.length > 63)
    errors.push({ type: 'Invalid', field, value, detail: 'must be no more than 63 characters' });
  if (!DNS1035.test(value)) errors.push({ type: 'Invalid', field, value, detail: DNS1035_MESSAGE });
}

function validateNames(names: Record<string, unknown>, errors: FieldError[]): void {
  const plural = str(names.plural) ?? '';
  const kind = str(names.kind) ?? '';
  if (!plural) errors.push({ type: 'Required', field: 'spec.names.plural' });
  else dns1035(plural, 'spec.names.plural', errors);
  const singular = str(names.singular);
  if (singular) dns1035(singular, 'spec.names.singular', errors);
  if (!kind) errors.push({ type: 'Required', field: 'spec.names.kind' });
  else dns1035(kind.toLowerCase(), 'spec.names.kind', errors);
  const listKind = str(names.listKind);
  if (listKind) dns1035(listKind.toLowerCase(), 'spec.names.listKind', errors);
  if (listKind && listKind === kind)
    errors.push({
      type: 'Invalid',
      field: 'spec.names.listKind',
      value: listKind,
      detail: 'kind and listKind cannot be the same',
    });
  const lists: [string, unknown][] = [
    ['shortNames', names.shortNames],
    ['categories', names.categories],
  ];
  for (const [field, list] of lists) {
    if (!Array.isArray(list)) continue;
    list.forEach((item, i) => {
      if (typeof item === 'string') dns1035(item, `spec.names.${field}[${i}]`, errors);
    });
  }
}

function validateVersion(version: Record<string, unknown>, i: number, errors: FieldError[]): void {
  const path = `spec.versions[${i}]`;
  const name = str(version.name) ?? '';
  if (!name) errors.push({ type: 'Required', field: `${path}.name` });
  else dns1035(name, `${path}.name`, errors);
  const schema = isPlainObject(version.schema) ? version.schema.openAPIV3Schema : undefined;
  const schemaPath = `${path}.schema.openAPIV3Schema`;
  if (!isPlainObject(schema)) {
    errors.push({ type: 'Required', field: schemaPath, detail: 'schemas are required' });
  } else {
    errors.push(...structuralSchemaErrors(schema, schemaPath));
    errors.push(...patternErrors(schema, schemaPath));
    for (const failed of compileRules(schema, schemaPath).errors)
      errors.push({
        type: 'Invalid',
        field: `${failed.path}.x-kubernetes-validations[${failed.index}].rule`,
        value: failed.rule,
        detail: `compilation failed: ${failed.message}`,
      });
    errors.push(...ruleCostErrors(schema, schemaPath));
  }
  const scale = isPlainObject(version.subresources) ? version.subresources.scale : undefined;
  if (isPlainObject(scale)) {
    const specPath = str(scale.specReplicasPath) ?? '';
    const scalePath = `${path}.subresources.scale`;
    if (!specPath) errors.push({ type: 'Required', field: `${scalePath}.specReplicasPath` });
    else if (!specPath.startsWith('.spec.'))
      errors.push({
        type: 'Invalid',
        field: `${scalePath}.specReplicasPath`,
        value: specPath,
        detail: 'should be a json path under .spec',
      });
    const statusPath = str(scale.statusReplicasPath) ?? '';
    if (!statusPath) errors.push({ type: 'Required', field: `${scalePath}.statusReplicasPath` });
    else if (!statusPath.startsWith('.status.'))
      errors.push({
        type: 'Invalid',
        field: `${scalePath}.statusReplicasPath`,
        value: statusPath,
        detail: 'should be a json path under .status',
      });
  }
  jsonObjects(version.additionalPrinterColumns).forEach((column, c) => {
    const columnPath = `${path}.additionalPrinterColumns[${c}]`;
    if (!str(column.name)) errors.push({ type: 'Required', field: `${columnPath}.name` });
    if (!str(column.jsonPath)) errors.push({ type: 'Required', field: `${columnPath}.jsonPath` });
    if (!COLUMN_TYPES.includes(str(column.type) ?? ''))
      errors.push({
        type: 'Unsupported',
        field: `${columnPath}.type`,
        value: column.type ?? '',
        detail: 'supported values: "boolean", "date", "integer", "number", "string"',
      });
  });
}

function validateVersions(versions: Record<string, unknown>[], errors: FieldError[]): void {
  if (versions.length === 0) {
    errors.push({
      type: 'Required',
      field: 'spec.versions',
      detail: 'must have exactly one version marked as storage version',
    });
    return;
  }
  const names = versions.map((v) => str(v.name) ?? '');
  versions.forEach((version, i) => {
    validateVersion(version, i, errors);
    if (names.indexOf(names[i]!) !== i)
      errors.push({
        type: 'Invalid',
        field: `spec.versions[${i}].name`,
        value: names[i],
        detail: 'must be unique',
      });
  });
  if (versions.filter((v) => v.storage === true).length !== 1)
    errors.push({
      type: 'Invalid',
      field: 'spec.versions',
      value: names,
      detail: 'must have exactly one version marked as storage version',
    });
  if (!versions.some((v) => v.served === true))
    errors.push({
      type: 'Invalid',
      field: 'spec.versions',
      value: names,
      detail: 'must have at least one version marked as served',
    });
}

/** Every reason kube-apiserver would refuse this CRD; `old` is the stored one on an update. */
export function validateCrd(crd: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const spec = crd.spec;
  if (!isPlainObject(spec)) return [{ type: 'Required', field: 'spec' }];
  const group = str(spec.group) ?? '';
  if (!group) errors.push({ type: 'Required', field: 'spec.group' });
  else {
    for (const detail of dnsSubdomainName(group))
      errors.push({ type: 'Invalid', field: 'spec.group', value: group, detail });
    if (!group.includes('.'))
      errors.push({
        type: 'Invalid',
        field: 'spec.group',
        value: group,
        detail: 'should be a domain with at least one dot',
      });
  }
  const names = isPlainObject(spec.names) ? spec.names : {};
  if (!isPlainObject(spec.names)) errors.push({ type: 'Required', field: 'spec.names' });
  validateNames(names, errors);
  const name = crd.metadata.name ?? '';
  if (name !== `${str(names.plural) ?? ''}.${group}`)
    errors.push({
      type: 'Invalid',
      field: 'metadata.name',
      value: name,
      detail: 'must be spec.names.plural+"."+spec.group',
    });
  if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') {
    if (spec.scope === undefined || spec.scope === '') errors.push({ type: 'Required', field: 'spec.scope' });
    else
      errors.push({
        type: 'Unsupported',
        field: 'spec.scope',
        value: spec.scope,
        detail: 'supported values: "Cluster", "Namespaced"',
      });
  }
  if (old && isPlainObject(old.spec) && old.spec.scope !== spec.scope)
    errors.push({ type: 'Invalid', field: 'spec.scope', value: spec.scope, detail: 'field is immutable' });
  validateVersions(jsonObjects(spec.versions), errors);
  if (spec.preserveUnknownFields === true)
    errors.push({
      type: 'Invalid',
      field: 'spec.preserveUnknownFields',
      value: true,
      detail:
        'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
    });
  const conversion = isPlainObject(spec.conversion) ? spec.conversion : undefined;
  if (conversion && conversion.strategy !== undefined && conversion.strategy !== 'None')
    errors.push({
      type: 'Unsupported',
      field: 'spec.conversion.strategy',
      value: conversion.strategy,
      detail: 'supported values: "None" (this platform calls no conversion webhooks)',
    });
  return errors;
}
