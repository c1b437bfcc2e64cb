import { deepClone, isPlainObject, jsonObjects, type KubeObject } from '../api/object.js';
import { APIS_GROUP, V1ALPHA1, V1ALPHA2 } from './constants.js';
import { parseSchemaName, sameClaim } from './types.js';

// APIExport and APIBinding are stored as v1alpha2 and served as v1alpha1 too, for older clients.
// The conversion is kcp's: v1alpha1 exports list `latestResourceSchemas` where v1alpha2 has
// `resources`, and v1alpha1 claims say `all: true` where v1alpha2 has `selector.matchAll` and
// `verbs`. What v1alpha1 cannot say (claim verbs other than `*`, label selectors, virtual storage)
// travels in an annotation on the v1alpha1 object, so a v1alpha1 read-modify-write keeps it.

export const CLAIMS_ANNOTATION = 'apis.v1alpha2.kcp.io/permission-claims';
export const RESOURCES_ANNOTATION = 'apis.v1alpha2.kcp.io/resources';

type Json = Record<string, unknown>;

const V1ALPHA1_VERSION = `${APIS_GROUP}/${V1ALPHA1}`;
const V1ALPHA2_VERSION = `${APIS_GROUP}/${V1ALPHA2}`;

const allVerbs = (verbs: unknown) => Array.isArray(verbs) && verbs.length === 1 && verbs[0] === '*';

function popAnnotation(object: KubeObject, key: string): Json[] {
  const annotations = object.metadata.annotations;
  const raw = annotations?.[key];
  if (!annotations || raw === undefined) return [];
  delete annotations[key];
  if (Object.keys(annotations).length === 0) delete object.metadata.annotations;
  try {
    return jsonObjects(JSON.parse(raw));
  } catch {
    return [];
  }
}

function pushAnnotation(object: KubeObject, key: string, value: Json[]): void {
  if (value.length === 0) return;
  (object.metadata.annotations ??= {})[key] = JSON.stringify(value);
}

