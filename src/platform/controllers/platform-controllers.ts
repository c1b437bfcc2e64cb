import type { ResourceRegistry } from '../api/registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { bootstrapCompute } from '../compute/bootstrap.js';
import { seedDemo } from '../demo.js';
import type { ClusterIndex } from '../storage/cluster-index.js';
import { ReplicaSetController } from '../work/replicaset-controller.js';
import { ApiBindingController } from './apibinding-controller.js';
import { ClusterLeaseController } from './cluster-lease-controller.js';
import { CrdNamingController } from './crd-naming-controller.js';
import { PlacementController } from './placement-controller.js';
import { WorkspaceController } from './workspace-controller.js';
import { LeaderElector } from './leader-election.js';
import type { PlatformStore } from '../storage/store.js';

export interface PlatformControllersDeps {
  service: ResourceService;
  registry: ResourceRegistry;
  clusters: ClusterIndex;
  env: { readonly baseUrl: string };
  /** Seed the demo tree once root:compute is up. */
  demo: boolean;
  /** How many placements one transaction may decide (etcd caps a Txn's operations). */
  maxPlacementsPerTransaction?: number;
}

export interface RunningControllers {
  workspaces: WorkspaceController;
  stop(): void;
}

/**
 * Starts every controller of the platform, in the order they depend on each other: workspaces first
 * (root:compute must come up), then the compute bootstrap and the demo, then placement, delivery and
 * cluster leases. One replica runs them at a time (the leader); each start builds fresh instances that
 * resync from the store.
 */
export async function startControllers(deps: PlatformControllersDeps): Promise<RunningControllers> {
  const { service, registry, clusters, env } = deps;
  const stops: (() => void)[] = [];
  const stop = () => {
    for (const each of stops.splice(0).reverse()) each();
  };
  try {
    const workspaces = new WorkspaceController({ service, registry, clusters, env });
    stops.push(() => workspaces.stop());
    workspaces.start();
    const bindings = new ApiBindingController({ service, registry, clusters });
    stops.push(() => bindings.stop());
    bindings.start();
    const crdNames = new CrdNamingController({ service, registry, clusters });
    stops.push(() => crdNames.stop());
    crdNames.start();
    await bootstrapCompute({ service, registry, clusters, settle: () => workspaces.settle() });
    if (deps.demo) await seedDemo({ service, registry, clusters, controller: workspaces });
    await workspaces.settle();
    const scheduler = new PlacementController({
      service,
      registry,
      clusters,
      ...(deps.maxPlacementsPerTransaction ? { maxPerTransaction: deps.maxPlacementsPerTransaction } : {}),
    });
    stops.push(() => scheduler.stop());
    scheduler.start();
    const delivery = new ReplicaSetController({ service, registry, clusters });
    stops.push(() => delivery.stop());
    delivery.start();
    const clusterLeases = new ClusterLeaseController({ service, registry, clusters });
    stops.push(() => clusterLeases.stop());
    clusterLeases.start();
    return { workspaces, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

/** How long a starting replica waits to learn whether it leads before it serves. */
const FIRST_LEAD_WAIT_MS = 2000;

/**
 * Runs the controllers on this replica only while it holds the controllers' Lease (several replicas
 * on one etcd). A replica that finds nobody leading takes the Lease at once and resolves once its
 * controllers have started (root:compute is up, the demo seeded); one that finds a leader resolves
 * after a short wait and serves requests while it stands by.
 */
export async function runControllersWhileLeading(
  store: PlatformStore,
  deps: PlatformControllersDeps,
  onChange: (running: RunningControllers | undefined) => void,
): Promise<LeaderElector> {
  const elector = new LeaderElector({
    store,
    onError: (err) =>
      process.stderr.write(`kplane platform: leader election: ${(err as Error).message ?? String(err)}\n`),
  });
  let current: RunningControllers | undefined;
  let firstLead: () => void = () => undefined;
  const led = new Promise<void>((resolve) => (firstLead = resolve));
  elector.run({
    onStartedLeading: async () => {
      process.stderr.write(`kplane platform: ${elector.identity} leads the controllers\n`);
      current = await startControllers(deps);
      onChange(current);
      firstLead();
    },
    onStoppedLeading: () => {
      current?.stop();
      current = undefined;
      onChange(undefined);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([led, new Promise((resolve) => (timer = setTimeout(resolve, FIRST_LEAD_WAIT_MS)))]);
  clearTimeout(timer);
  return elector;
}
