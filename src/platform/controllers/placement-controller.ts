import { performance } from 'node:perf_hooks';
import {
  placementsToReschedule,
  placementsUsingClusterSet,
  schedulePlacement,
  type ClusterChange,
  type ManagedCluster,
  type ScheduleResult,
} from '../../placement/index.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { RequestScope, ResourceService, TransactionWrites } from '../api/resource-service.js';
import { SYSTEM_USER } from '../auth/user.js';
import { clusterSetOf, wantedBindingStatus } from '../compute/binding-status.js';
import {
  COMPUTE_PATH,
  MANAGED_CLUSTER_SET_BINDINGS,
  MANAGED_CLUSTER_SETS,
  MANAGED_CLUSTERS,
  PLACEMENT_DECISIONS,
  PLACEMENTS,
  SCHEDULING_DISABLED_ANNOTATION,
} from '../compute/constants.js';
import type { ClusterIndex } from '../storage/cluster-index.js';
import type { ChangeEvent } from '../storage/event-log.js';
import { placementKey, PlacementWorld, type PlacementEntry } from './placement-world.js';
import { writePlacementResult } from './placement-writer.js';

// The scheduler: decides every Placement of every workspace with src/placement's algorithm, over the
// compute registered in root:compute, and keeps ManagedClusterSetBinding status in step with the
// sets. It works from an in-memory world kept current by committed changes, re-decides only the
// placements a change can affect (placementsToReschedule: a healthy choice stays chosen), collects a
// burst of changes for `debounceMs` before deciding, and decides in slices of `sliceMs` so a
// thousand placements never hold up the server's requests.

export interface PlacementControllerDeps {
  service: ResourceService;
  registry: ResourceRegistry;
  clusters: ClusterIndex;
  debounceMs?: number;
  sliceMs?: number;
  /** How many placements one transaction may decide at most (etcd caps the operations of a Txn). */
  maxPerTransaction?: number;
  now?: () => Date;
}

const RETRY_MS = 1000;

export class PlacementController {
  readonly world = new PlacementWorld();
  private computeId: string | undefined;
  private readonly queue = new Set<string>();
  private readonly bindingQueue = new Set<string>();
  private readonly requeueTimers = new Map<string, NodeJS.Timeout>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private drainTimer: NodeJS.Timeout | undefined;
  private drainImmediate: NodeJS.Immediate | undefined;
  private unsubscribe: (() => void) | undefined;
  /** True while this controller's own writes commit, so their events do not queue more work. */
  private writing = false;
  private draining = false;
  private readonly maxPerTransaction: number;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly debounceMs: number;
  private readonly sliceMs: number;
  private readonly now: () => Date;
  /** Decisions made since start, for tests and logs. */
  decisionsMade = 0;

  constructor(private readonly deps: PlacementControllerDeps) {
    this.debounceMs = deps.debounceMs ?? 100;
    this.sliceMs = deps.sliceMs ?? 10;
    this.maxPerTransaction = deps.maxPerTransaction ?? Number.POSITIVE_INFINITY;
    this.now = deps.now ?? (() => new Date());
  }

