import { getField, isPlainObject, type KubeObject } from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { RequestScope, ResourceService } from '../api/resource-service.js';
import { SYSTEM_USER } from '../auth/user.js';
import {
  CLUSTER_LEASE_NAME,
  clusterHealthChange,
  type HealthCluster,
  type HealthLease,
} from '../compute/cluster-health.js';
import { COMPUTE_PATH, MANAGED_CLUSTERS } from '../compute/constants.js';
import { ApiError } from '../http/errors.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import type { ChangeEvent } from '../storage/event-log.js';
import { WorkQueue } from './work-queue.js';

// OCM's hub lease and taint controllers for root:compute: when an agent stops renewing its cluster's
// Lease for the grace period, the cluster's Available turns Unknown and it is tainted unreachable, so
// the scheduler moves placements off it; when the agent is back and reports Available, the taint goes.
// The decision is compute/cluster-health.ts; this class reacts to ManagedCluster and Lease changes and
// keeps one timer, set to the earliest moment a fresh lease runs out, so a dead agent is noticed right
// at the end of its grace and nothing wakes up while no lease is due.

export const LEASES = 'leases.coordination.k8s.io';
/**
 * The longest the timer sleeps before looking again. Node clamps a delay beyond 2^31-1 ms (~24.8 days) to
 * 1 ms and warns each time, so an unbounded expiry would spin the hub and flood its log.
 */
export const MAX_TIMER_MS = 3_600_000;

export interface ClusterLeaseControllerDeps {
  service: ResourceService;
  registry: ResourceRegistry;
  clusters: ClusterIndex;
  now?: () => number;
}

export class ClusterLeaseController {
  private readonly queue = new WorkQueue(
    (key) => this.reconcile(key.name),
    (key, err) => {
      // A conflict means someone wrote the cluster in between: the change event queues it again.
      if (err instanceof ApiError && err.code === 409) return;
      process.stderr.write(`kplane platform: cluster lease ${key.name}: ${(err as Error).message}\n`);
    },
  );
  /** Clusters with a fresh lease, by the moment (ms since epoch) it runs out. */
  private readonly dueAt = new Map<string, number>();
  private timer: { at: number; handle: NodeJS.Timeout } | undefined;
  private compute: ClusterRef | undefined;
  /** The renewTime of each lease as found on starting: its grace counts from the start (heardSince). */
  private readonly foundOnStart = new Map<string, unknown>();
  /** Each lease's renewTime and when the hub first saw it: a renewal is never later than that. */
  private readonly seen = new Map<string, { renewTime: unknown; at: number }>();
  private startedAt = Number.NEGATIVE_INFINITY;
  private unsubscribe: (() => void) | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: ClusterLeaseControllerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Listens for changes and looks at every cluster once. */
  start(): void {
    const { store } = this.deps.service;
    this.compute = this.deps.clusters.resolve(COMPUTE_PATH);
    if (!this.compute) return;
    this.startedAt = this.now();
    this.unsubscribe = store.events.subscribe((event) => this.onChange(event));
    for (const entry of store.list({ cluster: this.compute.id, resource: MANAGED_CLUSTERS })) {
      const lease = this.leaseOf(entry.key.name);
      if (lease) this.foundOnStart.set(entry.key.name, getField(lease, 'spec.renewTime'));
      this.enqueue(entry.key.name);
    }
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
    if (this.timer) clearTimeout(this.timer.handle);
    this.timer = undefined;
    this.dueAt.clear();
    this.foundOnStart.clear();
    this.seen.clear();
  }

  settle(): Promise<void> {
    return this.queue.settle();
  }

  /** When the next lease runs out, if one is being watched: for tests. */
  nextWakeUp(): number | undefined {
    return this.timer?.at;
  }

  private onChange(event: ChangeEvent): void {
    const { key } = event;
    if (key.cluster !== this.compute?.id) return;
    if (key.resource === MANAGED_CLUSTERS) this.enqueue(key.name);
    // A cluster's lease lives in the namespace named after the cluster.
    else if (key.resource === LEASES && key.name === CLUSTER_LEASE_NAME) this.enqueue(key.namespace);
  }

  private enqueue(clusterName: string): void {
    if (this.compute)
      this.queue.add({
        cluster: this.compute.id,
        resource: MANAGED_CLUSTERS,
        namespace: '',
        name: clusterName,
      });
  }

