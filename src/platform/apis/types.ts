import { getField, isPlainObject, jsonObjects, type KubeObject } from '../api/object.js';

// Typed reads of the apis.kcp.io objects as stored (v1alpha2 for APIExport and APIBinding, v1alpha1
// for APIResourceSchema). Objects stay untyped JSON on their way through the server; these readers
// tolerate anything a client managed to store and return only well-formed parts.

export interface ExportReference {
  /** The export's workspace path; empty means the binding's own workspace. */
  path: string;
  name: string;
}

export interface ExportResource {
  name: string;
  group: string;
  schema: string;
  storage?: { crd?: Record<string, unknown>; virtual?: Record<string, unknown> };
}

export interface ExportClaim {
  group: string;
  resource: string;
  identityHash?: string;
  verbs: string[];
}

export interface ClaimSelector {
  matchAll?: boolean;
  matchLabels?: Record<string, string>;
  matchExpressions?: unknown[];
}

export interface BindingClaim extends ExportClaim {
  selector?: ClaimSelector;
  state?: string;
}

export interface BoundResource {
  group: string;
  resource: string;
  schema: { name: string; UID: string; identityHash?: string };
  storageVersions?: string[];
}

export interface ResourceNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface SchemaVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: unknown;
  subresources?: { status?: unknown; scale?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
}

export interface SchemaSpec {
  group: string;
  names: ResourceNames;
  scope: 'Namespaced' | 'Cluster';
  versions: SchemaVersion[];
  nameValidation?: string;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  severity?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter(isString) : []);

/** Whether two claims name the same resource: group, resource and identity hash (kcp's list-map key). */
export function sameClaim(
  a: { group?: unknown; resource?: unknown; identityHash?: unknown },
  b: { group?: unknown; resource?: unknown; identityHash?: unknown },
): boolean {
  return (
    a.group === b.group && a.resource === b.resource && (a.identityHash ?? '') === (b.identityHash ?? '')
  );
}

export function exportReference(binding: KubeObject): ExportReference {
  const reference = getField(binding, 'spec.reference.export');
  const path = isPlainObject(reference) && isString(reference.path) ? reference.path : '';
  const name = isPlainObject(reference) && isString(reference.name) ? reference.name : '';
  return { path, name };
}

export function exportResources(apiExport: KubeObject): ExportResource[] {
  return jsonObjects(getField(apiExport, 'spec.resources'))
    .filter((r) => isString(r.name) && isString(r.group) && isString(r.schema))
    .map((r) => ({ ...r, name: r.name as string, group: r.group as string, schema: r.schema as string }));
}

function claim(raw: Record<string, unknown>): ExportClaim {
  const result: ExportClaim = {
    group: isString(raw.group) ? raw.group : '',
    resource: isString(raw.resource) ? raw.resource : '',
    verbs: strings(raw.verbs),
  };
  if (isString(raw.identityHash) && raw.identityHash) result.identityHash = raw.identityHash;
  return result;
}

export function exportClaims(apiExport: KubeObject): ExportClaim[] {
  return jsonObjects(getField(apiExport, 'spec.permissionClaims')).map(claim);
}

export function bindingClaims(binding: KubeObject): BindingClaim[] {
  return jsonObjects(getField(binding, 'spec.permissionClaims')).map((raw) => {
    const result: BindingClaim = claim(raw);
    if (isPlainObject(raw.selector)) result.selector = raw.selector as ClaimSelector;
    if (isString(raw.state)) result.state = raw.state;
    return result;
  });
}

export function boundResources(binding: KubeObject): BoundResource[] {
  return jsonObjects(getField(binding, 'status.boundResources'))
    .filter((r) => isString(r.group) && isString(r.resource) && isPlainObject(r.schema))
    .map((r) => r as unknown as BoundResource);
}

export function bindingPhase(binding: KubeObject): string {
  const phase = getField(binding, 'status.phase');
  return isString(phase) ? phase : '';
}

export function conditions(object: KubeObject): Condition[] {
  return jsonObjects(getField(object, 'status.conditions')).map((c) => c as unknown as Condition);
}

/** The schema's spec if it is complete enough to serve, else undefined. */
export function schemaSpec(schema: KubeObject): SchemaSpec | undefined {
  const spec = schema.spec;
  if (!isPlainObject(spec) || !isString(spec.group) || !isPlainObject(spec.names)) return undefined;
  const names = spec.names;
  if (!isString(names.plural) || !isString(names.kind) || !names.plural || !names.kind) return undefined;
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') return undefined;
  const versions = jsonObjects(spec.versions).filter((v) => isString(v.name)) as unknown as SchemaVersion[];
  if (versions.length === 0) return undefined;
  return spec as unknown as SchemaSpec;
}

/**
 * The OpenAPI schema of one version. kcp stores it directly in `versions[].schema`; a CRD wraps it
 * in `openAPIV3Schema`, and schemas snapshotted from CRDs by older tools keep the wrapper. Both work.
 */
export function versionSchema(version: SchemaVersion): Record<string, unknown> | undefined {
  const schema = version.schema;
  if (!isPlainObject(schema)) return undefined;
  const wrapped = schema.openAPIV3Schema;
  if (isPlainObject(wrapped) && schema.type === undefined && schema.properties === undefined) return wrapped;
  return schema;
}

/** `<prefix>.<plural>.<group>` → its parts; undefined when the name is not of that form. */
export function parseSchemaName(name: string): { prefix: string; plural: string; group: string } | undefined {
  const first = name.indexOf('.');
  const second = name.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || second === name.length - 1) return undefined;
  return {
    prefix: name.slice(0, first),
    plural: name.slice(first + 1, second),
    group: name.slice(second + 1),
  };
}

/** The label kcp prints for a group and resource: `secrets`, or `databases.db.example.io`. */
export function groupResourceLabel(r: { group: string; resource: string }): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}
