import { credentialLifetime, type CredentialLifetime } from '../auth/credential-lifetime.js';
import { ApiError, badRequest, expired, unauthorized, type Status } from '../http/errors.js';
import type { ChangeEvent } from '../storage/event-log.js';
import type { KubeObject } from './object.js';
import { watchProjection } from './projection.js';
import { currentState } from './watch-state.js';
import { groupResource, presentAs, type ResourceDefinition } from './registry.js';
import type { RequestScope, ResourceService } from './resource-service.js';
import { matchesFilter, type ObjectFilter } from './selectors/object-filter.js';
import type { WatchEvent, WatchEventType } from './watch-event.js';

/**
 * A grant a watch depends on that its grantor may withdraw while the watch is open: a consumer's
 * APIBinding accepting a provider's claim. The watch replays nothing from before the grant, and
 * ends (ERROR, then end of stream) as soon as a change takes the grant away.
 */
export interface WatchConsent {
  /** The resourceVersion the grant began at, or later: resuming from before it answers 410 Expired. */
  since: number;
  /** Whether a change could withdraw the grant: a cheap test on the key, run for every change. */
  affectedBy(event: ChangeEvent): boolean;
  /** Judges the grant again from what is stored now: the Status to end with, or undefined while it holds. */
  withdrawn(): Status | undefined;
}

export interface WatchRequest {
  def: ResourceDefinition;
  scope: RequestScope;
  filter: ObjectFilter;
  /** The `resourceVersion` query parameter as sent. */
  resourceVersion: string | undefined;
  consent?: WatchConsent;
}

const tooOld = (rv: string | number, floor: number): WatchEvent => ({
  type: 'ERROR',
  object: { ...expired(`too old resource version: ${rv} (${floor})`).toStatus() },
});

/**
 * Starts a watch and returns how to stop it, or undefined when it ended at once; `end` ends it
 * early. A watch held to a consent treats a resume from before the consent began as one from
 * before the history kept (410 Expired), and ends with the consent. Every watch also ends with the
 * credential that opened it: when its ServiceAccount goes (401) and when its token expires.
 */
export function openWatch(
  service: ResourceService,
  request: WatchRequest,
  emit: (event: WatchEvent) => void,
  end: () => void,
  /** Queues the events the watch starts with, taken as the client reads; sent at once unless given. */
  replay: (events: Iterable<WatchEvent>) => void = (events) => {
    for (const event of events) emit(event);
  },
): (() => void) | undefined {
  const { consent, resourceVersion: rv, scope } = request;
  if (consent && rv !== undefined && /^\d+$/.test(rv) && rv !== '0' && Number(rv) < consent.since) {
    emit(tooOld(rv, consent.since));
    return undefined;
  }
  const credential = credentialLifetime(scope.user, scope.cluster.id, service.store);
  const heldByCredential = credentialConsent(credential);
  const endWith = (status: Status) => emit({ type: 'ERROR', object: { ...status } });
  // The router checked the credential just now; this catches one that lapsed on the way here.
  const lost = heldByCredential.withdrawn();
  if (lost ?? expiredBy(credential, Date.now())) {
    endWith(lost ?? tokenExpired().toStatus());
    return undefined;
  }
  const stopWatch = watchChanges(service, request, emit, replay, end);
  if (!stopWatch) return undefined;
  // Only a grant that can be withdrawn costs a look at every change; most watches hold none.
  const revocable = [...(scope.user.boundTo ? [heldByCredential] : []), ...(consent ? [consent] : [])];
  const stopJudging =
    revocable.length === 0
      ? () => undefined
      : service.store.events.subscribe((event) => {
          for (const hold of revocable) {
            if (!hold.affectedBy(event)) continue;
            const status = hold.withdrawn();
            if (!status) continue;
            endWith(status);
            end();
            return;
          }
        });
  const stopClock =
    credential.expiresAt === undefined
      ? () => undefined
      : atTime(credential.expiresAt, Date.now, () => {
          endWith(tokenExpired().toStatus());
          end();
        });
  return () => {
    stopClock();
    stopJudging();
    stopWatch();
  };
}

/** The credential as a grant the watch depends on: it replays everything, and ends when revoked. */
function credentialConsent(credential: CredentialLifetime): WatchConsent {
  return {
    since: 0,
    affectedBy: (event) => credential.revokedBy(event.key),
    withdrawn: () => (credential.holds() ? undefined : unauthorized().toStatus()),
  };
}

const expiredBy = (credential: CredentialLifetime, time: number) =>
  credential.expiresAt !== undefined && credential.expiresAt <= time;

function tokenExpired(): ApiError {
  return new ApiError(401, 'Unauthorized', 'the token that opened this watch has expired');
}

// setTimeout fires at once for delays past 2^31-1 ms (24.8 days), and tokens may live a year.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Calls `fire` once at `time` (however far off); returns how to cancel it. */
function atTime(time: number, now: () => number, fire: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const left = time - now();
    if (left <= 0) fire();
    else timer = setTimeout(arm, Math.min(left, LONGEST_TIMER_MS));
  };
  timer = setTimeout(arm, Math.min(Math.max(time - now(), 0), LONGEST_TIMER_MS));
  return () => clearTimeout(timer);
}

/**
 * The watch itself, with the apiserver's semantics: no resourceVersion (or "0") replays the
 * current state as ADDED events first; N streams exactly the changes after N; an N older than the
 * event buffer gets one ERROR event with a 410 Expired Status.
 * Replay and subscription happen in the same tick, so no change can fall between them.
 */
function watchChanges(
  service: ResourceService,
  request: WatchRequest,
  emit: (event: WatchEvent) => void,
  replay: (events: Iterable<WatchEvent>) => void,
  end: () => void,
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
    replay(currentState(service, def, scope, filter, end));
  } else {
    if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
    const backlog = log.since(Number(rv));
    if (!backlog) {
      emit(tooOld(rv, log.floor));
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
