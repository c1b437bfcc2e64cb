import { ApiError } from '../../http/errors.js';
import { deepEqual, isPlainObject, nowTimestamp, type JsonObject, type KubeObject } from '../object.js';
import type { PatchMeta } from '../patch/patch-meta.js';
import { mergeApplied, removeFields } from './apply-merge.js';
import { compare, fieldsOf, FieldSet, pathString, valueAt, type Path } from './field-set.js';

// Field ownership as kube-apiserver's fieldmanager keeps it in metadata.managedFields: every write
// names a manager; an Update records the fields it changed, an Apply owns exactly the fields its
// configuration sets. Changing a field another manager owns is a conflict for Apply (unless forced)
// and a silent transfer for Update.

export type Operation = 'Apply' | 'Update';

export interface WriteManager {
  manager: string;
  /** The version the request spoke, e.g. `v1` or `apps/v1`. */
  apiVersion: string;
  subresource?: string;
  now?: Date;
}

interface Manager {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** The fields the server owns, which no manager does (fieldmanager's stripMeta). */
const SERVER_FIELDS: Path[] = [
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...[
    'name',
    'namespace',
    'creationTimestamp',
    'selfLink',
    'uid',
    'generation',
    'managedFields',
    'resourceVersion',
  ].map((field) => ['f:metadata', `f:${field}`]),
  ['f:metadata', 'f:deletionTimestamp'],
  ['f:metadata', 'f:deletionGracePeriodSeconds'],
];

/** How many Update entries an object keeps; older ones fold into one, as kube-apiserver does. */
const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';
const BEFORE_FIRST_APPLY = 'before-first-apply';
const KUBECTL_SERVER_SIDE = 'kubectl';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Records a create, update or patch by `writer`: `next` gets its managedFields. */
export function recordUpdate(
  old: KubeObject | undefined,
  next: KubeObject,
  writer: WriteManager,
  meta: PatchMeta,
): void {
  // A body that says nothing about managedFields keeps the stored ones.
  const given = next.metadata.managedFields;
  const stored = Array.isArray(given) ? given : old?.metadata.managedFields;
  let managers = decode(stored);
  const changes = stripServerFields(compare(old ? strip(old) : undefined, strip(next), meta));
  managers = managers.map((m) =>
    isSame(m, writer, 'Update')
      ? m
      : { ...m, set: m.set.difference(changes.touched).difference(changes.removed) },
  );
  const self = managers.find((m) => isSame(m, writer, 'Update'));
  const set = (self?.set ?? new FieldSet()).difference(changes.removed).union(changes.touched);
  managers = managers.filter((m) => m !== self);
  managers.push(entry(writer, 'Update', set));
  next.metadata.managedFields = encode(capUpdates(managers.filter((m) => !m.set.isEmpty())), stored);
}

/**
 * Server-side apply of `applied` by `writer` onto `live` (undefined on create): the merged object
 * with its managedFields, or a 409 naming every field another manager owns and `applied` changes.
 */
export function applyConfiguration(
  live: KubeObject | undefined,
  applied: JsonObject,
  writer: WriteManager,
  meta: PatchMeta,
  force: boolean,
): KubeObject {
  let managers = decode(live?.metadata.managedFields);
  if (live && managers.length === 0) {
    // An object nobody tracked yet: its fields belong to one Update manager, so applying over them
    // still reports conflicts instead of silently taking them.
    const set = stripServerFields(compare(undefined, strip(live), meta)).touched;
    managers.push(entry({ ...writer, manager: BEFORE_FIRST_APPLY }, 'Update', set));
  }
  const merged = mergeApplied(live ? strip(live) : {}, strip(applied as KubeObject), meta) as KubeObject;
  const appliedSet = fieldsOf(strip(applied as KubeObject), meta).difference(
    FieldSet.fromPaths(SERVER_FIELDS),
  );
  const previous = managers.find((m) => isSame(m, writer, 'Apply'));
  managers = managers.filter((m) => m !== previous);
  // Fields this manager applied before and no longer does go, unless someone (this manager
  // included) still owns them or anything below them.
  const owned = managers.reduce((set, m) => set.union(m.set), appliedSet);
  const stale = [...(previous?.set.paths() ?? [])].filter((path) => !owned.reaches(path));
  removeFields(merged, FieldSet.fromPaths(stale), meta);

  const changes = stripServerFields(compare(live ? strip(live) : undefined, merged, meta));
  const conflicts = managers
    .map((m) => ({ manager: m, paths: [...m.set.intersection(changes.touched).paths()] }))
    .filter((c) => c.paths.length > 0);
  if (conflicts.length > 0 && !force && !upgradesClientSideApply(live, writer, conflicts, meta)) {
    throw applyConflict(conflicts);
  }
  if (live && writer.manager === KUBECTL_SERVER_SIDE) syncLastApplied(live, applied, merged);
  managers = managers.map((m) => ({
    ...m,
    set: m.set.difference(changes.touched).difference(changes.removed),
  }));
  managers.push(entry(writer, 'Apply', appliedSet));
  merged.metadata = { ...(isPlainObject(merged.metadata) ? merged.metadata : {}) };
  merged.metadata.managedFields = encode(
    capUpdates(managers.filter((m) => !m.set.isEmpty())),
    live?.metadata.managedFields,
  );
  return merged;
}

/**
 * `kubectl apply --server-side` over an object `kubectl apply` managed: kube-apiserver lets it take
 * the fields whose live values are still what the last-applied annotation says (the moving from
 * client-side to server-side apply kube documents), and refuses any other conflict.
 */
function upgradesClientSideApply(
  live: KubeObject | undefined,
  writer: WriteManager,
  conflicts: { paths: Path[] }[],
  meta: PatchMeta,
): boolean {
  if (!live || writer.manager !== KUBECTL_SERVER_SIDE) return false;
  const lastApplied = readLastApplied(live);
  if (!lastApplied) return false;
  return conflicts.every((c) =>
    c.paths.every((path) => {
      const applied = valueAt(lastApplied, path, meta);
      return applied !== undefined && deepEqual(applied, valueAt(live, path, meta));
    }),
  );
}

/** kube-apiserver keeps the annotation in step when kubectl applies server-side, so a later client-side apply agrees. */
function syncLastApplied(live: KubeObject, applied: JsonObject, merged: KubeObject): void {
  if (!readLastApplied(live)) return;
  const config = JSON.parse(JSON.stringify(applied)) as KubeObject;
  if (isPlainObject(config.metadata) && isPlainObject(config.metadata.annotations)) {
    delete config.metadata.annotations[LAST_APPLIED];
    if (Object.keys(config.metadata.annotations).length === 0) delete config.metadata.annotations;
  }
  const annotations = isPlainObject(merged.metadata.annotations) ? merged.metadata.annotations : {};
  merged.metadata.annotations = { ...annotations, [LAST_APPLIED]: JSON.stringify(config) };
}

function readLastApplied(object: KubeObject): JsonObject | undefined {
  const text = isPlainObject(object.metadata.annotations)
    ? object.metadata.annotations[LAST_APPLIED]
    : undefined;
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function entry(writer: WriteManager, operation: Operation, set: FieldSet): Manager {
  return {
    manager: writer.manager,
    operation,
    apiVersion: writer.apiVersion,
    ...(writer.subresource !== undefined && { subresource: writer.subresource }),
    time: nowTimestamp(writer.now),
    set,
  };
}

/** One entry per manager, operation and subresource; Update entries also per version. */
function isSame(m: Manager, writer: WriteManager, operation: Operation): boolean {
  return (
    m.manager === writer.manager &&
    m.operation === operation &&
    (m.subresource ?? '') === (writer.subresource ?? '') &&
    (operation === 'Apply' || m.apiVersion === writer.apiVersion)
  );
}

/** A copy without the fields that are never owned, so comparing them costs nothing. */
function strip(object: KubeObject): KubeObject {
  const { metadata, ...rest } = object;
  if (!isPlainObject(metadata)) return rest as KubeObject;
  const { managedFields: _managed, resourceVersion: _rv, ...meta } = metadata;
  return { ...rest, metadata: meta } as KubeObject;
}

function stripServerFields(changes: ReturnType<typeof compare>): { touched: FieldSet; removed: FieldSet } {
  const server = FieldSet.fromPaths(SERVER_FIELDS);
  return {
    touched: changes.added.union(changes.modified).difference(server),
    removed: changes.removed.difference(server),
  };
}

/** An entry this server cannot read (no manager, or an unknown operation): it owns nothing, and is kept as it was. */
function isReadable(e: unknown): e is JsonObject {
  return (
    isPlainObject(e) && typeof e.manager === 'string' && (e.operation === 'Apply' || e.operation === 'Update')
  );
}

function decode(entries: unknown): Manager[] {
  if (!Array.isArray(entries)) return [];
  const managers: Manager[] = [];
  for (const e of entries) {
    if (!isReadable(e)) continue;
    managers.push({
      manager: e.manager as string,
      operation: e.operation as Operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      ...(typeof e.subresource === 'string' && e.subresource !== '' && { subresource: e.subresource }),
      ...(typeof e.time === 'string' && { time: e.time }),
      set: FieldSet.fromFieldsV1(e.fieldsV1),
    });
  }
  return managers;
}

/** kube-apiserver's order: Apply before Update, then oldest first, then by name; unreadable entries lead. */
function encode(managers: Manager[], stored: unknown): unknown[] {
  const unreadable = Array.isArray(stored) ? stored.filter((e) => !isReadable(e)) : [];
  const readable = [...managers]
    .sort(
      (a, b) =>
        a.operation.localeCompare(b.operation) ||
        (a.time ?? '').localeCompare(b.time ?? '') ||
        a.manager.localeCompare(b.manager) ||
        a.apiVersion.localeCompare(b.apiVersion) ||
        (a.subresource ?? '').localeCompare(b.subresource ?? ''),
    )
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time !== undefined && { time: m.time }),
      fieldsType: 'FieldsV1',
      fieldsV1: m.set.toFieldsV1(),
      ...(m.subresource !== undefined && { subresource: m.subresource }),
    }));
  return [...unreadable, ...readable];
}