  private async reconcile(name: string): Promise<boolean> {
    const compute = this.compute;
    if (!compute) return false;
    const { store } = this.deps.service;
    const cluster = store.get({ cluster: compute.id, resource: MANAGED_CLUSTERS, namespace: '', name });
    const lease = this.leaseOf(name);
    // Renewed since the start: from now on the lease's own time counts.
    if (this.foundOnStart.has(name) && this.foundOnStart.get(name) !== getField(lease, 'spec.renewTime'))
      this.foundOnStart.delete(name);
    const seenAt = this.seenAt(name, lease);
    const change = cluster
      ? clusterHealthChange(
          cluster as unknown as HealthCluster,
          lease as unknown as HealthLease | undefined,
          this.now(),
          this.foundOnStart.has(name) ? this.startedAt : Number.NEGATIVE_INFINITY,
          seenAt,
        )
      : {};
    if (change.conditions || change.taints) await this.write(compute, name, change.conditions, change.taints);
    if (change.expiresAt === undefined) this.dueAt.delete(name);
    else this.dueAt.set(name, change.expiresAt);
    this.armTimer();
    return false;
  }

  /** When the hub first saw the lease's current renewTime (now, for one it has not seen before). */
  private seenAt(name: string, lease: KubeObject | undefined): number {
    if (!lease) {
      this.seen.delete(name);
      return Number.POSITIVE_INFINITY;
    }
    const renewTime = getField(lease, 'spec.renewTime');
    const known = this.seen.get(name);
    if (known && known.renewTime === renewTime) return known.at;
    const at = this.now();
    this.seen.set(name, { renewTime, at });
    return at;
  }

  private leaseOf(clusterName: string): KubeObject | undefined {
    if (!this.compute) return undefined;
    return this.deps.service.store.get({
      cluster: this.compute.id,
      resource: LEASES,
      namespace: clusterName,
      name: CLUSTER_LEASE_NAME,
    });
  }

  /** The Available condition first, then the taints it implies, each on the object as it now is. */
  private async write(
    compute: ClusterRef,
    name: string,
    conditions: unknown[] | undefined,
    taints: unknown[] | undefined,
  ): Promise<void> {
    const { service, registry } = this.deps;
    const def = registry.get(MANAGED_CLUSTERS);
    const scope: RequestScope = { cluster: compute, user: SYSTEM_USER };
    await service.store.transact((tx) => {
      const writes = service.within(tx);
      const current = () => {
        const found = writes.find(def, scope, name);
        if (!found) throw new Error(`ManagedCluster ${name} is gone`);
        return found;
      };
      if (conditions) {
        writes.update(
          def,
          scope,
          name,
          { ...current(), status: { ...status(current()), conditions } },
          {
            subresource: 'status',
          },
        );
      }
      if (taints) {
        const now = current();
        writes.update(def, scope, name, { ...now, spec: { ...spec(now), taints } });
      }
    });
  }

  /** One timer, at the earliest expiry but at most an hour away; none when no lease is fresh. */
  private armTimer(): void {
    let earliest: number | undefined;
    for (const at of this.dueAt.values()) if (earliest === undefined || at < earliest) earliest = at;
    if (earliest !== undefined) earliest = Math.min(earliest, this.now() + MAX_TIMER_MS);
    if (this.timer && earliest !== undefined && this.timer.at <= earliest) return;
    if (this.timer) clearTimeout(this.timer.handle);
    this.timer = undefined;
    if (earliest === undefined) return;
    const handle = setTimeout(() => this.wakeUp(), Math.max(0, earliest - this.now()));
    handle.unref();
    this.timer = { at: earliest, handle };
  }

  private wakeUp(): void {
    this.timer = undefined;
    const now = this.now();
    for (const [name, at] of this.dueAt) {
      if (at > now) continue;
      this.dueAt.delete(name);
      this.enqueue(name);
    }
    // The rest (or this one, when the timer fired a hair early) keeps its own time.
    this.armTimer();
  }
}

const status = (object: KubeObject) => (isPlainObject(object.status) ? object.status : {});
const spec = (object: KubeObject) => (isPlainObject(object.spec) ? object.spec : {});
