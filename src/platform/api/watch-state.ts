import { ApiError } from '../http/errors.js';
import { listPage } from './paged-list.js';
import type { ResourceDefinition } from './registry.js';
import type { RequestScope, ResourceService } from './resource-service.js';
import type { ObjectFilter } from './selectors/object-filter.js';
import type { WatchEvent } from './watch-event.js';

/**
 * Objects read from the store at a time while a watch sends the state it starts with: what one
 * watch holds of that state, however large the namespace, while its client reads.
 */
const STATE_PAGE = 25;

/**
 * The collection as ADDED events, as a watch without a resourceVersion starts: the first page is
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
  let page = listPage(service, def, scope, filter, { limit: STATE_PAGE });
  return (function* () {
    for (;;) {
      for (const object of page.items) yield { type: 'ADDED', object };
      const token = page.metadata.continue;
      if (!token) return;
      try {
        page = listPage(service, def, scope, filter, { limit: STATE_PAGE, continue: token });
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
