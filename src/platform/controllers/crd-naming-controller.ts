import { deepEqual, isPlainObject, type KubeObject } from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { CRDS } from '../apiextensions/constants.js';
import { API_BINDINGS } from '../apis/constants.js';
import { SYSTEM_USER } from '../auth/user.js';
import { ApiError } from '../http/errors.js';
import type { ClusterIndex } from '../storage/cluster-index.js';
import type { ChangeEvent } from '../storage/event-log.js';
import type { ObjectKey } from '../storage/object-key.js';
import { WorkQueue } from './work-queue.js';

// kube-apiserver's naming controller, for what can change a CRD's names' fate without the CRD
// being written: an API bound into (or unbound from) its workspace, or another CRD of its group
// giving up names (deleted, or its accepted names changed). Each CRD concerned is written again as
// it is; its prepare hook decides NamesAccepted and Established afresh, and a write that changes
// nothing stores nothing (so CRDs of one group settle rather than wake each other forever).

const groupOf = (crd: KubeObject) => (isPlainObject(crd.spec) ? crd.spec.group : undefined);
const acceptedNamesOf = (crd: KubeObject | undefined) =>
  isPlainObject(crd?.status) ? crd.status.acceptedNames : undefined;

/** Whether the change may have freed names a CRD of the same group was refused. */
function releasesNames(event: ChangeEvent): boolean {
  if (event.type === 'DELETED') return true;
  return (
    event.type === 'MODIFIED' && !deepEqual(acceptedNamesOf(event.previous), acceptedNamesOf(event.object))
  );
}

export interface CrdNamingControllerDeps {
  service: ResourceService;
  registry: ResourceRegistry;
  clusters: ClusterIndex;
}

export class CrdNamingController {
  private readonly queue = new WorkQueue(
    (key) => this.reconcile(key),
    (key, err) => {
      if (err instanceof ApiError && err.code === 409) return;
      process.stderr.write(`kplane platform: crd ${key.cluster}/${key.name}: ${(err as Error).message}\n`);
    },
  );
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: CrdNamingControllerDeps) {}

  start(): void {
    this.unsubscribe = this.deps.service.store.events.subscribe((event) => this.onChange(event));
  }

  settle(): Promise<void> {
    return this.queue.settle();
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
  }

  private onChange(event: ChangeEvent): void {
    if (event.key.resource === API_BINDINGS) {
      for (const entry of this.deps.service.store.list({ cluster: event.key.cluster, resource: CRDS }))
        this.queue.add(entry.key);
    } else if (event.key.resource === CRDS && releasesNames(event)) {
      const group = groupOf(event.object);
      for (const entry of this.deps.service.store.list({ cluster: event.key.cluster, resource: CRDS }))
        if (entry.key.name !== event.key.name && groupOf(entry.object) === group) this.queue.add(entry.key);
    }
  }

  private async reconcile(key: ObjectKey): Promise<boolean> {
    const { service, registry, clusters } = this.deps;
    const crd = service.store.get(key);
    const cluster = clusters.resolve(key.cluster);
    if (!crd || !cluster) return false;
    await service.update(registry.get(CRDS), { cluster, user: SYSTEM_USER }, key.name, crd);
    return false;
  }
}
