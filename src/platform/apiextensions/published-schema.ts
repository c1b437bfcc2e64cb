import type { Schema } from '../api/schema.js';
import { publishedDefinitions } from '../builtin/published-definitions.js';

// Kubernetes' published OpenAPI definitions (builtin/published-definitions.ts loads them on first use),
// turned into the inline schemas the registry serves: `$ref`s are resolved, and a definition that refers to
// itself (JSONSchemaProps does, through properties, items and allOf) is cut at the second visit to an
// open object that keeps what it holds, so explain and validation stay finite.

type Json = Record<string, unknown>;

const REF_PREFIX = '#/definitions/';

const published = () => publishedDefinitions() as Readonly<Record<string, Json>>;

function inline(node: unknown, open: readonly string[]): unknown {
  if (Array.isArray(node)) return node.map((item) => inline(item, open));
  if (node === null || typeof node !== 'object') return node;
  const object = node as Json;
  const ref = typeof object.$ref === 'string' ? object.$ref : undefined;
  if (ref?.startsWith(REF_PREFIX)) {
    const name = ref.slice(REF_PREFIX.length);
    const description = typeof object.description === 'string' ? { description: object.description } : {};
    const target = published()[name];
    if (!target || open.includes(name))
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...description };
    return { ...(inline(target, [...open, name]) as Json), ...description };
  }
  const result: Json = {};
  for (const [key, value] of Object.entries(object)) result[key] = inline(value, open);
  return result;
}

const inlined = new Map<string, Schema>();

/** The published definition `name` (e.g. `io.k8s.api.core.v1.ConfigMap`) with every reference inlined. */
export function publishedSchema(name: string): Schema {
  let schema = inlined.get(name);
  if (!schema) {
    if (!published()[name]) throw new Error(`no published OpenAPI definition ${name}`);
    schema = inline({ $ref: `${REF_PREFIX}${name}` }, []) as Schema;
    inlined.set(name, schema);
  }
  return schema;
}
