import type { UserInfo } from '../auth/user.js';
import type { FieldError, ResourceName } from '../http/errors.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import type { StoreTransaction } from '../storage/object-store.js';
import type { KubeObject } from './object.js';
import type { ProjectionOf } from './projection.js';
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
}

export function apiVersionOf(def: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** The storage key segment, `configmaps` or `workspaces.tenancy.kcp.io`. */
export function groupResource(def: Pick<ResourceDefinition, 'group' | 'resource'>): string {
  return def.group ? `${def.resource}.${def.group}` : def.resource;
}

export interface GroupVersions {
  group: string;
  versions: string[];
}

/**
 * The set of served kinds. Lookups take the logical cluster because what a workspace serves will
 * depend on its API bindings; today every cluster serves the built-in set.
 */
export class ResourceRegistry {
  private readonly byGroupResource = new Map<string, ResourceDefinition>();

  constructor(private readonly definitions: ResourceDefinition[]) {
    for (const def of definitions) this.byGroupResource.set(groupResource(def), def);
  }

  all(_cluster?: ClusterRef): ResourceDefinition[] {
    return this.definitions;
  }

  find(
    _cluster: ClusterRef | undefined,
    group: string,
    version: string,
    resource: string,
  ): ResourceDefinition | undefined {
    const def = this.byGroupResource.get(group ? `${resource}.${group}` : resource);
    return def && def.version === version ? def : undefined;
  }

  get(groupResourceKey: string): ResourceDefinition {
    const def = this.byGroupResource.get(groupResourceKey);
    if (!def) throw new Error(`resource ${groupResourceKey} is not registered`);
    return def;
  }

  /** Served groups in registration order, the core group ('') included. */
  groups(cluster?: ClusterRef): GroupVersions[] {
    const groups = new Map<string, string[]>();
    for (const def of this.all(cluster)) {
      const versions = groups.get(def.group) ?? [];
      if (!versions.includes(def.version)) versions.push(def.version);
      groups.set(def.group, versions);
    }
    return [...groups].map(([group, versions]) => ({ group, versions }));
  }

  inGroupVersion(cluster: ClusterRef | undefined, group: string, version: string): ResourceDefinition[] {
    return this.all(cluster).filter((def) => def.group === group && def.version === version);
  }
}