function withoutUndefined(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

/** A v1alpha2 export claim as v1alpha1 has it: verbs become `all`. */
function exportClaimToV1alpha1(claim: Json): Json {
  const { verbs: _verbs, ...rest } = claim;
  return { ...rest, all: true };
}

function exportClaimToV1alpha2(claim: Json, saved: Json[]): Json {
  const { all: _all, resourceSelector: _selector, ...rest } = claim;
  const original = saved.find((s) => sameClaim(s, claim));
  return { ...rest, verbs: Array.isArray(original?.verbs) ? original.verbs : ['*'] };
}

export function apiExportToV1alpha1(stored: KubeObject): KubeObject {
  const object = deepClone(stored);
  object.apiVersion = V1ALPHA1_VERSION;
  const spec = isPlainObject(object.spec) ? object.spec : undefined;
  if (!spec) return object;
  const resources = jsonObjects(spec.resources);
  delete spec.resources;
  if (resources.length > 0) {
    spec.latestResourceSchemas = resources.map((r) => r.schema);
    const lossy = resources.filter((r) => {
      const parsed = typeof r.schema === 'string' ? parseSchemaName(r.schema) : undefined;
      const crdOnly = !isPlainObject(r.storage) || Object.keys(r.storage).every((k) => k === 'crd');
      return !crdOnly || parsed?.plural !== r.name || parsed?.group !== r.group;
    });
    pushAnnotation(object, RESOURCES_ANNOTATION, lossy);
  }
  const claims = jsonObjects(spec.permissionClaims);
  if (claims.length > 0) {
    spec.permissionClaims = claims.map(exportClaimToV1alpha1);
    pushAnnotation(
      object,
      CLAIMS_ANNOTATION,
      claims.filter((c) => !allVerbs(c.verbs)),
    );
  }
  return object;
}

export function apiExportToV1alpha2(body: KubeObject): KubeObject {
  const object = deepClone(body);
  object.apiVersion = V1ALPHA2_VERSION;
  const savedResources = popAnnotation(object, RESOURCES_ANNOTATION);
  const savedClaims = popAnnotation(object, CLAIMS_ANNOTATION);
  const spec = isPlainObject(object.spec) ? object.spec : undefined;
  if (!spec) return object;
  const latest = Array.isArray(spec.latestResourceSchemas) ? spec.latestResourceSchemas : undefined;
  delete spec.latestResourceSchemas;
  if (latest) {
    spec.resources = latest.map((schema) => {
      const saved = savedResources.find((r) => r.schema === schema);
      if (saved) return saved;
      const parsed = typeof schema === 'string' ? parseSchemaName(schema) : undefined;
      return { name: parsed?.plural ?? '', group: parsed?.group ?? '', schema, storage: { crd: {} } };
    });
  }
  if (Array.isArray(spec.permissionClaims))
    spec.permissionClaims = jsonObjects(spec.permissionClaims).map((c) =>
      exportClaimToV1alpha2(c, savedClaims),
    );
  return object;
}

/** A binding's claim in v1alpha1: `all` for selector.matchAll; verbs and label selectors are lost. */
function bindingClaimToV1alpha1(claim: Json): Json {
  const { verbs: _verbs, selector, ...rest } = claim;
  return withoutUndefined({ ...rest, all: isPlainObject(selector) && selector.matchAll === true });
}

function bindingClaimToV1alpha2(claim: Json, saved: Json[]): Json {
  const { all, resourceSelector: _resourceSelector, ...rest } = claim;
  const original = saved.find((s) => sameClaim(s, claim));
  const selector =
    all === true ? { matchAll: true } : isPlainObject(original?.selector) ? original.selector : {};
  return withoutUndefined({
    ...rest,
    verbs: Array.isArray(original?.verbs) ? original.verbs : ['*'],
    selector,
  });
}

function lossyBindingClaim(claim: Json): boolean {
  const selector = claim.selector;
  const matchAllOnly =
    isPlainObject(selector) && selector.matchAll === true && Object.keys(selector).length === 1;
  return !allVerbs(claim.verbs) || !matchAllOnly;
}

export function apiBindingToV1alpha1(stored: KubeObject): KubeObject {
  const object = deepClone(stored);
  object.apiVersion = V1ALPHA1_VERSION;
  const spec = isPlainObject(object.spec) ? object.spec : undefined;
  const claims = jsonObjects(spec?.permissionClaims);
  if (spec && claims.length > 0) {
    spec.permissionClaims = claims.map(bindingClaimToV1alpha1);
    pushAnnotation(object, CLAIMS_ANNOTATION, claims.filter(lossyBindingClaim));
  }
  const status = isPlainObject(object.status) ? object.status : undefined;
  for (const field of ['exportPermissionClaims', 'appliedPermissionClaims']) {
    if (status && Array.isArray(status[field]))
      status[field] = jsonObjects(status[field]).map(exportClaimToV1alpha1);
  }
  return object;
}

export function apiBindingToV1alpha2(body: KubeObject): KubeObject {
  const object = deepClone(body);
  object.apiVersion = V1ALPHA2_VERSION;
  const saved = popAnnotation(object, CLAIMS_ANNOTATION);
  const spec = isPlainObject(object.spec) ? object.spec : undefined;
  if (spec && Array.isArray(spec.permissionClaims))
    spec.permissionClaims = jsonObjects(spec.permissionClaims).map((c) => bindingClaimToV1alpha2(c, saved));
  const status = isPlainObject(object.status) ? object.status : undefined;
  for (const field of ['exportPermissionClaims', 'appliedPermissionClaims']) {
    if (status && Array.isArray(status[field]))
      status[field] = jsonObjects(status[field]).map((c) => exportClaimToV1alpha2(c, []));
  }
  return object;
}
