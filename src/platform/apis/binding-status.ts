import { deepClone, isPlainObject, nowTimestamp, type KubeObject } from '../api/object.js';
import type { ResourceDefinition } from '../api/registry.js';
import type { ObjectReader } from '../auth/rbac/objects.js';
import type { ClusterRef } from '../storage/cluster-index.js';
import { exportPath } from './admission.js';
import { boundDefinitionsOf } from './bound-resources.js';
import {
  APIEXPORT_NOT_FOUND,
  APIEXPORT_VALID,
  BINDING_UP_TO_DATE,
  INITIAL_BINDING_COMPLETED,
  INVALID_PERMISSION_CLAIMS,
  NAMING_CONFLICTS,
  PERMISSION_CLAIMS_APPLIED,
  PERMISSION_CLAIMS_VALID,
  READY,
  SCHEMA_INVALID,
} from './constants.js';
import { bindingsIn, getExport, getSchema, isBound, type ResolveCluster } from './lookup.js';
import { findNamingConflict, type NameOwner } from './naming.js';
import {
  bindingClaims,
  boundResources,
  conditions,
  exportClaims,
  exportReference,
  exportResources,
  groupResourceLabel,
  sameClaim,
  schemaSpec,
  type Condition,
  type ResourceNames,
  type SchemaSpec,
} from './types.js';

// What an APIBinding's status should be, given what is stored now: kcp's APIBinding controller as
// one function. The controller writes the result when it differs from the stored status.

export interface BindingWorld {
  reader: ObjectReader;
  resolve: ResolveCluster;
  /** The kinds every workspace serves; a binding may not take their names. */
  builtins: readonly ResourceDefinition[];
  now?: Date;
}

type Status = Record<string, unknown>;

/** Sets a condition, keeping its transition time when its status did not change (kcp's conditions.Set). */
function setCondition(
  list: Condition[],
  wanted: Omit<Condition, 'lastTransitionTime'>,
  now: Date,
): Condition[] {
  const previous = list.find((c) => c.type === wanted.type);
  const condition: Condition = {
    ...wanted,
    ...(wanted.status === 'False' ? { severity: 'Error' } : {}),
    lastTransitionTime:
      previous?.status === wanted.status && previous.lastTransitionTime
        ? previous.lastTransitionTime
        : nowTimestamp(now),
  };
  const others = list.filter((c) => c.type !== wanted.type);
  // Ready first, the others by type, as kcp orders them.
  return [...others, condition].sort((a, b) =>
    a.type === READY ? -1 : b.type === READY ? 1 : a.type.localeCompare(b.type),
  );
}

const namesOf = (def: ResourceDefinition): ResourceNames => ({
  plural: def.resource,
  singular: def.singular,
  kind: def.kind,
  listKind: def.listKind,
  shortNames: def.shortNames,
});

function owners(world: BindingWorld, binding: KubeObject, cluster: ClusterRef): NameOwner[] {
  const found: NameOwner[] = world.builtins.map((def) => ({
    owner: 'the built-in API',
    group: def.group,
    names: namesOf(def),
  }));
  for (const other of bindingsIn(world.reader, cluster.id)) {
    if (other.metadata.name === binding.metadata.name || !isBound(other)) continue;
    const owner = `APIBinding "${other.metadata.name ?? ''}"`;
    const defs = boundDefinitionsOf(world.reader, world.resolve, other, cluster);
    for (const bound of boundResources(other)) {
      const def = defs.find((d) => d.group === bound.group && d.resource === bound.resource);
      // Without its schema (the export is gone) the other binding still holds its plural.
      const names = def
        ? namesOf(def)
        : { plural: bound.resource, singular: bound.resource, kind: '', listKind: '' };
      found.push({ owner, group: bound.group, names });
    }
  }
  return found;
}

