import type { UserInfo } from '../auth/user.js';
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  notFound,
  STALE_OBJECT,
  type FieldError,
} from '../http/errors.js';
import { refuseDeepObject } from '../http/nesting.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import type { ObjectKey } from '../storage/object-key.js';
import type { PlatformStore, StoreTransaction } from '../storage/store.js';
import { carrySystemMetadata, generateName, stampNewObject } from './metadata.js';
import { deepClone, deepEqual, isPlainObject, type JsonObject, type KubeObject } from './object.js';
import { applyJsonPatch, JsonPatchError } from './patch/json-patch.js';
import { applyMergePatch } from './patch/merge-patch.js';
import {
  applyConfiguration,
  keepManagedFieldsOfNoOp,
  recordUpdate,
  type WriteManager,
} from './apply/managed-fields.js';
import { patchMetaOf } from './patch/patch-meta.js';
import { applyStrategicMergePatch, StrategicPatchError } from './patch/strategic-merge-patch.js';
import type { Projection } from './projected-kind.js';
import { readOnlyProjection } from './projection.js';
import {
  apiVersionOf,
  groupResource,
  presentAs,
  type HookContext,
  type ResourceDefinition,
} from './registry.js';
import { matchesFilter, type ObjectFilter } from './selectors/object-filter.js';
import { checkAndPruneFields } from './validation/schema-fields.js';
import { labelKeyErrors, labelValueErrors } from './validation/names.js';

/** Where a request acts and on whose behalf. */
export interface RequestScope {
  cluster: ClusterRef;
  user: UserInfo;
  /** The namespace from the URL; undefined for cluster-scoped kinds and cluster-wide lists. */
  namespace?: string;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  fieldValidation?: FieldValidation;
  dryRun?: boolean;
  subresource?: string;
  /** Collects Warning headers (unknown and duplicate fields under `Warn`). */
  warnings?: string[];
  /** Keys the request body held twice (JSON.parse kept the last), reported like unknown fields. */
  duplicateFields?: string[];
  /** Who the write is recorded as in managedFields; writes without one (controllers) are not recorded. */
  fieldManager?: string;
  /** Server-side apply takes the fields other managers own instead of reporting a conflict. */
  force?: boolean;
}

export interface DeleteOptions {
  dryRun?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** ResourceService's writes inside a transaction the caller holds open (ResourceService.within). */
export interface TransactionWrites {
  find(def: ResourceDefinition, scope: RequestScope, name: string): KubeObject | undefined;
  create(def: ResourceDefinition, scope: RequestScope, body: unknown, options?: WriteOptions): KubeObject;
  update(
    def: ResourceDefinition,
    scope: RequestScope,
    name: string,
    body: unknown,
    options?: WriteOptions,
  ): KubeObject;
  delete(def: ResourceDefinition, scope: RequestScope, name: string, options?: DeleteOptions): KubeObject;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const NAMESPACES = { group: '', resource: 'namespaces', kind: 'Namespace' };

class DryRunRollback extends Error {
  constructor(readonly result: unknown) {
    super('dry run');
  }
}

/**
 * The single implementation of get/list/create/update/patch/delete for every kind. HTTP handlers,
 * controllers and the demo all write through it, so defaulting, validation, optimistic concurrency
 * and cascades behave the same whoever writes.
 */
export class ResourceService {
  constructor(
    readonly store: PlatformStore,
    private readonly clusters: ClusterIndex,
    /** Read per write: the base URL is known only once the server listens. */
    private readonly env: { readonly baseUrl: string },
  ) {}

  key(def: ResourceDefinition, scope: RequestScope, name: string): ObjectKey {
    return {
      cluster: scope.cluster.id,
      resource: groupResource(def),
      namespace: def.scope === 'Namespaced' ? (scope.namespace ?? '') : '',
      name,
    };
  }

  /** The read-only view this workspace serves for the kind instead of its own storage, if any. */
  projection(def: ResourceDefinition, scope: RequestScope): Projection | undefined {
    const projection = def.projection?.(scope.cluster, { reader: this.store, clusters: this.clusters });
    const namespace = def.scope === 'Namespaced' ? scope.namespace : undefined;
    if (!projection || namespace === undefined) return projection;
    // A request for one namespace of a namespaced view sees that namespace alone, as of a stored kind.
    const inNamespace = (object: KubeObject) => object.metadata.namespace === namespace;
    return { ...projection, list: () => projection.list().filter(inNamespace) };
  }

  get(def: ResourceDefinition, scope: RequestScope, name: string): KubeObject {
    const object = this.find(def, scope, name);
    if (!object) throw notFound(def, name);
    return object;
  }