  /** Loads what is stored, listens for changes, and queues every placement and binding once. */
  start(): void {
    const { store } = this.deps.service;
    this.unsubscribe = store.events.subscribe((event) => this.onChange(event));
    this.computeId = this.deps.clusters.resolve(COMPUTE_PATH)?.id;
    if (this.computeId !== undefined) {
      for (const entry of store.list({ cluster: this.computeId, resource: MANAGED_CLUSTERS }))
        this.world.setCluster(entry.key.name, entry.object);
      for (const entry of store.list({ cluster: this.computeId, resource: MANAGED_CLUSTER_SETS }))
        this.world.setClusterSet(entry.key.name, entry.object);
    }
    for (const entry of store.listEverywhere(MANAGED_CLUSTER_SET_BINDINGS)) {
      this.world.setBinding(entry.key, entry.object);
      this.bindingQueue.add(placementKey(entry.key.cluster, entry.key.namespace, entry.key.name));
    }
    for (const entry of store.listEverywhere(PLACEMENT_DECISIONS))
      this.world.setDecision(entry.key, entry.object);
    for (const entry of store.listEverywhere(PLACEMENTS)) this.world.setPlacement(entry.key, entry.object);
    for (const key of this.world.placements.keys()) this.queue.add(key);
    this.scheduleDrain(0);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.drainTimer) clearTimeout(this.drainTimer);
    if (this.drainImmediate) clearImmediate(this.drainImmediate);
    for (const timer of this.requeueTimers.values()) clearTimeout(timer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.requeueTimers.clear();
    this.retryTimers.clear();
    this.queue.clear();
    this.bindingQueue.clear();
    this.notifyIdle();
  }

