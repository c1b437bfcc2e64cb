import { badRequest } from '../../http/errors.js';
import type { KubeObject } from '../object.js';
import { ownValue } from '../own-keys.js';
import type { ResourceDefinition } from '../registry.js';
import {
  FieldSelectorError,
  matchesFields,
  parseFieldSelector,
  type FieldRequirement,
} from './field-selector.js';
import { matchesLabels, parseLabelSelector, SelectorParseError, type Requirement } from './label-selector.js';

/** The parsed `labelSelector` and `fieldSelector` of a list or watch. */
export interface ObjectFilter {
  labels: Requirement[];
  fields: FieldRequirement[];
}

export const MATCH_ALL: ObjectFilter = { labels: [], fields: [] };

const BUILTIN_FIELDS: Record<string, (object: KubeObject) => string | undefined> = {
  'metadata.name': (object) => object.metadata.name,
  'metadata.namespace': (object) => object.metadata.namespace,
};

function fieldGetter(
  def: ResourceDefinition,
  field: string,
): ((object: KubeObject) => string | undefined) | undefined {
  // `field` comes from the query string: `constructor` or `__proto__` must not find Object's members.
  return ownValue(BUILTIN_FIELDS, field) ?? ownValue(def.fieldSelectors, field);
}

export function parseObjectFilter(
  def: ResourceDefinition,
  labelSelector: string | null | undefined,
  fieldSelector: string | null | undefined,
): ObjectFilter {
  try {
    const filter: ObjectFilter = {
      labels: labelSelector ? parseLabelSelector(labelSelector) : [],
      fields: fieldSelector ? parseFieldSelector(fieldSelector) : [],
    };
    for (const requirement of filter.fields) {
      if (!fieldGetter(def, requirement.field)) {
        const known = ['metadata.name', 'metadata.namespace', ...Object.keys(def.fieldSelectors ?? {})];
        throw badRequest(
          `"${requirement.field}" is not a known field selector: only ${known.map((k) => `"${k}"`).join(', ')}`,
        );
      }
    }
    return filter;
  } catch (err) {
    if (err instanceof SelectorParseError || err instanceof FieldSelectorError) throw badRequest(err.message);
    throw err;
  }
}

export function matchesFilter(def: ResourceDefinition, object: KubeObject, filter: ObjectFilter): boolean {
  return (
    matchesLabels(filter.labels, object.metadata.labels) &&
    matchesFields(filter.fields, (field) => fieldGetter(def, field)?.(object))
  );
}
