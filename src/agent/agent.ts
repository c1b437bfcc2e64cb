import { isStatusCode } from '../client/api-error.js';
import type { DeleteOption, ManifestWork } from '../client/ocm-work.js';
import type { RestClient } from '../client/rest-client.js';
import {
  type AppliedManifestWork,
  appliedWorkName,
  appliedWorksPath,
  ensureAppliedWorkCrd,
  hubHashFor,
  listAppliedWorks,
} from './applied-work.js';
import { ensureClusterNamespace } from './cluster-namespace.js';
import { MemberDiscovery } from './discovery.js';
import { refreshFeedback } from './feedback-sync.js';
import {
  isAccepted,
  registerCluster,
  type RegistrationOptions,
  renewLease,
  reportClusterStatus,
} from './registration.js';
import { hubErrorText } from './hub-error.js';
import { sleep } from './sleep.js';
import { runWorkInformer } from './work-informer.js';
import { WorkQueue } from './work-queue.js';
import { reconcileWork, removeAppliedWork, type WorkReconcilerDeps } from './work-reconciler.js';

export interface AgentOptions {
  hub: RestClient;
  member: RestClient;
  /** The ManagedCluster's name, which is also its namespace on the hub. */
  clusterName: string;
  /**
   * The full resync period: every work is listed and applied again, whatever its generation, which is what
   * repairs drift on the member (the agent does not watch the member's objects). Changes on the hub arrive by
   * watch at once, whatever this is.
   */
  resyncMs: number;
  /**
   * How often the objects that a work's statusFeedback rules name are read again, so the feedback (a Deployment's
   * ready replicas) follows the member without the work being applied again. Default 10 s.
   */
  statusSyncMs?: number;
  registration: RegistrationOptions;
  signal: AbortSignal;
  /** One line per event worth a log (never a token). */
  log: (line: string) => void;
}

/** How often an agent the hub has not accepted (yet, or any more) asks again. */
export const ACCEPTANCE_POLL_MS = 2000;
/** A work that failed (the member away, a manifest refused) comes back after 1 s, 2 s, 4 s… at most this. */
const RETRY_MAX_MS = 60_000;
const STATUS_SYNC_MS = 10_000;

/**
 * The klusterlet as one loop: join the hub (register, wait for acceptance), then, while accepted, heartbeat and
 * keep the member in line with the ManifestWorks of the cluster's namespace. Works arrive by list-and-watch and
 * are reconciled one at a time; a work whose generation was applied and reported is skipped (OCM's agent does
 * the same with observedGeneration), so an idle agent costs its heartbeat, and one GET every status sync for each
 * object a statusFeedback rule names.
 */
export async function runWorkAgent(given: AgentOptions): Promise<void> {
  // Signals of its own, derived without listeners: many agents in one process may share the caller's signal, and
  // a listener each would pile up on it (and Node warns past ten).
  const options = { ...given, signal: AbortSignal.any([given.signal]) };
  while (!options.signal.aborted) {
    if (!(await untilAccepted(options))) return;
    const session = new AbortController();
    const signal = AbortSignal.any([options.signal, session.signal]);
    await Promise.all([heartbeat(options, signal, () => session.abort()), syncWorks(options, signal)]);
  }
}

/** Registers the cluster and waits until the hub accepts it; false when the agent was stopped first. */
async function untilAccepted(options: AgentOptions): Promise<boolean> {
  let registered = false;
  let waitingSaid = false;
  let lastError = '';
  while (!options.signal.aborted) {
    try {
      if (!registered) {
        await registerCluster(options.hub, options.registration);
        // A cluster created accepted, or accepted before a restart, still needs its namespace on the hub.
        if (options.registration.autoAccept) await acceptSelf(options);
      }
      registered = true;
      if (options.registration.autoAccept) {
        // Registration may have accepted it already; the namespace is what an accepting hub adds.
        await acceptSelf(options);
        return true;
      }
      if (await isAccepted(options.hub, options.clusterName)) return true;
      if (!waitingSaid) {
        options.log(
          `cluster ${options.clusterName} waits for the hub to accept it: kplane cluster accept ${options.clusterName}`,
        );
        waitingSaid = true;
      }
    } catch (error) {
      const message = hubErrorText(error, options.clusterName);
      if (message !== lastError) options.log(`cannot join the hub as ${options.clusterName}: ${message}`);
      lastError = message;
    }
    await sleep(ACCEPTANCE_POLL_MS, options.signal);
  }
  return false;
}

/**
 * Renews the lease and reports status a few times per lease period (so one late renewal does not cost the cluster
 * its lease), and ends the session when the hub no longer accepts the cluster.
 */
async function heartbeat(options: AgentOptions, signal: AbortSignal, endSession: () => void): Promise<void> {
  const periodMs = (options.registration.leaseDurationSeconds * 1000) / 4;
  let lastError = '';
  while (!signal.aborted) {
    try {
      if (!(await isAccepted(options.hub, options.clusterName))) {
        options.log(
          `the hub no longer accepts cluster ${options.clusterName}: applying nothing until it does`,
        );
        endSession();
        return;
      }
      await renewLease(options.hub, options.registration, new Date());
      await reportClusterStatus(options.hub, options.member, options.registration, isoNow());
      lastError = '';
    } catch (error) {
      const message = hubErrorText(error, options.clusterName);
      if (message !== lastError) options.log(`cannot renew the lease of ${options.clusterName}: ${message}`);
      lastError = message;
    }
    await sleep(periodMs, signal);
  }
}

