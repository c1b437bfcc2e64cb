import { isStatusCode } from '../client/api-error.js';
import { type ManifestWork, manifestWorksPath } from '../client/ocm-work.js';
import type { RestClient } from '../client/rest-client.js';
import { sleep } from './sleep.js';

// client-go's reflector for one collection: the ManifestWorks of a cluster's namespace on the hub. It lists, then
// watches from the list's resourceVersion, and keeps the watch going from the last resourceVersion it saw. It lists
// again when the hub says that version is gone (410 Expired), when the stream breaks or cannot be opened (the hub
// restarted or is out of reach: with back-off), and every resync period, the level-triggered safety net that also
// bounds how long a connection that died silently can go unnoticed.

export interface WorkInformerHandlers {
  /** What the hub holds now, after a (re)list; `resync` when the period came round, not a break. */
  listed(works: ManifestWork[], resync: boolean): void;
  changed(work: ManifestWork): void;
  deleted(work: ManifestWork): void;
}

export interface WorkInformerOptions {
  hub: RestClient;
  namespace: string;
  resyncMs: number;
  signal: AbortSignal;
  log: (line: string) => void;
  backoff?: { firstMs: number; maxMs: number };
}

interface WorkList {
  metadata?: { resourceVersion?: string };
  items?: ManifestWork[];
}

interface WatchEvent {
  type: string;
  object:
    | ManifestWork
    | { kind?: string; code?: number; message?: string; metadata?: { resourceVersion?: string } };
}

export async function runWorkInformer(
  options: WorkInformerOptions,
  handlers: WorkInformerHandlers,
): Promise<void> {
  const path = manifestWorksPath(options.namespace);
  const backoff = options.backoff ?? { firstMs: 500, maxMs: 30_000 };
  let failures = 0;
  let lastError = '';
  let nextResync = Date.now() + options.resyncMs;
  let resync = false;
  let resyncDue = false;
  while (!options.signal.aborted) {
    const cycle = new AbortController();
    const abortCycle = () => cycle.abort();
    options.signal.addEventListener('abort', abortCycle, { once: true });
    const resyncTimer = setTimeout(
      () => {
        resyncDue = true;
        cycle.abort();
      },
      Math.max(0, nextResync - Date.now()),
    );
    try {
      const list = await options.hub.get<WorkList>(path);
      handlers.listed(list.items ?? [], resync);
      resync = false;
      let resourceVersion = list.metadata?.resourceVersion ?? '';
      failures = 0;
      if (lastError) options.log(`the hub answers again: watching the works of ${options.namespace}`);
      lastError = '';
      // Watch, and after a stream the hub ended (its timeout, a restart), watch on from the last version seen.
      let ended = false;
      while (!cycle.signal.aborted && !ended) {
        let heard = 0;
        await options.hub.watch<WatchEvent['object']>(
          path,
          { resourceVersion, allowWatchBookmarks: 'true' },
          (event) => {
            heard += 1;
            if (ended) return;
            const next = handleEvent(event as WatchEvent, handlers);
            if (next === relist) {
              options.log(`the hub ended the watch of ${options.namespace}: ${describe(event.object)}`);
              // Aborting from inside the stream's own data handler makes Node throw out of it: end it just after.
              ended = true;
              setImmediate(() => cycle.abort());
            } else if (next) resourceVersion = next;
          },
          cycle.signal,
        );
        // A hub that ends watches as soon as they open (one shutting down, a proxy) must not be asked in a busy loop.
        if (heard === 0) await sleep(backoff.firstMs, cycle.signal);
      }
    } catch (error) {
      // A hub may answer the watch request itself with 410 rather than stream it: list again at once.
      if (!cycle.signal.aborted && !isStatusCode(error, 410)) {
        const message = (error as Error).message;
        if (message !== lastError) options.log(`cannot watch the works of ${options.namespace}: ${message}`);
        lastError = message;
        failures += 1;
        await sleep(Math.min(backoff.firstMs * 2 ** (failures - 1), backoff.maxMs), options.signal);
      }
    } finally {
      clearTimeout(resyncTimer);
      options.signal.removeEventListener('abort', abortCycle);
    }
    if (resyncDue) {
      resync = true;
      resyncDue = false;
      nextResync = Date.now() + options.resyncMs;
    }
  }
}

const relist = Symbol('relist');

/** Applies one event; returns the resourceVersion to resume from, or `relist` when the watch must start over. */
function handleEvent(event: WatchEvent, handlers: WorkInformerHandlers): string | typeof relist | undefined {
  const object = event.object;
  switch (event.type) {
    case 'ADDED':
    case 'MODIFIED':
      handlers.changed(object as ManifestWork);
      break;
    case 'DELETED':
      handlers.deleted(object as ManifestWork);
      break;
    case 'BOOKMARK':
      break;
    case 'ERROR':
      // 410 Expired (the version left the hub's history) or any other error the hub streams: list afresh.
      return relist;
    default:
      return undefined;
  }
  return object.metadata?.resourceVersion;
}

function describe(object: WatchEvent['object']): string {
  const status = object as { code?: number; message?: string };
  return `${status.code ?? ''} ${status.message ?? ''}`.trim();
}