/** The status the binding should have now. */
export function desiredBindingStatus(world: BindingWorld, binding: KubeObject, cluster: ClusterRef): Status {
  const now = world.now ?? new Date();
  const status: Status = isPlainObject(binding.status) ? deepClone(binding.status) : {};
  const bound = isBound(binding);
  let list = conditions(binding);
  const set = (type: string, ok: boolean, reason?: string, message?: string) => {
    list = setCondition(
      list,
      { type, status: ok ? 'True' : 'False', ...(reason ? { reason } : {}), ...(message ? { message } : {}) },
      now,
    );
  };
  const fail = (reason: string, message: string) => {
    if (!bound) set(INITIAL_BINDING_COMPLETED, false, reason, message);
    else set(BINDING_UP_TO_DATE, false, reason, message);
    set(READY, false, reason, message);
    status.conditions = list;
    return status;
  };

  const reference = exportReference(binding);
  const path = exportPath(reference, cluster);
  const exportCluster = world.resolve(path);
  const apiExport = exportCluster && getExport(world.reader, exportCluster, reference.name);
  if (!exportCluster || !apiExport) {
    set(APIEXPORT_VALID, false, APIEXPORT_NOT_FOUND, `APIExport ${path}:${reference.name} not found`);
    return fail(APIEXPORT_NOT_FOUND, `APIExport ${path}:${reference.name} not found`);
  }
  set(APIEXPORT_VALID, true);
  status.apiExportClusterName = exportCluster.id;
  const claims = exportClaims(apiExport);
  status.exportPermissionClaims = claims;

  const schemas: { name: string; uid: string; spec: SchemaSpec }[] = [];
  const problems: string[] = [];
  for (const resource of exportResources(apiExport)) {
    const schema = getSchema(world.reader, exportCluster.id, resource.schema);
    const spec = schema && schemaSpec(schema);
    if (!schema) problems.push(`APIResourceSchema ${resource.schema} not found in ${exportCluster.path}`);
    else if (!spec || spec.group !== resource.group || spec.names.plural !== resource.name)
      problems.push(
        `APIResourceSchema ${resource.schema} does not define ${groupResourceLabel({ group: resource.group, resource: resource.name })}`,
      );
    else schemas.push({ name: resource.schema, uid: schema.metadata.uid ?? '', spec });
  }
  if (problems.length > 0) return fail(SCHEMA_INVALID, problems.join('; '));

  const conflict = findNamingConflict(
    schemas.map((s) => ({ group: s.spec.group, names: s.spec.names })),
    owners(world, binding, cluster),
  );
  if (conflict) {
    // Both say so, as kcp does: a binding never bound, and one that cannot take what was added.
    if (!bound) set(INITIAL_BINDING_COMPLETED, false, NAMING_CONFLICTS, conflict);
    set(BINDING_UP_TO_DATE, false, NAMING_CONFLICTS, conflict);
    set(READY, false, NAMING_CONFLICTS, conflict);
    status.conditions = list;
    return status;
  }

  const accepted = bindingClaims(binding).filter((c) => c.state === 'Accepted');
  const unknown = bindingClaims(binding).filter((c) => !claims.some((e) => sameClaim(e, c)));
  if (unknown.length > 0) {
    set(
      PERMISSION_CLAIMS_VALID,
      false,
      INVALID_PERMISSION_CLAIMS,
      `the export does not claim ${unknown.map(groupResourceLabel).join(', ')}`,
    );
  } else set(PERMISSION_CLAIMS_VALID, true);
  status.appliedPermissionClaims = claims.filter((c) => accepted.some((a) => sameClaim(a, c)));
  set(PERMISSION_CLAIMS_APPLIED, true);

  const identityHash = (apiExport.status as { identityHash?: unknown } | undefined)?.identityHash;
  status.boundResources = schemas.map((s) => ({
    group: s.spec.group,
    resource: s.spec.names.plural,
    schema: { name: s.name, UID: s.uid, ...(typeof identityHash === 'string' ? { identityHash } : {}) },
    storageVersions: [(s.spec.versions.find((v) => v.storage) ?? s.spec.versions[0])!.name],
  }));
  set(INITIAL_BINDING_COMPLETED, true);
  set(BINDING_UP_TO_DATE, true);
  set(READY, true);
  status.phase = 'Bound';
  status.conditions = list;
  return status;
}
