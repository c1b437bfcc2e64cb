import { readFileSync } from 'node:fs';
import type { ResourceDefinition } from '../api/registry.js';
import type { Schema } from '../api/schema.js';

// Kubernetes' published OpenAPI v2 definitions (kubernetes-openapi.json, derived by
// scripts/generate-kubernetes-openapi.js), read on the first request that needs a built-in kind's
// schema rather than at start-up: the file is 400 KB and most requests never need it.

/** One OpenAPI v2 definition as Kubernetes publishes it: JSON schema with `$ref`s and x-kubernetes markers. */
export type PublishedDefinition = Record<string, unknown> & {
  $ref?: string;
  description?: string;
  properties?: Record<string, PublishedDefinition>;
  items?: PublishedDefinition;
  additionalProperties?: PublishedDefinition | boolean;
};

let definitions: Record<string, PublishedDefinition> | undefined;

/** Whether the file has been read: serving the platform must not read it before a request needs it. */
export function publishedDefinitionsLoaded(): boolean {
  return definitions !== undefined;
}

/** Every published definition by name (`io.k8s.api.apps.v1.Deployment`), loaded once. */
export function publishedDefinitions(): Record<string, PublishedDefinition> {
  if (!definitions) {
    const file = new URL('./kubernetes-openapi.json', import.meta.url);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as {
      definitions: Record<string, PublishedDefinition>;
    };
    definitions = parsed.definitions;
  }
  return definitions;
}

const REF_PREFIX = '#/definitions/';

/** The definition name a `$ref` points at. */
export function refName(ref: string): string {
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
}

/**
 * Definitions whose JSON form is not what their OpenAPI type says. apimachinery's decoders accept a
 * number or a string for IntOrString and Quantity, and FieldsV1 is an arbitrary field set.
 */
const SPECIAL: Record<string, (description: string | undefined) => Schema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': (description) => ({
    ...(description ? { description } : {}),
    'x-kubernetes-int-or-string': true,
  }),
  'io.k8s.apimachinery.pkg.api.resource.Quantity': (description) => ({
    ...(description ? { description } : {}),
    'x-kubernetes-int-or-string': true,
  }),
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': (description) => ({
    type: 'object',
    ...(description ? { description } : {}),
    'x-kubernetes-preserve-unknown-fields': true,
  }),
};

const resolved = new Map<string, Schema>();
/** Definitions being converted: a reference back to one of them must share it, not copy it half-built. */
const converting = new Set<string>();

/**
 * The platform's Schema for a published definition, `$ref`s resolved. Each definition is converted
 * once and shared by every schema that reaches it (recursive definitions become cycles in the
 * graph, which is fine: walks are bounded by the value they check, never by the schema).
 */
export function publishedSchema(name: string): Schema {
  const cached = resolved.get(name);
  if (cached) return cached;
  const definition = publishedDefinitions()[name];
  if (!definition) throw new Error(`no published definition ${name}`);
  const special = SPECIAL[name];
  if (special) {
    const schema = special(definition.description);
    resolved.set(name, schema);
    return schema;
  }
  // Registered before its properties are converted, so a definition that reaches itself finds it.
  const schema: Schema = {};
  resolved.set(name, schema);
  converting.add(name);
  Object.assign(schema, convert(definition));
  converting.delete(name);
  if (schema.type === 'object' && schema.properties) schema.goType = goStructType(name);
  return schema;
}

/** `io.k8s.api.apps.v1.DeploymentSpec` → `v1.DeploymentSpec`, as Go prints the type. */
function goStructType(name: string): string {
  const parts = name.split('.');
  return parts.slice(-2).join('.');
}

/** Go's type for a scalar, array or map schema, as the decoder names it in its errors. */
function goTypeOf(schema: Schema): string | undefined {
  switch (schema.type) {
    case 'integer':
      return schema.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'float64';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'array':
      return schema.items?.goType && `[]${schema.items.goType}`;
    case 'object':
      return typeof schema.additionalProperties === 'object' && schema.additionalProperties.goType
        ? `map[string]${schema.additionalProperties.goType}`
        : undefined;
    default:
      return undefined;
  }
}

const KEPT = [
  'type',
  'format',
  'description',
  'required',
  'enum',
  'default',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-preserve-unknown-fields',
] as const;

function convert(definition: PublishedDefinition): Schema {
  if (definition.$ref) {
    const name = refName(definition.$ref);
    const target = publishedSchema(name);
    // A property's own description (and patch markers) sit beside its $ref; the target is shared.
    const { $ref: _ref, ...beside } = definition;
    if (Object.keys(beside).length === 0 || converting.has(name)) return target;
    return { ...target, ...pick(beside) };
  }
  const schema = pick(definition);
  if (definition.properties) {
    schema.properties = {};
    for (const [key, property] of Object.entries(definition.properties))
      Object.defineProperty(schema.properties, key, { value: convert(property), enumerable: true });
  }
  if (definition.items) schema.items = convert(definition.items);
  if (typeof definition.additionalProperties === 'object')
    schema.additionalProperties = convert(definition.additionalProperties);
  else if (typeof definition.additionalProperties === 'boolean')
    schema.additionalProperties = definition.additionalProperties;
  const goType = goTypeOf(schema);
  if (goType) schema.goType = goType;
  return schema;
}

function pick(definition: Record<string, unknown>): Schema {
  const schema: Record<string, unknown> = {};
  for (const key of KEPT) if (definition[key] !== undefined) schema[key] = definition[key];
  return schema as Schema;
}

const components = new Map<string, Record<string, unknown>>();

/**
 * The OpenAPI v3 components for a published definition: it and every definition it reaches, as
 * kube-apiserver publishes them (a `$ref` with a description beside it becomes `allOf: [{$ref}]`,
 * which OpenAPI 3.0 requires for the description to count). Built once per definition.
 */
export function publishedComponents(name: string): Record<string, unknown> {
  const cached = components.get(name);
  if (cached) return cached;
  const result: Record<string, unknown> = {};
  const pending = [name];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (Object.hasOwn(result, next)) continue;
    const definition = publishedDefinitions()[next];
    if (!definition) continue;
    result[next] = toV3(definition, pending);
  }
  components.set(name, result);
  return result;
}

function toV3(value: unknown, refs: string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => toV3(item, refs));
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  if (typeof object.$ref === 'string') {
    const target = refName(object.$ref);
    refs.push(target);
    const ref = { $ref: `#/components/schemas/${target}` };
    const { $ref: _ref, ...beside } = object;
    return Object.keys(beside).length === 0 ? ref : { ...(toV3(beside, refs) as object), allOf: [ref] };
  }
  const converted: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(object))
    Object.defineProperty(converted, key, { value: toV3(item, refs), enumerable: true });
  return converted;
}

/**
 * Gives a kind its published schema and OpenAPI components, both read on first use (the getter
 * keeps registering a kind free of the 400 KB file until a request needs its schema).
 */
export function withPublishedSchema(definition: Omit<ResourceDefinition, 'schema'>): ResourceDefinition {
  Object.defineProperty(definition, 'schema', {
    get: () => publishedSchema(definition.schemaName),
    enumerable: true,
  });
  definition.openApiComponents = () => publishedComponents(definition.schemaName);
  return definition as ResourceDefinition;
}
