import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_USER } from '../auth/user.js';
import { ApiError } from '../http/errors.js';
import { SqliteClusterIndex } from '../storage/cluster-index.js';
import { openDatabase, type Db } from '../storage/database.js';
import { EventLog } from '../storage/event-log.js';
import { ObjectStore } from '../storage/object-store.js';
import type { KubeObject } from './object.js';
import { listPage } from './paged-list.js';
import type { Projection } from './projected-kind.js';
import type { ResourceDefinition } from './registry.js';
import { ResourceService, type RequestScope } from './resource-service.js';
import { namespaces } from './resources/namespaces.js';
import { MATCH_ALL } from './selectors/object-filter.js';

const ROOT: RequestScope = { cluster: { id: 'root', path: 'root' }, user: SYSTEM_USER };

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return `${err.code} ${err.reason} ${err.message}`;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const TOO_OLD =
  '410 Expired The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';

describe('listPage', () => {
  let dir: string;
  let db: Db;
  let service: ResourceService;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kplane-paged-'));
    db = openDatabase(join(dir, 'platform.db'));
    // A short event log, so a paged list can outlive the history it reads its first page's version from.
    const store = new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db), { capacity: 5 }));
    service = new ResourceService(store, new SqliteClusterIndex(db), { baseUrl: 'https://127.0.0.1:6443' });
    for (const name of ['a', 'b', 'c', 'd']) await service.create(namespaces, ROOT, { metadata: { name } });
  });

  afterEach(async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const names = (items: KubeObject[]) => items.map((item) => item.metadata.name);

  it('answers 410 once the changes since the first page have left the event log', async () => {
    const first = listPage(service, namespaces, ROOT, MATCH_ALL, { limit: 2 });
    expect(names(first.items)).toEqual(['a', 'b']);
    const token = first.metadata.continue ?? '';
    for (const name of ['e', 'f', 'g', 'h', 'i'])
      await service.create(namespaces, ROOT, { metadata: { name } });
    // Five changes: all still in the log, so the next page is the list as of the first.
    const second = listPage(service, namespaces, ROOT, MATCH_ALL, { limit: 2, continue: token });
    expect(names(second.items)).toEqual(['c', 'd']);
    expect(second.metadata).toEqual({ resourceVersion: first.metadata.resourceVersion });

    await service.create(namespaces, ROOT, { metadata: { name: 'j' } });
    expect(failure(() => listPage(service, namespaces, ROOT, MATCH_ALL, { limit: 2, continue: token }))).toBe(
      TOO_OLD,
    );
  });

  it('pages a projection while it is unchanged and answers 410 once it changed', async () => {
    let view: KubeObject[] = ['x', 'y', 'z'].map((name) => ({ metadata: { name, resourceVersion: '1' } }));
    const projection: Projection = {
      list: () => view,
      affectedBy: (event) => event.key.name === 'watched',
      readOnlyMessage: 'read-only',
    };
    const projected: ResourceDefinition = { ...namespaces, projection: () => projection };
    const first = listPage(service, projected, ROOT, MATCH_ALL, { limit: 2 });
    expect([names(first.items), first.metadata.remainingItemCount]).toEqual([['x', 'y'], 1]);
    const token = first.metadata.continue ?? '';

    await service.create(namespaces, ROOT, { metadata: { name: 'unrelated' } });
    expect(names(listPage(service, projected, ROOT, MATCH_ALL, { limit: 2, continue: token }).items)).toEqual(
      ['z'],
    );

    await service.create(namespaces, ROOT, { metadata: { name: 'watched' } });
    view = [...view, { metadata: { name: 'w', resourceVersion: '9' } }];
    expect(failure(() => listPage(service, projected, ROOT, MATCH_ALL, { limit: 2, continue: token }))).toBe(
      TOO_OLD,
    );
  });
});
