import { readFileSync } from 'node:fs';
import type { Schema } from '../api/schema.js';

// Kubernetes' published OpenAPI definitions (src/platform/builtin/kubernetes-openapi.json, 414 KB),
// read once and only when a request first needs one, never on start-up. A definition is turned into
// the inline schema the registry serves: `$ref`s are resolved, and a definition that refers to
// itself (JSONSchemaProps does, through properties, items and allOf) is cut at the second visit to an
// open object that keeps what it holds, so explain and validation stay finite.

type Json = Record<string, unknown>;

const FILE = new URL('../builtin/kubernetes-openapi.json', import.meta.url);
const REF_PREFIX = '#/definitions/';

let definitions: Record<string, Json> | undefined;

function published(): Record<string, Json> {
  definitions ??= (JSON.parse(readFileSync(FILE, 'utf8')) as { definitions: Record<string, Json> })
    .definitions;
  return definitions;
}

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