  /** Resolves once nothing is queued or about to be decided (timed requeues do not count). */
  settle(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  enqueue(placementKey: string): void {
    if (this.stopped || !this.world.placements.has(placementKey)) return;
    this.queue.add(placementKey);
    this.scheduleDrain(this.debounceMs);
  }

  // --- reacting to committed changes ---------------------------------------------------------------

  private onChange(event: ChangeEvent): void {
    if (this.stopped) return;
    /** The object as it is now; undefined when it was deleted. */
    const object = event.type === 'DELETED' ? undefined : event.object;
    switch (event.key.resource) {
      case MANAGED_CLUSTERS:
        if (event.key.cluster === this.computeId) this.clusterChanged(event, object);
        return;
      case MANAGED_CLUSTER_SETS:
        if (event.key.cluster === this.computeId) this.clusterSetChanged(event.key.name, object);
        return;
      case MANAGED_CLUSTER_SET_BINDINGS:
        if (this.world.setBinding(event.key, object)) {
          for (const key of this.world.placementsInNamespace(event.key.cluster, event.key.namespace))
            this.enqueue(key);
        }
        if (object && !this.writing)
          this.enqueueBinding(placementKey(event.key.cluster, event.key.namespace, event.key.name));
        return;
      case PLACEMENTS: {
        const key = placementKey(event.key.cluster, event.key.namespace, event.key.name);
        if (this.world.setPlacement(event.key, object)) this.enqueue(key);
        if (!object) this.forget(key);
        return;
      }
      case PLACEMENT_DECISIONS: {
        const owner = this.world.setDecision(event.key, object);
        // Someone else changed a decision: put back what the scheduler decided.
        if (owner !== undefined && !this.writing) this.enqueue(owner);
        return;
      }
      default:
    }
  }

  private clusterChanged(event: ChangeEvent, object: KubeObject | undefined): void {
    const name = event.key.name;
    this.world.setCluster(name, object);
    const change: ClusterChange = object
      ? { type: event.type === 'ADDED' ? 'added' : 'updated', cluster: object as unknown as ManagedCluster }
      : { type: 'removed', clusterName: name };
    const { keys, states } = this.world.placementStates();
    const needs = placementsToReschedule(change, states, [...this.world.sets.values()], this.now());
    for (const need of needs) {
      const key = keys[need.index];
      if (key !== undefined) this.enqueue(key);
    }
  }

  private clusterSetChanged(name: string, object: KubeObject | undefined): void {
    this.world.setClusterSet(name, object);
    const { keys, states } = this.world.placementStates();
    for (const index of placementsUsingClusterSet(name, states)) {
      const key = keys[index];
      if (key !== undefined) this.enqueue(key);
    }
    for (const [cluster, namespace, binding, set] of this.world.allBindings()) {
      if (set === name) this.enqueueBinding(placementKey(cluster, namespace, binding));
    }
  }

  /** A deleted placement: nothing left to decide or to time. */
  private forget(key: string): void {
    if (this.world.placements.has(key)) return;
    this.queue.delete(key);
    const timer = this.requeueTimers.get(key);
    if (timer) clearTimeout(timer);
    this.requeueTimers.delete(key);
  }

  /** Bindings are queued by [workspace, namespace, name], the same shape as placements. */
  private enqueueBinding(key: string): void {
    if (this.stopped) return;
    this.bindingQueue.add(key);
    this.scheduleDrain(this.debounceMs);
  }

  // --- the work loop ---------------------------------------------------------------------------------

  private idle(): boolean {
    return (
      this.queue.size === 0 &&
      this.bindingQueue.size === 0 &&
      this.drainTimer === undefined &&
      this.drainImmediate === undefined &&
      !this.draining
    );
  }

  private scheduleDrain(delayMs: number): void {
    if (this.stopped || this.draining || this.drainTimer !== undefined || this.drainImmediate !== undefined)
      return;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      void this.drain();
    }, delayMs);
  }

  /**
   * Works for up to `sliceMs`, then yields to the event loop and carries on. The placements of one
   * slice are written in one transaction, because a commit waits for the disk (about 1.5 ms, or a
   * round trip to etcd) and a decision is much cheaper than that; if the slice fails, each of its
   * placements is tried alone. A slice holds at most `maxPerTransaction` placements, so its etcd
   * transaction stays within etcd's limit on operations.
   */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      await this.drainSlice();
    } finally {
      this.draining = false;
    }
    if (this.stopped) return;
    if (this.queue.size > 0 || this.bindingQueue.size > 0) {
      this.drainImmediate = setImmediate(() => {
        this.drainImmediate = undefined;
        void this.drain();
      });
    } else {
      this.notifyIdle();
    }
  }

  private async drainSlice(): Promise<void> {
    const started = performance.now();
    const hasTime = () => !this.stopped && performance.now() - started < this.sliceMs;
    while (hasTime()) {
      const binding = first(this.bindingQueue);
      if (binding === undefined) break;
      this.bindingQueue.delete(binding);
      await this.attempt(
        () => this.reconcileBinding(binding),
        () => this.enqueueBinding(binding),
      );
    }
    const slice: { key: string; decisions: string[] }[] = [];
    while (slice.length < this.maxPerTransaction) {
      const placement = first(this.queue);
      if (placement === undefined) break;
      this.queue.delete(placement);
      slice.push({ key: placement, decisions: this.world.decisionNames(placement) });
    }
    if (slice.length === 0) return;
    let decided = 0;
    try {
      // On etcd the transaction may run again on fresher data: each run starts from the slice's first.
      await this.asSelf((writes) => {
        decided = 0;
        for (const { key } of slice) {
          if (decided > 0 && !hasTime()) break;
          this.decide(key, writes);
          decided++;
        }
      });
    } catch (err) {
      process.stderr.write(`kplane platform: scheduler: a slice rolled back: ${(err as Error).message}\n`);
      // Rolled back: forget what the slice told the cache, then decide its placements one by one.
      for (const { key, decisions } of slice) this.reloadDecisions(key, decisions);
      for (const { key } of slice)
        await this.attempt(
          () => this.asSelf((writes) => this.decide(key, writes)),
          () => this.enqueue(key),
        );
      return;
    }
    // What the slice had no time for waits for the next turn.
    for (const { key } of slice.slice(decided)) this.queue.add(key);
  }

  private async attempt(work: () => unknown, retry: () => void): Promise<void> {
    try {
      await work();
    } catch (err) {
      process.stderr.write(`kplane platform: scheduler: ${(err as Error).message}\n`);
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        retry();
      }, RETRY_MS);
      this.retryTimers.add(timer);
    }
  }

  private notifyIdle(): void {
    if (!this.idle() && !this.stopped) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Writes as the platform, with this controller's events marked as its own. */
  private async asSelf<T>(work: (writes: TransactionWrites) => T): Promise<T> {
    const { service } = this.deps;
    this.writing = true;
    try {
      return await service.store.transact((tx) => work(service.within(tx)));
    } finally {
      this.writing = false;
    }
  }

  private scopeOf(clusterId: string, namespace: string): RequestScope | undefined {
    const cluster = this.deps.clusters.resolve(clusterId);
    return cluster ? { cluster, user: SYSTEM_USER, namespace } : undefined;
  }

  // --- deciding ------------------------------------------------------------------------------------

  private decide(key: string, writes: TransactionWrites): void {
    const entry = this.world.placements.get(key);
    if (!entry || entry.object.metadata.annotations?.[SCHEDULING_DISABLED_ANNOTATION] === 'true') return;
    const scope = this.scopeOf(entry.cluster, entry.namespace);
    if (!scope) return;
    const now = this.now();
    const result = this.schedule(entry, now);
    writePlacementResult({
      writes,
      registry: this.deps.registry,
      scope,
      placement: entry.object,
      existingDecisions: this.world.decisionNames(key),
      result,
      now,
      // The next placement of the slice must see these decisions (Balance) before they commit.
      onDecisionWritten: (name, object) => this.world.setDecision(this.decisionKey(entry, name), object),
    });
    this.decisionsMade++;
    this.requeueAt(key, result.requeueAt, now);
  }

  private schedule(entry: PlacementEntry, now: Date): ScheduleResult {
    const { world } = this;
    return schedulePlacement({
      placement: entry.placement,
      clusters: world.clusterIndex(),
      clusterSets: [...world.sets.values()],
      bindings: world.boundSets(entry.cluster, entry.namespace),
      previousDecisions: world.previousDecisions(entry.key),
      decisionCounts: world.decisionCountsWithout(entry.key),
      now,
      // The per-cluster reasons are for `place explain`; the controller writes decisions only.
      explain: false,
    });
  }

  private decisionKey(entry: PlacementEntry, name: string) {
    return { cluster: entry.cluster, resource: PLACEMENT_DECISIONS, namespace: entry.namespace, name };
  }

  /** Puts the cache of a placement's decisions back to what is stored. */
  private reloadDecisions(key: string, before: readonly string[]): void {
    const entry = this.world.placements.get(key);
    if (!entry) return;
    for (const name of new Set([...before, ...this.world.decisionNames(key)])) {
      const pdKey = this.decisionKey(entry, name);
      this.world.setDecision(pdKey, this.deps.service.store.get(pdKey));
    }
  }

  /** tolerationSeconds run out at `at`: decide again then. */
  private requeueAt(key: string, at: string | undefined, now: Date): void {
    const previous = this.requeueTimers.get(key);
    if (previous) clearTimeout(previous);
    this.requeueTimers.delete(key);
    if (at === undefined) return;
    const delay = Math.max(0, Date.parse(at) - now.getTime()) + 10;
    const timer = setTimeout(() => {
      this.requeueTimers.delete(key);
      this.enqueue(key);
    }, delay);
    timer.unref();
    this.requeueTimers.set(key, timer);
  }

  private async reconcileBinding(id: string): Promise<void> {
    const [cluster, namespace, name] = JSON.parse(id) as [string, string, string];
    const key = { cluster, resource: MANAGED_CLUSTER_SET_BINDINGS, namespace, name };
    const binding = this.deps.service.store.get(key);
    const scope = this.scopeOf(key.cluster, key.namespace);
    if (!binding || !scope) return;
    const status = wantedBindingStatus(binding, this.world.sets.has(clusterSetOf(binding)), this.now());
    if (!status) return;
    const def = this.deps.registry.get(MANAGED_CLUSTER_SET_BINDINGS);
    await this.asSelf((writes) =>
      writes.update(def, scope, key.name, { ...binding, status }, { subresource: 'status' }),
    );
  }
}

function first<T>(set: ReadonlySet<T>): T | undefined {
  for (const item of set) return item;
  return undefined;
}
