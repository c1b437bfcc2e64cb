import { ApiError, badRequest, expired } from '../http/errors.js';
import type { EventLog } from '../storage/event-log.js';
import type { KubeObject } from './object.js';
import type { Projection } from './projected-kind.js';
import type { ResourceDefinition } from './registry.js';
import { matchesFilter, type ObjectFilter } from './selectors/object-filter.js';
import type { WatchEvent } from './watch-event.js';

// A projection is a kind that a workspace serves read-only from somewhere else: what it holds is
// computed from stored objects (of this workspace or others) on each read, never stored here. Reads
// go through the same handler, RBAC and renderers as stored kinds; writes answer 405 with the
// projection's own explanation; watches recompute the view when a change could touch it and send
// the difference.

export function readOnlyProjection(
  projection: Projection,
  def: ResourceDefinition,
  target?: { namespace?: string; name: string },
): ApiError {
  const message =
    (target && projection.readOnlyMessageFor?.(target.namespace, target.name)) ?? projection.readOnlyMessage;
  return new ApiError(405, 'MethodNotAllowed', message, {
    group: def.group,
    kind: def.resource,
  });
}

function withResourceVersion(object: KubeObject, rv: number): KubeObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
}

/** Keyed by namespace and name: a namespaced view holds the same name in several namespaces. */
function byName(objects: KubeObject[]): Map<string, KubeObject> {
  return new Map(
    objects.map((object) => [`${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`, object]),
  );
}

/**
 * What a watch of the view sends when it moves from `before` to `after` because of a change at
 * `rv`: objects entering the (filtered) view are ADDED, leaving it DELETED, changed MODIFIED. Every
 * event carries `rv`, so a client resuming from the last event it saw resumes after this change.
 */
export function projectionEvents(
  def: ResourceDefinition,
  filter: ObjectFilter,
  before: ReadonlyMap<string, KubeObject>,
  after: ReadonlyMap<string, KubeObject>,
  rv: number,
): WatchEvent[] {
  const events: WatchEvent[] = [];
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const name of names) {
    const old = before.get(name);
    const now = after.get(name);
    const matchedBefore = old !== undefined && matchesFilter(def, old, filter);
    const matchesNow = now !== undefined && matchesFilter(def, now, filter);
    if (matchesNow && matchedBefore) {
      if (old.metadata.resourceVersion !== now.metadata.resourceVersion)
        events.push({ type: 'MODIFIED', object: withResourceVersion(now, rv) });
    } else if (matchesNow) {
      events.push({ type: 'ADDED', object: withResourceVersion(now, rv) });
    } else if (matchedBefore) {
      events.push({ type: 'DELETED', object: withResourceVersion(old, rv) });
    }
  }
  return events;
}

/**
 * A watch on a projection, with the apiserver's semantics as far as a computed view allows: no
 * resourceVersion replays the view as ADDED; N sends the objects changed after N as MODIFIED (a
 * view keeps no history, so membership changes between N and now are not replayed); a version
 * older than the event log answers 410 Expired.
 */
export function watchProjection(
  def: ResourceDefinition,
  projection: Projection,
  log: EventLog,
  filter: ObjectFilter,
  resourceVersion: string | undefined,
  emit: (event: WatchEvent) => void,
): (() => void) | undefined {
  let current = byName(projection.list());
  const visible = [...current.values()].filter((object) => matchesFilter(def, object, filter));
  if (resourceVersion === undefined || resourceVersion === '' || resourceVersion === '0') {
    for (const object of visible) emit({ type: 'ADDED', object });
  } else {
    if (!/^\d+$/.test(resourceVersion))
      throw badRequest(`invalid resource version: ${JSON.stringify(resourceVersion)}`);
    const since = Number(resourceVersion);
    if (!log.since(since)) {
      emit({
        type: 'ERROR',
        object: { ...expired(`too old resource version: ${since} (${log.floor})`).toStatus() },
      });
      return undefined;
    }
    for (const object of visible)
      if (Number(object.metadata.resourceVersion ?? 0) > since) emit({ type: 'MODIFIED', object });
  }
  return log.subscribe((event) => {
    if (!projection.affectedBy(event)) return;
    const next = byName(projection.list());
    for (const out of projectionEvents(def, filter, current, next, event.rv)) emit(out);
    current = next;
  });
}
