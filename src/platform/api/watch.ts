import { badRequest, expired } from '../http/errors.js';
import type { ChangeEvent } from '../storage/event-log.js';
import type { KubeObject } from './object.js';
import { watchProjection } from './projection.js';
import { groupResource, presentAs, type ResourceDefinition } from './registry.js';
import type { RequestScope, ResourceService } from './resource-service.js';
import { matchesFilter, type ObjectFilter } from './selectors/object-filter.js';
import type { WatchEvent, WatchEventType } from './watch-event.js';

export interface WatchRequest {
  def: ResourceDefinition;
  scope: RequestScope;
  filter: ObjectFilter;
  /** The `resourceVersion` query parameter as sent. */
  resourceVersion: string | undefined;
}

/**
 * Starts a watch and returns how to stop it, or undefined when it ended at once. Semantics follow the apiserver: no resourceVersion
 * (or "0") replays the current state as ADDED events first; N streams exactly the changes after N;
 * an N older than the event buffer gets one ERROR event with a 410 Expired Status.
 * Replay and subscription happen in the same tick, so no change can fall between them.
 */
export function openWatch(
  service: ResourceService,
  request: WatchRequest,
  emit: (event: WatchEvent) => void,
): (() => void) | undefined {
  const { def, scope, filter } = request;
  const rv = request.resourceVersion;
  const log = service.store.events;
  const projection = service.projection(def, scope);
  if (projection) return watchProjection(def, projection, log, filter, rv, emit);
  const resource = groupResource(def);
  const inScope = (event: ChangeEvent) =>
    event.key.cluster === scope.cluster.id &&
    event.key.resource === resource &&
    (scope.namespace === undefined || event.key.namespace === scope.namespace);
  const deliver = (event: ChangeEvent) => {
    const translated = translate(def, filter, event);
    if (translated) emit({ type: translated.type, object: presentAs(def, translated.object) });
  };

  if (rv === undefined || rv === '' || rv === '0') {
    for (const object of service.list(def, scope, filter).items) emit({ type: 'ADDED', object });
  } else {
    if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
    const backlog = log.since(Number(rv));
    if (!backlog) {
      emit({
        type: 'ERROR',
        object: { ...expired(`too old resource version: ${rv} (${log.floor})`).toStatus() },
      });
      return undefined;
    }
    for (const event of backlog) if (inScope(event)) deliver(event);
  }
  return log.subscribe((event) => {
    if (inScope(event)) deliver(event);
  });
}

/** Selector watches see an object enter or leave the selection as ADDED or DELETED. */
export function translate(
  def: ResourceDefinition,
  filter: ObjectFilter,
  event: ChangeEvent,
): { type: WatchEventType; object: KubeObject } | undefined {
  const matchesNow = matchesFilter(def, event.object, filter);
  if (event.type !== 'MODIFIED') return matchesNow ? { type: event.type, object: event.object } : undefined;
  const matchedBefore = event.previous ? matchesFilter(def, event.previous, filter) : false;
  if (matchesNow && matchedBefore) return { type: 'MODIFIED', object: event.object };
  if (matchesNow) return { type: 'ADDED', object: event.object };
  if (matchedBefore) return { type: 'DELETED', object: event.object };
  return undefined;
}
