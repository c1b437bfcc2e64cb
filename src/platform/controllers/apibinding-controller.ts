import { deepEqual, isPlainObject } from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { desiredBindingStatus } from '../apis/binding-status.js';
import { API_BINDINGS, API_EXPORTS, API_RESOURCE_SCHEMAS } from '../apis/constants.js';
import { refersToExport } from '../apis/lookup.js';
import { bindingPhase } from '../apis/types.js';
import { SYSTEM_USER } from '../auth/user.js';
import { ApiError } from '../http/errors.js';
import type { ClusterIndex } from '../storage/cluster-index.js';
import type { ChangeEvent } from '../storage/event-log.js';
import type { ObjectKey } from '../storage/object-key.js';
import { WorkQueue } from './work-queue.js';

// kcp's APIBinding controller: a new binding goes to phase Binding, then, once its export and the
// export's schemas are found and nothing in the workspace already serves their names, to Bound with
// boundResources and the export's permission claims. It reacts to every committed change of a
// binding (all bindings of that workspace, since one leaving can free a name another wanted), of an
// export (the bindings to it) and of a schema (the bindings to exports of its workspace).

export interface ApiBindingControllerDeps {
  service: ResourceService;
  registry: ResourceRegistry;
  clusters: ClusterIndex;
}

export class ApiBindingController {
  private readonly queue = new WorkQueue(
    (key) => this.reconcile(key),
    (key, err) => {
      // Someone else wrote the binding first: the retry reads it again, nothing to report.
      if (err instanceof ApiError && err.code === 409) return;
      process.stderr.write(
        `kplane platform: apibinding ${key.cluster}/${key.name}: ${(err as Error).message}\n`,
      );
    },
  );
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: ApiBindingControllerDeps) {}

  /** Listens for changes and queues every binding once, so a restart finishes what was left. */
  start(): void {
    this.unsubscribe = this.deps.service.store.events.subscribe((event) => this.onChange(event));
    for (const entry of this.deps.service.store.listEverywhere(API_BINDINGS)) this.queue.add(entry.key);
  }

  settle(): Promise<void> {
    return this.queue.settle();
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
  }

  /** Queues every binding that refers to an export in `exportCluster` (named `name`, if given). */
  private queueBindingsTo(exportCluster: string, name?: string): void {
    const resolve = (ref: string) => this.deps.clusters.resolve(ref);
    for (const { key, object } of this.deps.service.store.listEverywhere(API_BINDINGS)) {
      const cluster = resolve(key.cluster);
      if (cluster && refersToExport(resolve, object, cluster, exportCluster, name)) this.queue.add(key);
    }
  }

  private onChange(event: ChangeEvent): void {
    const { key } = event;
    if (key.resource === API_BINDINGS) {
      for (const entry of this.deps.service.store.list({ cluster: key.cluster, resource: API_BINDINGS }))
        this.queue.add(entry.key);
    } else if (key.resource === API_EXPORTS) this.queueBindingsTo(key.cluster, key.name);
    else if (key.resource === API_RESOURCE_SCHEMAS) this.queueBindingsTo(key.cluster);
  }

  /** Makes the binding's next status change; true when there may be another. */
  private async reconcile(key: ObjectKey): Promise<boolean> {
    const { service, registry, clusters } = this.deps;
    const binding = service.store.get(key);
    const cluster = clusters.resolve(key.cluster);
    if (!binding || !cluster) return false;
    const status = isPlainObject(binding.status) ? binding.status : {};
    // First say that binding has started, as kcp does, so watchers see Binding, then Bound.
    const wanted =
      bindingPhase(binding) === ''
        ? { ...status, phase: 'Binding' }
        : desiredBindingStatus(
            { reader: service.store, resolve: (ref) => clusters.resolve(ref), builtins: registry.all() },
            binding,
            cluster,
          );
    if (deepEqual(wanted, binding.status ?? {})) return false;
    await service.update(
      registry.get(API_BINDINGS),
      { cluster, user: SYSTEM_USER },
      key.name,
      { ...binding, status: wanted },
      { subresource: 'status' },
    );
    return true;
  }
}
