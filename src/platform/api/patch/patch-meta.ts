import { publishedDefinitions, type PublishedDefinition } from '../../builtin/published-definitions.js';
import { ownValue } from '../own-keys.js';
import type { Schema } from '../schema.js';

/** A published definition, with the markers strategic merge and apply read typed. */
type PublishedSchema = PublishedDefinition & {
  type?: string;
  properties?: Record<string, PublishedSchema>;
  additionalProperties?: PublishedSchema | boolean;
  items?: PublishedSchema;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
};

export type ListType = 'atomic' | 'set' | 'map';

/**
 * What strategic merge patch and server-side apply need to know about one field: how its list or
 * map merges. A node describes the field (the markers sit on the property that holds the list);
 * `field` and `items` walk to what it contains. Unknown fields answer a node without markers, so
 * they merge as plain maps and replace as lists, and validation reports them afterwards.
 */
export interface PatchMeta {
  field(name: string): PatchMeta;
  items(): PatchMeta;
  /** x-kubernetes-patch-merge-key: the key list items are merged by. */
  readonly mergeKey?: string;
  /** x-kubernetes-patch-strategy, split on commas: `merge`, `retainKeys`, `replace`. */
  readonly strategy: readonly string[];
  /**
   * How server-side apply treats the list: the declared x-kubernetes-list-type, else what the
   * patch markers imply (a merge-keyed list is a map keyed by that key, a merged list of scalars a
   * set), else atomic.
   */
  readonly listType?: ListType;
  readonly listMapKeys?: readonly string[];
  /** x-kubernetes-map-type `atomic`: the map is replaced whole by apply. */
  readonly atomicMap: boolean;
  /** The field's default, which a list-map key takes when an item leaves it out. */
  readonly default?: unknown;
}

const NO_MARKERS: PatchMeta = {
  field: () => NO_MARKERS,
  items: () => NO_MARKERS,
  strategy: [],
  atomicMap: false,
};

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * Defaults of list-map key fields that Kubernetes' Go types declare (`+default="TCP"` on the
 * protocol of container, service and endpoint ports) but the published v2 document leaves out;
 * kube-apiserver matches `- containerPort: 80` to the live `{containerPort: 80, protocol: TCP}`.
 */
const PUBLISHED_KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' };

/** A built-in kind's markers, from Kubernetes' published definition `name` (e.g. io.k8s.api.apps.v1.Deployment). */
export function patchMetaFromDefinitions(
  name: string,
  definitions: Readonly<Record<string, PublishedSchema>> = publishedDefinitions(),
): PatchMeta | undefined {
  const root = ownValue(definitions, name);
  return root && publishedNode(root, definitions);
}

/**
 * A custom or bound kind's markers, from its structural OpenAPI v3 schema: list types and map keys
 * only (strategic merge patch is refused for these, as kube-apiserver does). `metadata` at the
 * root follows Kubernetes' ObjectMeta, as it does for a CRD.
 */
export function patchMetaFromStructural(schema: Schema): PatchMeta {
  const node = structuralNode(schema);
  return {
    ...node,
    field: (name) =>
      name === 'metadata' ? (patchMetaFromDefinitions(OBJECT_META) ?? NO_MARKERS) : node.field(name),
  };
}

// Nodes are built once per published schema object and their fields once per name: a patch walks
// the same few hundred nodes again and again.
const publishedNodes = new WeakMap<PublishedSchema, PatchMeta>();

function publishedNode(
  schema: PublishedSchema,
  definitions: Readonly<Record<string, PublishedSchema>>,
): PatchMeta {
  let node = publishedNodes.get(schema);
  if (!node) publishedNodes.set(schema, (node = buildPublishedNode(schema, definitions)));
  return node;
}

