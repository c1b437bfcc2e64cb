import type { RestClient } from '../client/rest-client.js';
import { ensureAppliedWorkCrd, hubHashFor, listAppliedWorks } from './applied-work.js';
import { MemberDiscovery } from './discovery.js';
import type { ManifestWork } from './manifest-work.js';
import { reconcileWork, removeAppliedWork, worksPath } from './work-reconciler.js';

export interface AgentOptions {
  hub: RestClient;
  member: RestClient;
  /** The ManagedCluster's name, which is also its namespace on the hub. */
  clusterName: string;
  resyncMs: number;
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
  while (!options.signal.aborted) {
    try {
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
