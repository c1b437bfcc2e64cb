import type { RestClient } from '../client/rest-client.js';
import { ensureClusterNamespace } from './cluster-namespace.js';
import { ensureAppliedWorkCrd, hubHashFor, listAppliedWorks } from './applied-work.js';
import { MemberDiscovery } from './discovery.js';
import type { ManifestWork } from './manifest-work.js';
import {
  isAccepted,
  registerCluster,
  type RegistrationOptions,
  renewLease,
  reportClusterStatus,
} from './registration.js';
import { reconcileWork, removeAppliedWork, worksPath } from './work-reconciler.js';

export interface AgentOptions {
  hub: RestClient;
  member: RestClient;
  /** The ManagedCluster's name, which is also its namespace on the hub. */
  clusterName: string;
  resyncMs: number;
  registration: RegistrationOptions;
  signal: AbortSignal;
  /** One line per event worth a log (never a token). */
  log: (line: string) => void;
}

/**
 * The work agent's loop: read every ManifestWork in the cluster's namespace on the hub and reconcile each, again
 * every resync period. Level-triggered on purpose: whatever was missed (a restart, the hub or the member away)
 * is caught up by the next pass, and a failing work does not hold up the others.
 */
export async function runWorkAgent(options: AgentOptions): Promise<void> {
  const discovery = new MemberDiscovery(options.member);
  const hubHash = hubHashFor(options.hub.baseUrl, options.clusterName);
  const deps = { hub: options.hub, member: options.member, discovery, hubHash };
  let lastError = '';
  let crdReady = false;
  let registered = false;
  let waitingSaid = false;
  let lastHeartbeat = 0;
  while (!options.signal.aborted) {
    try {
      if (!registered) {
        await registerCluster(options.hub, options.registration);
        // A cluster created accepted, or accepted before a restart, still needs its namespace on the hub.
        if (options.registration.autoAccept) await acceptSelf(options);
      }
      registered = true;
      if (!(await isAccepted(options.hub, options.clusterName))) {
        if (options.registration.autoAccept) await acceptSelf(options);
        else if (!waitingSaid) {
          options.log(
            `cluster ${options.clusterName} waits for the hub to accept it: kplane cluster accept ${options.clusterName}`,
          );
          waitingSaid = true;
        }
        await sleep(options.resyncMs, options.signal);
        continue;
      }
      // Heartbeat a few times per lease period, so one late renewal does not cost the cluster its lease.
      if (Date.now() - lastHeartbeat >= (options.registration.leaseDurationSeconds * 1000) / 4) {
        await renewLease(options.hub, options.registration, new Date());
        await reportClusterStatus(options.hub, options.member, options.registration, isoNow());
        lastHeartbeat = Date.now();
      }
      if (!crdReady) await ensureAppliedWorkCrd(options.member);
      crdReady = true;
      const list = await options.hub.get<{ items?: ManifestWork[] }>(worksPath(options.clusterName));
      const works = list.items ?? [];
      for (const work of works) {
        try {
          await reconcileWork(deps, work);
        } catch (error) {
          options.log(`work ${work.metadata.name}: ${(error as Error).message}`);
        }
      }
      // Only a list the hub answered may say a work is gone; an unreachable hub never deletes anything.
      await collectVanishedWorks(options, hubHash, new Set(works.map((work) => work.metadata.name)));
      lastError = '';
    } catch (error) {
      // The hub away: say so once, keep trying.
      const message = (error as Error).message;
      if (message !== lastError) options.log(`cannot list the works of ${options.clusterName}: ${message}`);
      lastError = message;
    }
    await sleep(options.resyncMs, options.signal);
  }
}

/** Dev compute (`--auto-accept`): the agent accepts itself and makes its namespace, as an accepting hub would. */
async function acceptSelf(options: AgentOptions): Promise<void> {
  await options.hub.request(
    'PATCH',
    `/apis/cluster.open-cluster-management.io/v1/managedclusters/${options.clusterName}`,
    {
      body: { spec: { hubAcceptsClient: true } },
      contentType: 'application/merge-patch+json',
    },
  );
  await ensureClusterNamespace(options.hub, options.clusterName);
}

function isoNow(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** OCM's unmanaged-AppliedManifestWork collection: a record whose work left the hub takes its objects along. */
async function collectVanishedWorks(
  options: AgentOptions,
  hubHash: string,
  onHub: Set<string>,
): Promise<void> {
  for (const applied of await listAppliedWorks(options.member, hubHash)) {
    if (onHub.has(applied.spec.manifestWorkName)) continue;
    const owner = `${options.clusterName}.${applied.spec.manifestWorkName}`;
    try {
      await removeAppliedWork(options.member, applied, owner, false);
      options.log(`work ${applied.spec.manifestWorkName} left the hub: removed what it applied`);
    } catch (error) {
      options.log(`work ${applied.spec.manifestWorkName}: ${(error as Error).message}`);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
