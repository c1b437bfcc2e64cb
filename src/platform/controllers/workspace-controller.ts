import { deepClone, getField, type KubeObject } from '../api/object.js';
import type { ResourceDefinition, ResourceRegistry } from '../api/registry.js';
import type { RequestScope, ResourceService } from '../api/resource-service.js';
import { SYSTEM_USER } from '../auth/user.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import type { ObjectKey } from '../storage/object-key.js';
import {
  LOGICAL_CLUSTER_NAME,
  LOGICAL_CLUSTERS,
  NAMESPACES,
  PATH_ANNOTATION,
  TYPE_ANNOTATION,
  WORKSPACES,
} from '../tenancy/constants.js';
import { ensureRbac, workspaceRbac } from '../tenancy/builtin-rbac.js';
import { ownerOf } from '../tenancy/owner.js';
import { joinPath } from '../tenancy/paths.js';
import { formatTypeReference } from '../tenancy/workspace-types.js';
import { WorkQueue } from './work-queue.js';

export interface WorkspaceControllerDeps {
  service: ResourceService;
  registry: ResourceRegistry;
  clusters: ClusterIndex;
  env: { readonly baseUrl: string };
}

const RETRY_MS = 1000;

/**
 * Brings workspaces to life the way kcp's controllers do: Scheduling → (logical cluster created)
 * Initializing → (default namespace, built-in ClusterRoles, the owner's `workspace-admin`
 * binding) Ready. It is level-triggered: each pass makes at most one
 * change and requeues, so every step is its own write that watchers see, and a workspace left
 * half-way by a crash is simply picked up again by `resync()` on the next start.
 */
export class WorkspaceController {
  private readonly queue = new WorkQueue(
    (key) => this.reconcile(key),
    (key, err) => process.stderr.write(`kplane platform: workspace ${key.name}: ${(err as Error).message}\n`),
    RETRY_MS,
  );

  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: WorkspaceControllerDeps) {}

  enqueue(key: ObjectKey): void {
    this.queue.add(key);
  }

  /**
   * Follows committed workspaces (a workspace created through another replica reaches this one only
   * as an event) and queues every existing one.
   */
  start(): void {
    this.unsubscribe = this.deps.service.store.events.subscribe((event) => {
      if (event.key.resource === WORKSPACES && event.type !== 'DELETED') this.enqueue(event.key);
    });
    this.resync();
  }

  /** Queues every workspace, so unfinished ones finish and stale URLs (a new port) get fixed. */
  resync(): void {
    for (const entry of this.deps.service.store.listEverywhere(WORKSPACES)) this.enqueue(entry.key);
  }

  /** Resolves once nothing is queued; the demo waits on it before filling new workspaces. */
  settle(): Promise<void> {
    return this.queue.settle();
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
  }

  private def(resource: string): ResourceDefinition {
    return this.deps.registry.get(resource);
  }

  /** Makes the next change the workspace needs; false when it is where it should be. */
  private async reconcile(key: ObjectKey): Promise<boolean> {
    const { service, clusters } = this.deps;
    const workspace = service.store.get(key);
    const parent = clusters.resolve(key.cluster);
    if (!workspace || !parent) return false;
    const clusterId = getField(workspace, 'spec.cluster');
    if (typeof clusterId !== 'string' || !clusterId) return false;
    const child: ClusterRef = { id: clusterId, path: joinPath(parent.path, key.name) };
    const url = `${this.deps.env.baseUrl}/clusters/${child.path}`;
    const parentScope: RequestScope = { cluster: parent, user: SYSTEM_USER };
    const childScope: RequestScope = { cluster: child, user: SYSTEM_USER };
    const phase = getField(workspace, 'status.phase');
    const logicalClusters = this.def(LOGICAL_CLUSTERS);

    const logicalCluster = service.find(logicalClusters, childScope, LOGICAL_CLUSTER_NAME);
    if (!logicalCluster) {
      await this.createLogicalCluster(workspace, parent, child, url);
      return true;
    }
    if (phase === 'Scheduling') return this.setPhase(workspace, parentScope, 'Initializing');
    if (phase === 'Initializing') {
      if (!service.find(this.def(NAMESPACES), childScope, 'default')) {
        await service.create(this.def(NAMESPACES), childScope, { metadata: { name: 'default' } });
        return true;
      }
      // The owner is admin before anyone can see the workspace Ready.
      const rbac = workspaceRbac(ownerOf(workspace));
      if (
        await service.store.transact((tx) =>
          ensureRbac(service.within(tx), this.deps.registry, childScope, rbac),
        )
      )
        return true;
      if (getField(logicalCluster, 'status.phase') !== 'Ready') {
        await this.updateStatus(logicalClusters, childScope, logicalCluster, { phase: 'Ready', URL: url });
        return true;
      }
      return this.setPhase(workspace, parentScope, 'Ready');
    }
    if (getField(logicalCluster, 'status.URL') !== url) {
      await this.updateStatus(logicalClusters, childScope, logicalCluster, { URL: url });
      return true;
    }
    if (getField(workspace, 'spec.URL') !== url) {
      // spec.URL is immutable through the API; the system rewrites it when the server's address changes.
      await service.store.transact((tx) => {
        const next = deepClone(workspace);
        (next.spec as Record<string, unknown>).URL = url;
        tx.put(key, next);
      });
      return true;
    }
    return false;
  }

  private async createLogicalCluster(
    workspace: KubeObject,
    parent: ClusterRef,
    child: ClusterRef,
    url: string,
  ): Promise<void> {
    const { service, clusters } = this.deps;
    const type = getField(workspace, 'spec.type') as { name: string; path: string };
    const logicalClusters = this.def(LOGICAL_CLUSTERS);
    const scope: RequestScope = { cluster: child, user: SYSTEM_USER };
    await service.store.transact((tx) => {
      const writes = service.within(tx);
      clusters.add(child);
      const created = writes.create(logicalClusters, scope, {
        metadata: {
          name: LOGICAL_CLUSTER_NAME,
          annotations: { [PATH_ANNOTATION]: child.path, [TYPE_ANNOTATION]: formatTypeReference(type) },
        },
        spec: {
          owner: {
            apiVersion: 'tenancy.kcp.io/v1alpha1',
            resource: 'workspaces',
            name: workspace.metadata.name,
            cluster: parent.id,
            uid: workspace.metadata.uid,
          },
        },
      });
      writes.update(
        logicalClusters,
        scope,
        LOGICAL_CLUSTER_NAME,
        {
          ...created,
          status: {
            ...((created.status as Record<string, unknown> | undefined) ?? {}),
            phase: 'Initializing',
            URL: url,
          },
        },
        { subresource: 'status' },
      );
    });
  }

  private async setPhase(workspace: KubeObject, scope: RequestScope, phase: string): Promise<boolean> {
    await this.updateStatus(this.def(WORKSPACES), scope, workspace, { phase });
    return true;
  }

  private async updateStatus(
    def: ResourceDefinition,
    scope: RequestScope,
    object: KubeObject,
    changes: Record<string, unknown>,
  ): Promise<void> {
    const status = { ...((object.status as Record<string, unknown> | undefined) ?? {}), ...changes };
    await this.deps.service.update(
      def,
      scope,
      object.metadata.name ?? '',
      { ...object, status },
      { subresource: 'status' },
    );
  }
}
