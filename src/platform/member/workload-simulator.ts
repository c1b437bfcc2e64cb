import { isPlainObject, nowTimestamp, type KubeObject } from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { SYSTEM_USER } from '../auth/user.js';
import { ApiError } from '../http/errors.js';
import type { ChangeEvent } from '../storage/event-log.js';
import type { ObjectKey } from '../storage/object-key.js';
import { SIMULATED_WORKLOADS } from './simulated.js';

// KWOK's idea on a dev member: nothing runs containers, so a controller moves each workload's status to
// what a healthy cluster would show once it has rolled out: all replicas updated, ready and available, for
// the generation it was given. Kubernetes' own controllers write these fields; an agent's status feedback
// and `kubectl rollout status` read them.

type Status = Record<string, unknown>;

function replicasOf(workload: KubeObject): number {
  const spec = isPlainObject(workload.spec) ? workload.spec : {};
  return typeof spec.replicas === 'number' ? spec.replicas : 1;
}

function condition(type: string, reason: string, message: string, at: string) {
  return { type, status: 'True', lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

const SIMULATED_NOTE = 'simulated by the kplane dev member, which runs no containers';

/** The status a workload shows once its controller has caught up with its spec and every pod is ready. */
export function simulatedStatus(resource: string, workload: KubeObject, now: Date): Status {
  const replicas = replicasOf(workload);
  const observedGeneration = workload.metadata.generation ?? 1;
  const at = nowTimestamp(now);
  const counts = { replicas, readyReplicas: replicas, availableReplicas: replicas };
  switch (resource) {
    case 'deployments.apps':
      return {
        observedGeneration,
        ...counts,
        updatedReplicas: replicas,
        conditions: [
          condition(
            'Available',
            'MinimumReplicasAvailable',
            `Deployment has minimum availability (${SIMULATED_NOTE}).`,
            at,
          ),
          condition(
            'Progressing',
            'NewReplicaSetAvailable',
            `ReplicaSet "${workload.metadata.name ?? ''}" has successfully progressed (${SIMULATED_NOTE}).`,
            at,
          ),
        ],
      };
    case 'statefulsets.apps': {
      const revision = `${workload.metadata.name ?? ''}-${observedGeneration}`;
      return {
        observedGeneration,
        ...counts,
        currentReplicas: replicas,
        updatedReplicas: replicas,
        currentRevision: revision,
        updateRevision: revision,
        collisionCount: 0,
      };
    }
    default:
      return { observedGeneration, ...counts, fullyLabeledReplicas: replicas };
  }
}

function observedGenerationOf(workload: KubeObject): unknown {
  return isPlainObject(workload.status) ? workload.status.observedGeneration : undefined;
}

function needsStatus(workload: KubeObject): boolean {
  return (
    !workload.metadata.deletionTimestamp &&
    observedGenerationOf(workload) !== (workload.metadata.generation ?? 1)
  );
}

export interface WorkloadSimulatorDeps {
  service: ResourceService;
  registry: ResourceRegistry;
  /** How long a rollout "takes": the pause between a spec change and its status. */
  delayMs: number;
}

const keyString = (key: ObjectKey) => JSON.stringify([key.cluster, key.resource, key.namespace, key.name]);

export class WorkloadSimulator {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly deps: WorkloadSimulatorDeps) {}

  /** Watches for spec changes, and catches up with what changed while the member was down. */
  start(): void {
    this.unsubscribe = this.deps.service.store.events.subscribe((event) => this.onChange(event));
    for (const resource of SIMULATED_WORKLOADS) {
      for (const entry of this.deps.service.store.listEverywhere(resource))
        if (needsStatus(entry.object)) this.schedule(entry.key);
    }
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private onChange(event: ChangeEvent): void {
    if (event.type === 'DELETED') return;
    if (!(SIMULATED_WORKLOADS as readonly string[]).includes(event.key.resource)) return;
    if (needsStatus(event.object)) this.schedule(event.key);
  }

  private schedule(key: ObjectKey): void {
    const id = keyString(key);
    if (this.stopped || this.pending.has(id)) return;
    const timer = setTimeout(() => {
      this.pending.delete(id);
      void this.reconcile(key);
    }, this.deps.delayMs);
    this.pending.set(id, timer);
  }

  /** Reads the workload as it is now (it may have changed or gone since) and writes its status. */
  private async reconcile(key: ObjectKey): Promise<void> {
    const { service, registry } = this.deps;
    const def = registry.get(key.resource);
    const scope = {
      cluster: { id: key.cluster, path: key.cluster },
      user: SYSTEM_USER,
      namespace: key.namespace,
    };
    const workload = service.find(def, scope, key.name);
    if (!workload || !needsStatus(workload)) return;
    try {
      await service.update(
        def,
        scope,
        key.name,
        { ...workload, status: simulatedStatus(key.resource, workload, new Date()) },
        { subresource: 'status' },
      );
    } catch (err) {
      // Changed in between (409): the change's own event schedules it again.
      if (err instanceof ApiError && err.code === 409) return;
      process.stderr.write(
        `kplane member: status of ${key.cluster}/${key.namespace}/${key.name}: ${(err as Error).message}\n`,
      );
    }
  }
}
