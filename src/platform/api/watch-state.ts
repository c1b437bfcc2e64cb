import { ApiError } from '../http/errors.js';
import { listPage } from './paged-list.js';
import type { ResourceDefinition } from './registry.js';
import type { RequestScope, ResourceService } from './resource-service.js';
import type { ObjectFilter } from './selectors/object-filter.js';
import type { WatchEvent } from './watch-event.js';

/**
 * What one watch holds of the state it starts with while its client reads, however large the
 * namespace: pages of about this many bytes, at most STATE_PAGE_ITEMS objects, sized from the
 * first object of the page before (the first page is that one object).
 */
const STATE_PAGE_BYTES = 1024 * 1024;
const STATE_PAGE_ITEMS = 100;

function nextPageLimit(items: readonly unknown[]): number {
  const sample = items[0];
  if (sample === undefined) return STATE_PAGE_ITEMS;
  const bytes = JSON.stringify(sample).length;
  return Math.max(1, Math.min(STATE_PAGE_ITEMS, Math.floor(STATE_PAGE_BYTES / bytes)));
}

/**
 * The collection as ADDED events, as a watch without a resourceVersion starts: the first object is
 * read now (in the tick the watch subscribes, so the state and the changes after it meet exactly),
 * the rest page by page at that same resourceVersion as the events are taken. If the history that
 * keeps that version readable runs out first (a client slower than the watch history), the watch
 * gets an ERROR event (410 Expired) and ends, and the client lists again.
 */
export function currentState(
  service: ResourceService,
  def: ResourceDefinition,
  scope: RequestScope,
  filter: ObjectFilter,
  end: () => void,
): Iterable<WatchEvent> {
  let page = listPage(service, def, scope, filter, { limit: 1 });
  return (function* () {
    for (;;) {
      for (const object of page.items) yield { type: 'ADDED', object };
      const token = page.metadata.continue;
      if (!token) return;
      try {
        const limit = nextPageLimit(page.items);
        page = listPage(service, def, scope, filter, { limit, continue: token });
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 410) throw error;
        yield { type: 'ERROR', object: { ...error.toStatus() } };
        // After the ERROR event is sent: ending from inside the send would re-enter it.
        queueMicrotask(end);
        return;
      }
    }
  })();
}