  find(def: ResourceDefinition, scope: RequestScope, name: string): KubeObject | undefined {
    const projection = this.projection(def, scope);
    if (projection) return projection.list().find((object) => object.metadata.name === name);
    const stored = this.store.get(this.key(def, scope, name));
    return stored && presentAs(def, stored);
  }

  list(
    def: ResourceDefinition,
    scope: RequestScope,
    filter: ObjectFilter,
  ): { items: KubeObject[]; resourceVersion: string } {
    const projection = this.projection(def, scope);
    if (projection) {
      const items = projection.list().filter((object) => matchesFilter(def, object, filter));
      return { items, resourceVersion: String(this.store.resourceVersion) };
    }
    const entries = this.store.list({
      cluster: scope.cluster.id,
      resource: groupResource(def),
      namespace: def.scope === 'Namespaced' ? scope.namespace : undefined,
    });
    return {
      items: entries
        .map((entry) => presentAs(def, entry.object))
        .filter((object) => matchesFilter(def, object, filter)),
      resourceVersion: String(this.store.resourceVersion),
    };
  }

  async create(
    def: ResourceDefinition,
    scope: RequestScope,
    body: unknown,
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    const object = this.admitCreate(def, scope, body, options);
    const created = await this.write(options, (tx) =>
      this.createIn(tx, def, scope, deepClone(object), options),
    );
    return this.asCommitted(options, def, scope, presentAs(def, created));
  }

  async update(
    def: ResourceDefinition,
    scope: RequestScope,
    name: string,
    body: unknown,
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    const object = this.admitUpdate(def, scope, name, body, options);
    const updated = await this.write(options, (tx) => this.updateIn(tx, def, scope, name, object, options));
    return this.asCommitted(options, def, scope, presentAs(def, updated));
  }

  async patch(
    def: ResourceDefinition,
    scope: RequestScope,
    name: string,
    type: PatchType,
    patch: unknown,
    options: WriteOptions = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    this.refuseProjected(def, scope, name);
    const result = await this.write(options, (tx) =>
      type === 'apply'
        ? this.applyIn(tx, def, scope, name, patch, options)
        : this.mergeIn(tx, def, scope, name, type, patch, options),
    );
    return { ...result, object: this.asCommitted(options, def, scope, presentAs(def, result.object)) };
  }

  async delete(
    def: ResourceDefinition,
    scope: RequestScope,
    name: string,
    options: DeleteOptions = {},
  ): Promise<KubeObject> {
    this.refuseProjected(def, scope, name);
    const deleted = await this.write(options, (tx) => this.deleteIn(tx, def, scope, name, options));
    return this.asCommitted(options, def, scope, presentAs(def, deleted));
  }

  /**
   * Writes inside a transaction the caller holds open, so that what a controller changes together
   * commits together (or, on etcd, runs again on fresh data when another replica got there first).
   * Reads go through the transaction too, so everything the writes depend on is compared at commit.
   */
  within(tx: StoreTransaction): TransactionWrites {
    return {
      find: (def, scope, name) => {
        const projection = this.projection(def, scope);
        if (projection) return projection.list().find((object) => object.metadata.name === name);
        const stored = tx.get(this.key(def, scope, name));
        return stored && presentAs(def, stored);
      },
      create: (def, scope, body, options = {}) => {
        const object = this.admitCreate(def, scope, body, options);
        return presentAs(def, this.createIn(tx, def, scope, object, options));
      },
      update: (def, scope, name, body, options = {}) => {
        const object = this.admitUpdate(def, scope, name, body, options);
        return presentAs(def, this.updateIn(tx, def, scope, name, object, options));
      },
      delete: (def, scope, name, options = {}) => {
        this.refuseProjected(def, scope, name);
        return presentAs(def, this.deleteIn(tx, def, scope, name, options));
      },
    };
  }

  private admitCreate(
    def: ResourceDefinition,
    scope: RequestScope,
    body: unknown,
    options: WriteOptions,
  ): KubeObject {
    this.refuseProjected(def, scope);
    return this.admitStored(def, scope, body, options);
  }

