import type { UserInfo } from '../auth/user.js';
import { qualifiedResource, type FieldError, type ResourceName } from '../http/errors.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import type { StoreTransaction } from '../storage/store.js';
import type { KubeObject } from './object.js';
import type { ProjectionOf } from './projected-kind.js';
import type { MessageDescriptor } from './protobuf/messages.js';
import type { Schema } from './schema.js';

export type Scope = 'Namespaced' | 'Cluster';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** Non-zero columns appear only with `-o wide`. */
  priority?: number;
}

/** What hooks may touch: the open transaction, where the request goes, who sent it. */
export interface HookContext {
  tx: StoreTransaction;
  cluster: ClusterRef;
  user: UserInfo;
  clusters: ClusterIndex;
  /** `http://127.0.0.1:PORT`, the base of every workspace URL. */
  baseUrl: string;
}

/**
 * Kind-specific behaviour, called by the one generic code path. All run inside the write's
 * transaction, so anything they write commits or rolls back with the object.
 */
export interface ResourceHooks {
  /** Defaults and system-owned fields on create. */
  prepareCreate?(object: KubeObject, ctx: HookContext): void;
  /** Keeps system-owned fields across an update (the caller may have dropped them). */
  prepareUpdate?(object: KubeObject, old: KubeObject, ctx: HookContext): void;
  /** Semantic validation; `old` is undefined on create. */
  validate?(object: KubeObject, old: KubeObject | undefined, ctx: HookContext): FieldError[];
  afterCreate?(object: KubeObject, ctx: HookContext): void;
  /** Cascades a deletion to what the object owns. */
  beforeDelete?(object: KubeObject, ctx: HookContext): void;
}

export interface ResourceDefinition extends ResourceName {
  version: string;
  listKind: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  scope: Scope;
  verbs: string[];
  subresources: string[];
  description: string;
  /** The OpenAPI component name, e.g. `io.k8s.api.core.v1.ConfigMap`. */
  schemaName: string;
  schema: Schema;
  /** Problems with a proposed metadata.name, as apimachinery's name validators word them. */
  validateName(name: string): string[];
  /** Table columns after Name (which every kind has) and the matching cells. */
  columns: TableColumn[];
  /** Name goes last and only with `-o wide` instead of first (Events, as kube prints them). */
  nameColumnLast?: boolean;
  cells(object: KubeObject, now: Date): unknown[];
  /** Extra fieldSelector keys beyond metadata.name and metadata.namespace. */
  fieldSelectors?: Record<string, (object: KubeObject) => string | undefined>;
  hooks?: ResourceHooks;
  /**
   * Set for kinds that are computed per request and never stored (reviews): the object a create
   * answers with, from who is asking, where, and the request's (decoded) body.
   */
  review?(ctx: { user: UserInfo; cluster: ClusterRef }, body: unknown): KubeObject;
  /** Set for built-in kinds whose protobuf request bodies (from kubectl's typed clients) are accepted. */
  protobuf?: MessageDescriptor;
  /** Set for kinds some workspaces serve read-only, computed from elsewhere (see projection.ts). */
  projection?: ProjectionOf;
  /**
   * Set for every version but the storage version of a kind served in several: how objects move
   * between this version and the stored one. All versions read and write the same stored objects.
   */
  conversion?: VersionConversion;
  /**
   * Set for kinds defined by a schema rather than built in (bound APIs), served the way the
   * apiserver serves custom resources: wrong JSON types are schema violations (422, found by the
   * kind's validate hook) rather than decoding errors, and strategic merge patch is refused (415).
   */
  customResource?: boolean;
  /**
   * The OpenAPI v3 components that describe the kind (its definition and all it refers to), for
   * kinds with published definitions; others are described by `schema` alone.
   */
  openApiComponents?(): Record<string, unknown>;
  /** Subresources that show part of the object as another kind (`scale`), by subresource name. */
  views?: Record<string, SubresourceView>;
  /** Subresources that answer a create with a computed object of another kind (`serviceaccounts/token`). */
  actions?: Record<string, SubresourceAction>;
}

/**
 * A subresource that only takes a create (POST) and answers with an object of its own kind, computed from the
 * request and the existing parent object, as the apiserver's TokenRequest does. The parent is never written.
 */
export interface SubresourceAction {
  /** How the request body decodes and the answer renders: its kind, apiVersion, schema, protobuf. */
  definition: ResourceDefinition;
  /** The answer; throws an ApiError (a 422 for a bad body) and then nothing happened. */
  create(
    ctx: { user: UserInfo; cluster: ClusterRef; namespace?: string },
    parent: KubeObject,
    body: unknown,
  ): KubeObject | Promise<KubeObject>;
}

/**
 * A subresource read and written as a kind of its own (autoscaling/v1 Scale for `scale`), while the
 * object stays the only thing stored: reads derive the view, writes become a merge patch of the object.
 */
export interface SubresourceView {
  /** How the view renders: its kind, apiVersion and table. */
  definition: ResourceDefinition;
  fromObject(object: KubeObject): KubeObject;
  /** The merge patch that writes a (changed) view back onto its object; throws an ApiError on a bad view. */
  toPatch(name: string, view: unknown): Record<string, unknown>;
}