/** Bounds the entries a stream of differently named writers can leave: the oldest Updates fold into one. */
function capUpdates(managers: Manager[]): Manager[] {
  const updates = managers.filter((m) => m.operation === 'Update');
  if (updates.length <= MAX_UPDATE_MANAGERS) return managers;
  const oldest = [...updates]
    .sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''))
    .slice(0, updates.length - MAX_UPDATE_MANAGERS + 1);
  const folded = oldest.reduce((set, m) => set.union(m.set), new FieldSet());
  const newest = oldest[oldest.length - 1];
  return [
    ...managers.filter((m) => !oldest.includes(m)),
    {
      manager: ANCIENT_CHANGES,
      operation: 'Update',
      apiVersion: newest?.apiVersion ?? '',
      time: newest?.time,
      set: folded,
    } as Manager,
  ];
}

/** How kube-apiserver names a manager in a conflict: `"name"`, plus `using <version>` for an Update. */
function printManager(m: Manager): string {
  let text = JSON.stringify(m.manager);
  if (m.subresource) text += ` with subresource ${JSON.stringify(m.subresource)}`;
  return m.operation === 'Update' ? `${text} using ${m.apiVersion}` : text;
}

function applyConflict(conflicts: { manager: Manager; paths: Path[] }[]): ApiError {
  const all = conflicts.flatMap((c) => c.paths.map((path) => ({ manager: c.manager, path })));
  const causes = all.map(({ manager, path }) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(manager)}`,
    field: pathString(path),
  }));
  let message: string;
  if (all.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(all[0]!.manager)}: ${pathString(all[0]!.path)}`;
  } else {
    const lines = [...conflicts]
      .sort((a, b) => printManager(a.manager).localeCompare(printManager(b.manager)))
      .flatMap((c) => [
        `conflicts with ${printManager(c.manager)}:`,
        ...c.paths.map((p) => `- ${pathString(p)}`),
      ]);
    message = `Apply failed with ${all.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/**
 * A write that changes nothing but the times in managedFields keeps the stored ones, so it stays a
 * no-op (same resourceVersion, no watch event), as on kube-apiserver.
 */
export function keepManagedFieldsOfNoOp(next: KubeObject, old: KubeObject): void {
  if (!deepEqual(strip(next), strip(old))) return;
  const withoutTimes = (entries: unknown) =>
    Array.isArray(entries) ? entries.map((e) => (isPlainObject(e) ? { ...e, time: undefined } : e)) : entries;
  if (deepEqual(withoutTimes(next.metadata.managedFields), withoutTimes(old.metadata.managedFields))) {
    if (old.metadata.managedFields === undefined) delete next.metadata.managedFields;
    else next.metadata.managedFields = old.metadata.managedFields;
  }
}
