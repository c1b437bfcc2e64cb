import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Authorizer } from '../auth/authorize.js';
import { SYSTEM_USER } from '../auth/user.js';
import { bootstrapRoot } from '../controllers/root-bootstrap.js';
import { SqliteClusterIndex } from '../storage/cluster-index.js';
import { openDatabase, type Db } from '../storage/database.js';
import { EventLog } from '../storage/event-log.js';
import { ObjectStore } from '../storage/object-store.js';
import type { KubeObject } from './object.js';
import type { ResourceRegistry } from './registry.js';
import { ResourceService, type RequestScope } from './resource-service.js';
import { builtinRegistry } from './resources/index.js';
import { MATCH_ALL } from './selectors/object-filter.js';
import type { WatchEvent } from './watch-event.js';
import { currentState } from './watch-state.js';

// A watch without a resourceVersion starts with every object of the collection, read from the store
// a page at a time as its client takes them: what it sends must still be the collection at one
// resourceVersion, whatever is written meanwhile.

const scope: RequestScope = {
  cluster: { id: 'root', path: 'root' },
  user: SYSTEM_USER,
  namespace: 'default',
};

let dir: string | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function platformWith(configMaps: number, historyCapacity?: number) {
  dir = mkdtempSync(join(tmpdir(), 'kplane-watch-state-'));
  db = openDatabase(join(dir, 'platform.db'));
  const log = new EventLog(
    ObjectStore.initialResourceVersion(db),
    historyCapacity ? { capacity: historyCapacity } : {},
  );
  const store = new ObjectStore(db, log);
  const clusters = new SqliteClusterIndex(db);
  const registry: ResourceRegistry = builtinRegistry({
    onCreated: () => undefined,
    authorizer: new Authorizer(store),
  });
  const env = { baseUrl: 'https://127.0.0.1:6443' };
  const service = new ResourceService(store, clusters, env);
  await bootstrapRoot(service, registry, clusters, env.baseUrl);
  const def = registry.get('configmaps');
  for (let i = 0; i < configMaps; i++)
    await service.create(def, scope, {
      metadata: { name: `cm-${String(i).padStart(3, '0')}` },
      data: { v: 'before' },
    });
  return { service, def };
}

const take = (events: Iterator<WatchEvent>, count: number) => {
  const taken: WatchEvent[] = [];
  for (let next = events.next(); !next.done; next = events.next()) {
    taken.push(next.value);
    if (taken.length === count) break;
  }
  return taken;
};
const nameOf = (event: WatchEvent) => (event.object as KubeObject).metadata.name;

describe('the state a watch starts with', () => {
  it('is the collection as it was when the watch began, however it changes while the client reads', async () => {
    // 300 objects: the first alone, then pages of 100 (small objects), so the last page is read after the writes.
    const { service, def } = await platformWith(300);
    let ended = false;
    const events = currentState(service, def, scope, MATCH_ALL, () => (ended = true))[Symbol.iterator]();
    const first = take(events, 10);

    await service.update(def, scope, 'cm-250', { metadata: { name: 'cm-250' }, data: { v: 'after' } });
    await service.delete(def, scope, 'cm-260');
    await service.create(def, scope, { metadata: { name: 'cm-new' }, data: { v: 'after' } });
    const rest = take(events, 1_000);

    const all = [...first, ...rest];
    expect(all.map(nameOf)).toEqual(
      Array.from({ length: 300 }, (_, i) => `cm-${String(i).padStart(3, '0')}`),
    );
    expect(all.every((event) => event.type === 'ADDED')).toBe(true);
    const cm250 = all.find((event) => nameOf(event) === 'cm-250')!.object as { data: { v: string } };
    expect(cm250.data.v).toBe('before');
    expect(ended).toBe(false);
  });

  it('ends with 410 Expired when the history that keeps its version readable runs out first', async () => {
    const { service, def } = await platformWith(300, 8);
    let ended = false;
    const events = currentState(service, def, scope, MATCH_ALL, () => (ended = true))[Symbol.iterator]();
    take(events, 10);
    for (let i = 0; i < 10; i++)
      await service.update(def, scope, `cm-25${i}`, {
        metadata: { name: `cm-25${i}` },
        data: { v: 'after' },
      });
    const rest = take(events, 1_000);

    expect(rest.at(-1)).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
    await Promise.resolve();
    expect(ended).toBe(true);
  });
});