export interface VersionConversion {
  storageVersion: string;
  /** A (validated) object of this version → the stored form. */
  toStorage(object: KubeObject): KubeObject;
  /** A stored object → this version. */
  fromStorage(object: KubeObject): KubeObject;
}

/** The object as `def`'s version shows it (stored objects are in the storage version). */
export function presentAs(def: ResourceDefinition, stored: KubeObject): KubeObject {
  return def.conversion ? def.conversion.fromStorage(stored) : stored;
}

export function apiVersionOf(def: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** The storage key segment, `configmaps` or `workspaces.tenancy.kcp.io`: the name error messages use too. */
export function groupResource(def: Pick<ResourceDefinition, 'group' | 'resource'>): string {
  return qualifiedResource(def);
}

export interface GroupVersions {
  group: string;
  /** Most preferred first. */
  versions: string[];
}

/** Adds kinds that only some workspaces serve (the APIs bound into them), looked up per request. */
export type DefinitionSource = (cluster: ClusterRef) => ResourceDefinition[];

const gvrKey = (def: Pick<ResourceDefinition, 'group' | 'version' | 'resource'>) =>
  `${def.group}/${def.version}/${def.resource}`;

const VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Kubernetes' version priority (CompareKubeAwareVersionStrings): GA before beta before alpha,
 * higher numbers first, anything else after, alphabetically. Negative when `a` is preferred.
 */
export function compareVersions(a: string, b: string): number {
  const rank = (version: string): [number, number, number] | undefined => {
    const match = VERSION.exec(version);
    if (!match) return undefined;
    const stability = match[2] === undefined ? 2 : match[2] === 'beta' ? 1 : 0;
    return [stability, Number(match[1]), Number(match[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (!ra || !rb) return ra ? -1 : rb ? 1 : a.localeCompare(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i]! - ra[i]!;
  return 0;
}

/**
 * The set of served kinds: the built-in ones every workspace has, each in one or more versions,
 * plus whatever the sources add for one workspace (its bound APIs). Lookups take the logical
 * cluster for that reason; without one they see the built-in kinds only.
 */
export class ResourceRegistry {
  private readonly byVersion = new Map<string, ResourceDefinition>();
  /** groupResource → the storage version's definition. */
  private readonly byGroupResource = new Map<string, ResourceDefinition>();
  private readonly sources: DefinitionSource[] = [];

  constructor(private readonly definitions: ResourceDefinition[]) {
    for (const def of definitions) {
      this.byVersion.set(gvrKey(def), def);
      // A kind whose only conversion is defaulting on read is still its own storage version.
      const stored = !def.conversion || def.conversion.storageVersion === def.version;
      if (stored && !this.byGroupResource.has(groupResource(def)))
        this.byGroupResource.set(groupResource(def), def);
    }
  }

  addSource(source: DefinitionSource): void {
    this.sources.push(source);
  }

  /**
   * What the sources add for the workspace, minus anything that would shadow a built-in kind or a
   * kind an earlier source added (bound APIs come before the workspace's own CRDs).
   */
  private added(cluster: ClusterRef): ResourceDefinition[] {
    if (this.sources.length === 1)
      return this.sources[0]!(cluster).filter((def) => !this.byGroupResource.has(groupResource(def)));
    const added: ResourceDefinition[] = [];
    const taken = new Set<string>();
    for (const source of this.sources) {
      const mine = new Set<string>();
      for (const def of source(cluster)) {
        const key = groupResource(def);
        if (this.byGroupResource.has(key) || taken.has(key)) continue;
        mine.add(key);
        added.push(def);
      }
      for (const key of mine) taken.add(key);
    }
    return added;
  }

  all(cluster?: ClusterRef): ResourceDefinition[] {
    if (!cluster || this.sources.length === 0) return this.definitions;
    return [...this.definitions, ...this.added(cluster)];
  }

  find(
    cluster: ClusterRef | undefined,
    group: string,
    version: string,
    resource: string,
  ): ResourceDefinition | undefined {
    const key = gvrKey({ group, version, resource });
    const builtin = this.byVersion.get(key);
    if (builtin || !cluster || this.sources.length === 0) return builtin;
    return this.added(cluster).find((def) => gvrKey(def) === key);
  }

  isBuiltin(groupResourceKey: string): boolean {
    return this.byGroupResource.has(groupResourceKey);
  }

  /** The storage version of a built-in kind, by `configmaps` or `workspaces.tenancy.kcp.io`. */
  get(groupResourceKey: string): ResourceDefinition {
    const def = this.byGroupResource.get(groupResourceKey);
    if (!def) throw new Error(`resource ${groupResourceKey} is not registered`);
    return def;
  }

  /** Served groups in registration order, the core group ('') included, versions by priority. */
  groups(cluster?: ClusterRef): GroupVersions[] {
    const groups = new Map<string, string[]>();
    for (const def of this.all(cluster)) {
      const versions = groups.get(def.group) ?? [];
      if (!versions.includes(def.version)) versions.push(def.version);
      groups.set(def.group, versions);
    }
    return [...groups].map(([group, versions]) => ({ group, versions: versions.sort(compareVersions) }));
  }

  inGroupVersion(cluster: ClusterRef | undefined, group: string, version: string): ResourceDefinition[] {
    return this.all(cluster).filter((def) => def.group === group && def.version === version);
  }
}
