import { CollectionSnapshot } from '../storage/collection-snapshot.js';
import type { ChangeEvent, EventLog } from '../storage/event-log.js';
import type { CollectionScope, ListPosition } from '../storage/object-key.js';
import type { PlatformStore } from '../storage/store.js';
import {
  compareKeys,
  encodeContinue,
  pageInMemory,
  startPaging,
  tooOldToContinue,
  type ListMeta,
  type ListPaging,
  type Page,
  type PageRequest,
} from './list-paging.js';
import type { KubeObject } from './object.js';
import type { Projection } from './projected-kind.js';
import { groupResource, presentAs, type ResourceDefinition } from './registry.js';
import type { RequestScope, ResourceService } from './resource-service.js';
import { matchesFilter, type ObjectFilter } from './selectors/object-filter.js';

// One page of a workspace's list of a kind: stored kinds page in the store, read at the first page's
// resourceVersion; a projection (a view computed on each read) pages in memory and, keeping no
// history, answers 410 once something it shows has changed since the first page.

/** Rows read from the store per query while a page fills: enough for a page, bounded for a filter. */
const MAX_BATCH = 1_000;

/** kube-apiserver leaves remainingItemCount out when a selector filters the list. */
export function filtersNothing(filter: ObjectFilter): boolean {
  return filter.labels.length === 0 && filter.fields.length === 0;
}

/** What the page's ListMeta says: a continue token and the count when more items follow. */
export function pageMeta<T>(list: string, rv: number, page: Page<T>, countable: boolean): ListMeta {
  const meta: ListMeta = { resourceVersion: String(rv) };
  if (!page.last) return meta;
  meta.continue = encodeContinue(list, { rv, start: page.last });
  if (countable && page.remaining !== undefined) meta.remainingItemCount = page.remaining;
  return meta;
}

/** Whether nothing that could touch `affected` has changed since `rv` (and the log still knows). */
export function unchangedSince(
  log: EventLog,
  rv: number,
  affected: (event: ChangeEvent) => boolean,
): boolean {
  const changes = log.since(rv);
  return changes !== undefined && !changes.some(affected);
}

/** One page of the kind's list in the request's workspace (and namespace), as `limit`/`continue` ask. */
export function listPage(
  service: ResourceService,
  def: ResourceDefinition,
  scope: RequestScope,
  filter: ObjectFilter,
  request: PageRequest,
): { items: KubeObject[]; metadata: ListMeta } {
  const collection: CollectionScope = {
    cluster: scope.cluster.id,
    resource: groupResource(def),
    ...(def.scope === 'Namespaced' && scope.namespace !== undefined ? { namespace: scope.namespace } : {}),
  };
  const list = `clusters/${collection.cluster}/${collection.resource}/${collection.namespace ?? ''}`;
  const { store } = service;
  const { rv, paging } = startPaging(request, { list, keyLength: 2, newestRv: store.resourceVersion });
  const projection = service.projection(def, scope);
  const page = projection
    ? projectionPage(def, projection, store.events, rv, filter, paging)
    : storedPage(def, store, collection, rv, filter, paging);
  return { items: page.items, metadata: pageMeta(list, rv, page, filtersNothing(filter)) };
}

function storedPage(
  def: ResourceDefinition,
  store: PlatformStore,
  collection: CollectionScope,
  rv: number,
  filter: ObjectFilter,
  paging: ListPaging,
): Page<KubeObject> {
  const snapshot = CollectionSnapshot.at(store, collection, rv);
  if (!snapshot) throw tooOldToContinue();
  const start = paging.token?.start;
  const after: ListPosition | undefined = start && { namespace: start[0] ?? '', name: start[1] ?? '' };
  const items: KubeObject[] = [];
  let last: ListPosition | undefined;
  let more = false;
  for (const entry of snapshot.entriesAfter(after, Math.min(paging.limit + 1, MAX_BATCH))) {
    const object = presentAs(def, entry.object);
    if (!matchesFilter(def, object, filter)) continue;
    if (items.length === paging.limit) {
      more = true;
      break;
    }
    items.push(object);
    last = entry.key;
  }
  if (!more || !last) return { items };
  const remaining = filtersNothing(filter) ? snapshot.countAfter(last) : undefined;
  return { items, last: [last.namespace, last.name], ...(remaining !== undefined ? { remaining } : {}) };
}

function projectionPage(
  def: ResourceDefinition,
  projection: Projection,
  log: EventLog,
  rv: number,
  filter: ObjectFilter,
  paging: ListPaging,
): Page<KubeObject> {
  if (paging.token && !unchangedSince(log, rv, (event) => projection.affectedBy(event)))
    throw tooOldToContinue();
  const items = projection
    .list()
    .filter((object) => matchesFilter(def, object, filter))
    .sort((a, b) => compareKeys(objectKey(a), objectKey(b)));
  return pageInMemory(items, objectKey, paging);
}

const objectKey = (object: KubeObject) => [object.metadata.namespace ?? '', object.metadata.name ?? ''];