/** Key of the queue's one task that is not a work: removing what works that left the hub had applied. */
const COLLECT_VANISHED = ':vanished';

/**
 * The work side: a cache of the hub's works fed by the informer, and a queue that reconciles them one at a time.
 * Only what the hub answered (a list, a DELETED event) may say a work is gone: an unreachable hub deletes nothing.
 */
async function syncWorks(options: AgentOptions, signal: AbortSignal): Promise<void> {
  const hubHash = hubHashFor(options.hub.baseUrl, options.clusterName);
  const deps: WorkReconcilerDeps = {
    hub: options.hub,
    member: options.member,
    discovery: new MemberDiscovery(options.member),
    hubHash,
  };
  const works = new Map<string, ManifestWork>();
  /** The deleteOption of works a DELETED event took away, for the removal that follows. */
  const deletedOptions = new Map<string, DeleteOption | undefined>();
  /** The generation of each work that was applied in full and whose status the hub holds. */
  const done = new Map<string, number>();
  /** Works whose fed-back objects are to be read again (the status sync came round). */
  const feedbackDueFor = new Set<string>();
  const lastErrors = new Map<string, string>();
  const say = (key: string, message: string) => {
    if (lastErrors.get(key) !== message) options.log(message);
    lastErrors.set(key, message);
  };

  const queue: WorkQueue = new WorkQueue(
    async (key): Promise<void> => {
      try {
        const complete =
          key === COLLECT_VANISHED
            ? (await collectVanishedWorks(options, hubHash, works), true)
            : await syncWork(key);
        if (complete) {
          queue.forget(key);
          lastErrors.delete(key);
        } else queue.retryLater(key);
      } catch (error) {
        say(key, `work ${key}: ${(error as Error).message}`);
        queue.retryLater(key);
      }
    },
    { firstMs: 1000, maxMs: Math.min(RETRY_MAX_MS, options.resyncMs) },
  );

  /** One pass over one work; false when it should be tried again later. */
  async function syncWork(name: string): Promise<boolean> {
    const work = works.get(name);
    if (!work) {
      done.delete(name);
      await removeVanishedWork(options, hubHash, name, deletedOptions.get(name));
      deletedOptions.delete(name);
      return true;
    }
    const generation = work.metadata.generation ?? 0;
    const feedbackDue = feedbackDueFor.delete(name);
    if (!work.metadata.deletionTimestamp && done.get(name) === generation) {
      if (feedbackDue) await refreshFeedback(options.hub, options.member, work);
      return true;
    }
    const result = await reconcileWork(deps, work);
    if (result.removed) {
      done.delete(name);
      return true;
    }
    if (result.failed === 0) {
      done.set(name, generation);
      return true;
    }
    done.delete(name);
    say(name, `work ${name}: ${result.failed} manifests not applied, trying again later`);
    return false;
  }

  while (!signal.aborted) {
    try {
      await ensureAppliedWorkCrd(options.member);
      break;
    } catch (error) {
      say(':crd', `cannot install the AppliedManifestWork CRD on the member: ${(error as Error).message}`);
      await sleep(2000, signal);
    }
  }
  const statusSync = setInterval(() => {
    for (const [name, work] of works) {
      if (!work.spec?.manifestConfigs?.length) continue;
      feedbackDueFor.add(name);
      queue.add(name);
    }
  }, options.statusSyncMs ?? STATUS_SYNC_MS);
  await runWorkInformer(
    {
      hub: options.hub,
      namespace: options.clusterName,
      resyncMs: options.resyncMs,
      signal,
      log: options.log,
    },
    {
      listed(list, resync) {
        if (resync) done.clear();
        works.clear();
        for (const work of list) works.set(work.metadata.name, work);
        for (const name of works.keys()) queue.add(name);
        queue.add(COLLECT_VANISHED);
      },
      changed(work) {
        works.set(work.metadata.name, work);
        queue.add(work.metadata.name);
      },
      deleted(work) {
        works.delete(work.metadata.name);
        deletedOptions.set(work.metadata.name, work.spec?.deleteOption);
        queue.add(work.metadata.name);
      },
    },
  );
  clearInterval(statusSync);
  queue.stop();
  await queue.idle();
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
  onHub: ReadonlyMap<string, ManifestWork>,
): Promise<void> {
  for (const applied of await listAppliedWorks(options.member, hubHash)) {
    if (onHub.has(applied.spec.manifestWorkName)) continue;
    // What the work's deleteOption was is no longer known: everything it applied goes, as with OCM.
    await removeApplied(options, applied, undefined);
  }
}

/** One work the hub said is gone (a DELETED event): its record, if the member holds one, goes with its objects. */
async function removeVanishedWork(
  options: AgentOptions,
  hubHash: string,
  name: string,
  deleteOption: DeleteOption | undefined,
): Promise<void> {
  let applied: AppliedManifestWork;
  try {
    applied = await options.member.get<AppliedManifestWork>(
      `${appliedWorksPath}/${appliedWorkName(hubHash, name)}`,
    );
  } catch (error) {
    if (isStatusCode(error, 404)) return;
    throw error;
  }
  await removeApplied(options, applied, deleteOption);
}

async function removeApplied(
  options: AgentOptions,
  applied: AppliedManifestWork,
  deleteOption: DeleteOption | undefined,
): Promise<void> {
  const name = applied.spec.manifestWorkName;
  await removeAppliedWork(options.member, applied, `${options.clusterName}.${name}`, deleteOption);
  options.log(`work ${name} left the hub: removed what it applied`);
}
