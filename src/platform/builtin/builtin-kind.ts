import type { MessageDescriptor } from '../api/protobuf/messages.js';
import type { ResourceDefinition, ResourceHooks, Scope, TableColumn } from '../api/registry.js';
import type { KubeObject } from '../api/object.js';
import { STANDARD_VERBS } from '../api/resources/common.js';
import type { Schema } from '../api/schema.js';
import { dnsSubdomainName } from '../api/validation/names.js';
import { publishedComponents, publishedDefinitions, publishedSchema } from './published-definitions.js';

/** What differs between two built-in kinds; the rest is the same for all of them. */
export interface BuiltinKind {
  group: string;
  version: string;
  kind: string;
  resource: string;
  /** The published OpenAPI definition, e.g. `io.k8s.api.apps.v1.Deployment`. */
  schemaName: string;
  scope?: Scope;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  verbs?: string[];
  columns: TableColumn[];
  cells(object: KubeObject, now: Date): unknown[];
  hooks?: ResourceHooks;
  validateName?: (name: string) => string[];
  protobuf?: MessageDescriptor;
  fieldSelectors?: ResourceDefinition['fieldSelectors'];
  views?: ResourceDefinition['views'];
  nameColumnLast?: boolean;
}

/**
 * A ResourceDefinition whose schema and description come from Kubernetes' published definitions.
 * Both are read on first use, so registering a kind costs nothing until a request needs it.
 */
export function builtinKind(spec: BuiltinKind): ResourceDefinition {
  const definition: ResourceDefinition = {
    group: spec.group,
    version: spec.version,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    resource: spec.resource,
    singular: spec.kind.toLowerCase(),
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    scope: spec.scope ?? 'Namespaced',
    verbs: spec.verbs ?? STANDARD_VERBS,
    subresources: spec.subresources ?? [],
    get description(): string {
      return publishedDescription(spec.schemaName);
    },
    schemaName: spec.schemaName,
    get schema(): Schema {
      return publishedSchema(spec.schemaName);
    },
    validateName: spec.validateName ?? dnsSubdomainName,
    columns: spec.columns,
    cells: spec.cells,
    openApiComponents: () => publishedComponents(spec.schemaName),
  };
  if (spec.hooks) definition.hooks = spec.hooks;
  if (spec.protobuf) definition.protobuf = spec.protobuf;
  if (spec.fieldSelectors) definition.fieldSelectors = spec.fieldSelectors;
  if (spec.views) definition.views = spec.views;
  if (spec.nameColumnLast) definition.nameColumnLast = true;
  return definition;
}

/** A definition's description, the text discovery and `kubectl explain` show first. */
export function publishedDescription(schemaName: string): string {
  const description = publishedDefinitions()[schemaName]?.description;
  return typeof description === 'string' ? description : '';
}