function buildPublishedNode(
  schema: PublishedSchema,
  definitions: Readonly<Record<string, PublishedSchema>>,
): PatchMeta {
  const fields = new Map<string, PatchMeta>();
  const resolved = resolve(schema, definitions);
  const mergeKey = schema['x-kubernetes-patch-merge-key'];
  const strategy = (schema['x-kubernetes-patch-strategy'] ?? '').split(',').filter(Boolean);
  const declared = schema['x-kubernetes-list-type'] ?? resolved['x-kubernetes-list-type'];
  let listType = asListType(declared);
  let listMapKeys = schema['x-kubernetes-list-map-keys'] ?? resolved['x-kubernetes-list-map-keys'];
  if (!listType && resolved.type === 'array') {
    if (strategy.includes('merge') && mergeKey) {
      listType = 'map';
      listMapKeys = [mergeKey];
    } else {
      listType = strategy.includes('merge') ? 'set' : 'atomic';
    }
  }
  return {
    field(name) {
      let field = fields.get(name);
      if (!field) {
        const property = resolved.properties ? ownValue(resolved.properties, name) : undefined;
        const additional = resolved.additionalProperties;
        const withDefault =
          property && Object.hasOwn(PUBLISHED_KEY_DEFAULTS, name) && property.default === undefined
            ? { ...property, default: PUBLISHED_KEY_DEFAULTS[name] }
            : property;
        field = withDefault
          ? publishedNode(withDefault, definitions)
          : typeof additional === 'object'
            ? publishedNode(additional, definitions)
            : NO_MARKERS;
        // Only the schema's own properties are remembered: map keys and unknown names are the
        // client's to choose, and would grow this without bound.
        if (property) fields.set(name, field);
      }
      return field;
    },
    items: () => (resolved.items ? publishedNode(resolved.items, definitions) : NO_MARKERS),
    ...(mergeKey !== undefined && { mergeKey }),
    strategy,
    ...(listType && { listType }),
    ...(listMapKeys && { listMapKeys }),
    atomicMap: (schema['x-kubernetes-map-type'] ?? resolved['x-kubernetes-map-type']) === 'atomic',
    ...(schema.default !== undefined && { default: schema.default }),
  };
}

/** Follows `$ref`s (bounded: the published definitions hold no reference cycles without a property between). */
function resolve(
  schema: PublishedSchema,
  definitions: Readonly<Record<string, PublishedSchema>>,
): PublishedSchema {
  let current = schema;
  for (let hops = 0; current.$ref !== undefined && hops < 8; hops++) {
    const target = ownValue(definitions, current.$ref.replace(/^#\/definitions\//, ''));
    if (!target) return {};
    current = target;
  }
  return current;
}

function structuralNode(schema: Schema): PatchMeta {
  const listType =
    schema.type === 'array' ? (asListType(schema['x-kubernetes-list-type']) ?? 'atomic') : undefined;
  const keys = (schema as { 'x-kubernetes-list-map-keys'?: string[] })['x-kubernetes-list-map-keys'];
  return {
    field(name) {
      const property = schema.properties ? ownValue(schema.properties, name) : undefined;
      if (property) return structuralNode(property);
      const additional = schema.additionalProperties;
      return typeof additional === 'object' ? structuralNode(additional) : NO_MARKERS;
    },
    items: () => (schema.items ? structuralNode(schema.items) : NO_MARKERS),
    strategy: [],
    ...(listType && { listType }),
    ...(listType === 'map' && keys && { listMapKeys: keys }),
    atomicMap: schema['x-kubernetes-map-type'] === 'atomic',
    ...(schema.default !== undefined && { default: schema.default }),
  };
}

function asListType(value: unknown): ListType | undefined {
  return value === 'atomic' || value === 'set' || value === 'map' ? value : undefined;
}

const cache = new WeakMap<object, PatchMeta>();

/**
 * The markers for a served kind, built once per definition: Kubernetes' published definition
 * when it names one, else the kind's own structural schema.
 */
export function patchMetaOf(kind: {
  schemaName: string;
  schema: Schema;
  customResource?: unknown;
}): PatchMeta {
  let meta = cache.get(kind);
  if (!meta) {
    meta =
      (!kind.customResource && patchMetaFromDefinitions(kind.schemaName)) ||
      patchMetaFromStructural(kind.schema);
    cache.set(kind, meta);
  }
  return meta;
}