  private admitUpdate(
    def: ResourceDefinition,
    scope: RequestScope,
    name: string,
    body: unknown,
    options: WriteOptions,
  ): KubeObject {
    this.refuseProjected(def, scope, name);
    const object = this.admitStored(def, scope, body, options);
    if (object.metadata.name !== undefined && object.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    object.metadata.name = name;
    return object;
  }

  private updateIn(
    tx: StoreTransaction,
    def: ResourceDefinition,
    scope: RequestScope,
    name: string,
    object: KubeObject,
    options: WriteOptions,
  ): KubeObject {
    const key = this.key(def, scope, name);
    const old = tx.get(key);
    if (!old) throw notFound(def, name);
    // On etcd a transaction may run again on fresher data: each run starts from the admitted body.
    return this.replaceIn(tx, def, scope, key, old, deepClone(object), options);
  }

  private mergeIn(
    tx: StoreTransaction,
    def: ResourceDefinition,
    scope: RequestScope,
    name: string,
    type: Exclude<PatchType, 'apply'>,
    patch: unknown,
    options: WriteOptions,
  ): { object: KubeObject; created: boolean } {
    const key = this.key(def, scope, name);
    const old = tx.get(key);
    if (!old) throw notFound(def, name);
    // A patch is written against the version the client speaks. Its body was measured when decoded; the
    // stored object (perhaps from before the limit) is measured before any recursive walk clones it, since
    // how deep structuredClone survives differs between Node versions; and so is the result.
    refuseDeepObject(old);
    const patched = patchObject(def, type, presentAs(def, old), patch);
    refuseDeepObject(patched);
    const next = this.admitStored(def, scope, patched, options);
    return { object: this.replaceIn(tx, def, scope, key, old, next, options), created: false };
  }

  private deleteIn(
    tx: StoreTransaction,
    def: ResourceDefinition,
    scope: RequestScope,
    name: string,
    options: DeleteOptions,
  ): KubeObject {
    const key = this.key(def, scope, name);
    const old = tx.get(key);
    if (!old) throw notFound(def, name);
    checkPreconditions(def, name, old, options.preconditions);
    def.hooks?.beforeDelete?.(old, this.context(tx, scope));
    return tx.remove(key) ?? old;
  }

  private refuseProjected(def: ResourceDefinition, scope: RequestScope, name?: string): void {
    const projection = this.projection(def, scope);
    if (projection)
      throw readOnlyProjection(
        projection,
        def,
        name === undefined ? undefined : { namespace: scope.namespace, name },
      );
  }

  /** A dry run committed nothing, so its answer carries the stored resourceVersion (none for a create). */
  private asCommitted(
    options: { dryRun?: boolean },
    def: ResourceDefinition,
    scope: RequestScope,
    object: KubeObject,
  ): KubeObject {
    if (!options.dryRun) return object;
    const copy = deepClone(object);
    const stored = this.find(def, scope, object.metadata.name ?? '')?.metadata.resourceVersion;
    if (stored) copy.metadata.resourceVersion = stored;
    else delete copy.metadata.resourceVersion;
    return copy;
  }

  /** The applied configuration must be an object naming the URL's object, if it names one. */
  private checkApplied(name: string, applied: unknown): asserts applied is JsonObject {
    if (!isPlainObject(applied)) throw badRequest('the applied configuration must be an object');
    const appliedName = isPlainObject(applied.metadata) ? applied.metadata.name : undefined;
    if (appliedName !== undefined && appliedName !== name) {
      throw badRequest(
        `the name of the object (${String(appliedName)}) does not match the name on the URL (${name})`,
      );
    }
  }

  /**
   * Server-side apply: the applied configuration creates the object when it is missing and is
   * merged onto it otherwise, with field ownership recorded and conflicts refused (see apply/).
   */
  private applyIn(
    tx: StoreTransaction,
    def: ResourceDefinition,
    scope: RequestScope,
    name: string,
    applied: unknown,
    options: WriteOptions,
  ): { object: KubeObject; created: boolean } {
    this.checkApplied(name, applied);
    const key = this.key(def, scope, name);
    const old = tx.get(key);
    // The stored object may predate the nesting limit, and its managedFields are walked here.
    if (old) refuseDeepObject(old);
    const merged = applyConfiguration(
      old && presentAs(def, old),
      applied,
      writerOf(def, options),
      patchMetaOf(def),
      options.force ?? false,
    );
    refuseDeepObject(merged);
    const object = this.admitStored(def, scope, merged, options);
    const recorded = { ...options, fieldManager: undefined };
    if (!old) {
      object.metadata.name = name;
      return { object: this.createIn(tx, def, scope, object, recorded), created: true };
    }
    return { object: this.replaceIn(tx, def, scope, key, old, object, recorded), created: false };
  }

  private createIn(
    tx: StoreTransaction,
    def: ResourceDefinition,
    scope: RequestScope,
    object: KubeObject,
    options: WriteOptions,
  ): KubeObject {
    const meta = object.metadata;
    const ctx = this.context(tx, scope);
    if (def.scope === 'Namespaced') this.requireNamespace(tx, scope);
    if (!meta.name) {
      if (!meta.generateName) {
        throw invalid(def, '', [
          { type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' },
        ]);
      }
      meta.name = this.freeGeneratedName(tx, def, scope, meta.generateName);
    }
    const key = this.key(def, scope, meta.name);
    if (tx.get(key)) throw alreadyExists(def, meta.name);
    stampNewObject(object);
    if (def.subresources.includes('status')) delete object.status;
    def.hooks?.prepareCreate?.(object, ctx);
    this.validate(def, object, undefined, ctx);
    if (options.fieldManager) recordUpdate(undefined, object, writerOf(def, options), patchMetaOf(def));
    const stored = tx.put(key, object);
    def.hooks?.afterCreate?.(stored, ctx);
    return stored;
  }

  private replaceIn(
    tx: StoreTransaction,
    def: ResourceDefinition,
    scope: RequestScope,
    key: ObjectKey,
    old: KubeObject,
    incoming: KubeObject,
    options: WriteOptions,
  ): KubeObject {
    const subresource = options.subresource;
    const name = key.name;
    const requested = incoming.metadata.resourceVersion;
    if (requested !== undefined && requested !== '' && requested !== old.metadata.resourceVersion) {
      throw conflict(def, name, STALE_OBJECT);
    }
    let next: KubeObject;
    if (subresource === 'status') {
      // A status write changes status only; everything else stays as stored.
      // The stored object it keeps may predate the nesting limit (the request body was measured when decoded).
      refuseDeepObject(old);
      next = deepClone(old);
      if (incoming.status === undefined) delete next.status;
      else next.status = incoming.status;
    } else {
      next = incoming;
      if (def.subresources.includes('status')) {
        if (old.status === undefined) delete next.status;
        else next.status = deepClone(old.status);
      }
    }
    carrySystemMetadata(next, old);
    next.metadata.name = old.metadata.name;
    if (def.scope === 'Namespaced') next.metadata.namespace = old.metadata.namespace;
    const ctx = this.context(tx, scope);
    def.hooks?.prepareUpdate?.(next, old, ctx);
    this.validate(def, next, old, ctx);
    if (specChanged(next, old)) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (options.fieldManager) recordUpdate(old, next, writerOf(def, options), patchMetaOf(def));
    keepManagedFieldsOfNoOp(next, old);
    // A write that changes nothing keeps its resourceVersion and wakes no watcher.
    if (deepEqual(next, old)) return old;
    return tx.put(key, next);
  }

  /** admit(), then into the stored version. */
  private admitStored(
    def: ResourceDefinition,
    scope: RequestScope,
    body: unknown,
    options: WriteOptions,
  ): KubeObject {
    const object = this.admit(def, scope, body, options);
    if (!def.conversion) return object;
    // Conversion may turn JSON text the body carried (an annotation) back into objects.
    const stored = def.conversion.toStorage(object);
    refuseDeepObject(stored);
    return stored;
  }

  /** Turns a request body into an object of this kind: envelope, namespace, field validation. */
  private admit(
    def: ResourceDefinition,
    scope: RequestScope,
    body: unknown,
    options: WriteOptions,
  ): KubeObject {
    const cannotHandle = `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}`;
    if (!isPlainObject(body)) throw badRequest(`${cannotHandle}: the body must be a JSON object`);
    const object = deepClone(body) as KubeObject;
    const apiVersion = apiVersionOf(def);
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersion) {
      throw badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion})`,
      );
    }
    if (object.kind !== undefined && object.kind !== def.kind) {
      throw badRequest(`${cannotHandle}: the kind in the data (${String(object.kind)}) does not match`);
    }
    object.apiVersion = apiVersion;
    object.kind = def.kind;
    const problems = checkAndPruneFields(def.schema, object);
    // A custom resource's schema validation reports wrong types as field errors (422) instead.
    if (problems.typeErrors.length > 0 && !def.customResource)
      throw badRequest(`${cannotHandle}: json: ${problems.typeErrors.join(', ')}`);
    const strictProblems = [
      ...(options.duplicateFields ?? []).map((field) => `duplicate field "${field}"`),
      ...problems.unknown.map((field) => `unknown field "${field}"`),
    ];
    if (strictProblems.length > 0) {
      if (options.fieldValidation === 'Strict') {
        throw badRequest(`${cannotHandle}: strict decoding error: ${strictProblems.join(', ')}`);
      }
      if (options.fieldValidation !== 'Ignore') options.warnings?.push(...strictProblems);
    }
    if (!isPlainObject(object.metadata)) object.metadata = {};
    if (def.scope === 'Namespaced') {
      const namespace = object.metadata.namespace;
      if (namespace !== undefined && namespace !== '' && namespace !== scope.namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      object.metadata.namespace = scope.namespace;
    } else {
      delete object.metadata.namespace;
    }
    return object;
  }

  private validate(
    def: ResourceDefinition,
    object: KubeObject,
    old: KubeObject | undefined,
    ctx: HookContext,
  ): void {
    const name = object.metadata.name ?? '';
    const errors: FieldError[] = [];
    if (!old) {
      for (const detail of def.validateName(name))
        errors.push({ type: 'Invalid', field: 'metadata.name', value: name, detail });
    }
    errors.push(...validateLabels(object), ...(def.hooks?.validate?.(object, old, ctx) ?? []));
    if (errors.length > 0) throw invalid(def, name, errors);
  }

  private requireNamespace(tx: StoreTransaction, scope: RequestScope): void {
    const namespace = scope.namespace ?? '';
    const key = { cluster: scope.cluster.id, resource: 'namespaces', namespace: '', name: namespace };
    if (!tx.get(key)) throw notFound(NAMESPACES, namespace);
  }

  private freeGeneratedName(
    tx: StoreTransaction,
    def: ResourceDefinition,
    scope: RequestScope,
    prefix: string,
  ): string {
    for (let attempt = 0; attempt < 8; attempt++) {
      const name = generateName(prefix);
      if (!tx.get(this.key(def, scope, name))) return name;
    }
    throw alreadyExists(def, prefix);
  }

  private context(tx: StoreTransaction, scope: RequestScope): HookContext {
    return {
      tx,
      cluster: scope.cluster,
      user: scope.user,
      clusters: this.clusters,
      baseUrl: this.env.baseUrl,
    };
  }

  /** Runs a write in one transaction; a dry run does all the work, then rolls it back. */
  private async write<T>(options: { dryRun?: boolean }, work: (tx: StoreTransaction) => T): Promise<T> {
    if (!options.dryRun) return await this.store.transact(work);
    try {
      await this.store.transact((tx) => {
        throw new DryRunRollback(work(tx));
      });
    } catch (err) {
      if (err instanceof DryRunRollback) return err.result as T;
      throw err;
    }
    throw new Error('unreachable');
  }
}

/** A patch of `type` applied to `old`; a JSON patch that cannot apply is a 422, as the apiserver says it. */
export function patchObject(
  def: ResourceDefinition,
  type: Exclude<PatchType, 'apply'>,
  old: KubeObject,
  patch: unknown,
): unknown {
  if (type === 'json') {
    try {
      return applyJsonPatch(old, patch);
    } catch (err) {
      if (err instanceof JsonPatchError)
        throw new ApiError(
          422,
          'Invalid',
          `the server rejected our request due to an error in our request: ${err.message}`,
        );
      throw err;
    }
  }
  if (!isPlainObject(patch)) throw badRequest('a merge patch must be a JSON object');
  if (type === 'merge') return applyMergePatch(old, patch);
  try {
    return applyStrategicMergePatch(old, patch, patchMetaOf(def));
  } catch (err) {
    if (err instanceof StrategicPatchError) throw badRequest(err.message);
    throw err;
  }
}

/** The manager a write is recorded as, in the version the request spoke. */
function writerOf(def: ResourceDefinition, options: WriteOptions): WriteManager {
  return {
    manager: options.fieldManager ?? '',
    apiVersion: apiVersionOf(def),
    ...(options.subresource !== undefined && { subresource: options.subresource }),
  };
}

function specChanged(next: KubeObject, old: KubeObject): boolean {
  const strip = (object: KubeObject) => {
    const { metadata: _metadata, status: _status, ...rest } = object;
    return rest;
  };
  return !deepEqual(strip(next), strip(old));
}

function checkPreconditions(
  def: ResourceDefinition,
  name: string,
  old: KubeObject,
  preconditions: DeleteOptions['preconditions'],
): void {
  if (preconditions?.uid && preconditions.uid !== old.metadata.uid) {
    throw conflict(
      def,
      name,
      `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${old.metadata.uid ?? ''}`,
    );
  }
  const rv = preconditions?.resourceVersion;
  if (rv && rv !== old.metadata.resourceVersion) {
    throw conflict(
      def,
      name,
      `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ''}`,
    );
  }
}

function validateLabels(object: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(object.metadata.labels ?? {})) {
    for (const detail of labelKeyErrors(key))
      errors.push({ type: 'Invalid', field: 'metadata.labels', value: key, detail });
    for (const detail of labelValueErrors(String(value))) {
      errors.push({ type: 'Invalid', field: 'metadata.labels', value, detail });
    }
  }
  return errors;
}
