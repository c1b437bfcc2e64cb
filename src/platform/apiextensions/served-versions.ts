import { deepClone, isPlainObject, type KubeObject } from '../api/object.js';
import type { HookContext, ResourceDefinition } from '../api/registry.js';
import { scaleViewAt, type ScalePaths } from './scale-view.js';
import { AGE_COLUMN, ageCell, STANDARD_VERBS } from '../api/resources/common.js';
import { kindSchema, objectMetaSchema, type Schema } from '../api/schema.js';
import { dnsSubdomainName, pathSegmentName } from '../api/validation/names.js';
import { validateOpenApi, type OpenApiSchema } from '../api/validation/openapi-schema.js';
import { printerColumns } from '../apis/printer-columns.js';
import { versionSchema, type SchemaSpec, type SchemaVersion } from '../apis/types.js';
import { compileRules, evaluateRules } from './cel-rules.js';
import { applyDefaults, lacksDefaults, planDefaults } from './defaulting.js';

// The kinds a CRD-like spec defines (a workspace's own CustomResourceDefinition, or an
// APIResourceSchema bound in from an export), one ResourceDefinition per served version, so the
// one generic code path serves them like built-in kinds: discovery, OpenAPI, Table, CRUD, watch.
// They behave as the apiserver's custom resources do: pruned of unknown fields (refused under
// fieldValidation=Strict), defaulted on write and on read, validated against the schema's OpenAPI,
// list types and x-kubernetes-validations, status and scale subresources when the version asks
// for them, all versions stored alike (conversion strategy None: only apiVersion changes).
// Everything here is built once per spec (the caller caches by the object's identity), never per
// request.

const ENVELOPE = ['apiVersion', 'kind', 'metadata'];

/** `db.example.io` → `io.example.db`, the apiserver's OpenAPI name prefix for a CRD's group. */
function reverseDomain(group: string): string {
  return group.split('.').reverse().join('.');
}

/** The schema's own part (no envelope): what the object, minus apiVersion, kind and metadata, must meet. */
function bodySchema(raw: Record<string, unknown>): OpenApiSchema {
  const properties = isPlainObject(raw.properties) ? { ...raw.properties } : undefined;
  for (const field of ENVELOPE) delete properties?.[field];
  const required = Array.isArray(raw.required)
    ? raw.required.filter((f) => !ENVELOPE.includes(f as string))
    : undefined;
  return {
    ...(raw as OpenApiSchema),
    ...(properties ? { properties: properties as Record<string, OpenApiSchema> } : {}),
    ...(required ? { required: required as string[] } : {}),
  };
}

function scaleOf(version: SchemaVersion): ScalePaths | undefined {
  const scale = version.subresources?.scale;
  if (!isPlainObject(scale) || typeof scale.specReplicasPath !== 'string') return undefined;
  return {
    specReplicasPath: scale.specReplicasPath,
    ...(typeof scale.statusReplicasPath === 'string' ? { statusReplicasPath: scale.statusReplicasPath } : {}),
    ...(typeof scale.labelSelectorPath === 'string' ? { labelSelectorPath: scale.labelSelectorPath } : {}),
  };
}

export interface ServedVersionOptions {
  /** The description a kind without one gets, e.g. "served through an APIBinding". */
  servedBy: string;
  /** Stamps system fields on every write (bound objects carry the workspace they live in). */
  stamp?(object: KubeObject, ctx: HookContext): void;
}

function definition(
  spec: SchemaSpec,
  version: SchemaVersion,
  storageVersion: string,
  options: ServedVersionOptions,
): ResourceDefinition {
  const { group, names } = spec;
  const raw = versionSchema(version) ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const body = bodySchema(raw);
  const description =
    typeof raw.description === 'string' && raw.description
      ? raw.description
      : `${names.kind} is served in this workspace ${options.servedBy}.`;
  // The envelope is the platform's (ObjectMeta and all); the rest is the provider's schema.
  const envelope = kindSchema(description, (body.properties ?? {}) as Record<string, Schema>);
  const schema = { ...(body as Schema), ...envelope };
  const columns = version.additionalPrinterColumns?.length
    ? printerColumns(version.additionalPrinterColumns)
    : { columns: [AGE_COLUMN], cells: (object: KubeObject, now: Date) => [ageCell(object, now)] };
  const rules = compileRules(body as Record<string, unknown>).rules;
  const defaults = planDefaults(body);
  const withDefaults = (object: KubeObject) => {
    if (defaults) applyDefaults(defaults, object);
  };
  const apiVersion = `${group}/${version.name}`;
  const storageApiVersion = `${group}/${storageVersion}`;
  const scale = scaleOf(version);
  const subresources = [
    ...(isPlainObject(version.subresources?.status) ? ['status'] : []),
    ...(scale ? ['scale'] : []),
  ];
  const def: ResourceDefinition = {
    group,
    version: version.name,
    kind: names.kind,
    listKind: names.listKind || `${names.kind}List`,
    resource: names.plural,
    singular: names.singular || names.kind.toLowerCase(),
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    scope: spec.scope,
    verbs: STANDARD_VERBS,
    subresources,
    description,
    schemaName: `${reverseDomain(group)}.${version.name}.${names.kind}`,
    schema,
    validateName: spec.nameValidation === 'PathSegmentName' ? pathSegmentName : dnsSubdomainName,
    columns: columns.columns,
    cells: columns.cells,
    customResource: true,
    ...(scale ? { views: { scale: scaleViewAt(scale) } } : {}),
    hooks: {
      prepareCreate(object, ctx) {
        withDefaults(object);
        options.stamp?.(object, ctx);
      },
      prepareUpdate(object, _old, ctx) {
        withDefaults(object);
        options.stamp?.(object, ctx);
      },
      validate(object, old) {
        const { apiVersion: _a, kind: _k, metadata, ...content } = object;
        // Wrong types pass decoding for custom resources, so metadata's are caught here too.
        const errors = [
          ...validateOpenApi(objectMetaSchema, metadata, 'metadata'),
          ...validateOpenApi(body, content),
        ];
        // CEL rules assume a well-typed value, so they run only on one.
        if (rules && errors.length === 0) {
          const { apiVersion: _oa, kind: _ok, metadata: _om, ...oldContent } = old ?? {};
          errors.push(...evaluateRules(rules, content, old ? oldContent : undefined));
        }
        return errors;
      },
    },
  };
  // Every version converts (apiVersion only), and reads fill in defaults the schema gained since
  // the object was stored, as the apiserver defaults what it reads from etcd.
  if (version.name !== storageVersion || defaults) {
    def.conversion = {
      storageVersion,
      toStorage: (object) => ({ ...object, apiVersion: storageApiVersion }),
      fromStorage: (object) => {
        // Stored objects may be shared (watch events), so one that needs a default is copied first.
        if (!defaults || !lacksDefaults(defaults, object)) return { ...object, apiVersion };
        const presented = deepClone(object);
        presented.apiVersion = apiVersion;
        applyDefaults(defaults, presented);
        return presented;
      },
    };
  }
  return def;
}

/** The kinds a spec defines, one per served version; none if it names no storage version. */
export function servedVersions(spec: SchemaSpec, options: ServedVersionOptions): ResourceDefinition[] {
  const storage = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]?.name;
  if (!storage) return [];
  return spec.versions.filter((v) => v.served !== false).map((v) => definition(spec, v, storage, options));
}
