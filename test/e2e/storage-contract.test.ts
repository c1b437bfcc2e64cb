// One suite, both storage engines: what the platform relies on from storage holds on SQLite (the
// embedded default) and on etcd alike, so either can sit behind the server.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/platform/api/object.js';
import { CollectionSnapshot } from '../../src/platform/storage/collection-snapshot.js';
import { openDatabase, type Db } from '../../src/platform/storage/database.js';
import { EtcdStore } from '../../src/platform/storage/etcd/etcd-store.js';
import { EventLog, type ChangeEvent } from '../../src/platform/storage/event-log.js';
import type { CollectionScope, ListPosition, ObjectKey } from '../../src/platform/storage/object-key.js';
import { ObjectStore, type StoredEntry } from '../../src/platform/storage/object-store.js';
import { etcdMissing, startEtcd, type EtcdCluster } from './helpers/etcd.js';

/** What both transactions offer. */
interface Tx {
  get(key: ObjectKey): KubeObject | undefined;
  list(scope: CollectionScope): StoredEntry[];
  listCluster(cluster: string, namespace?: string): StoredEntry[];
  put(key: ObjectKey, object: KubeObject): KubeObject;
  remove(key: ObjectKey): KubeObject | undefined;
  removeCluster(cluster: string): void;
}

/** What both stores offer; SQLite's transact returns at once, etcd's a Promise: the suite awaits both. */
interface Store {
  readonly resourceVersion: number;
  readonly events: EventLog;
  get(key: ObjectKey): KubeObject | undefined;
  list(scope: CollectionScope): StoredEntry[];
  listAfter(scope: CollectionScope, after: ListPosition | undefined, count: number): StoredEntry[];
  countAfter(scope: CollectionScope, after: ListPosition | undefined): number;
  listEverywhere(resource: string): StoredEntry[];
  transact<T>(work: (tx: Tx) => T): T | Promise<T>;
}

const cm = (name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data,
});

let etcd: EtcdCluster | undefined;
let sequence = 0;
const cleanups: (() => void)[] = [];

const engines: { name: string; skip: string | undefined; open: () => Promise<Store> }[] = [
  {
    name: 'SQLite',
    skip: undefined,
    open: () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-contract-'));
      const db: Db = openDatabase(path.join(dir, 'platform.db'));
      cleanups.push(() => {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      });
      return Promise.resolve(new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db))));
    },
  },
  {
    name: 'etcd',
    skip: etcdMissing,
    open: async () => {
      const store = await EtcdStore.open({ endpoints: etcd!.endpoints, requestTimeoutMs: 1500 });
      cleanups.push(() => store.close());
      return store;
    },
  },
];

beforeAll(async () => {
  if (!etcdMissing) etcd = await startEtcd(1);
});
afterAll(async () => {
  await etcd?.stop();
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe.each(engines)('storage contract on $name', ({ skip, open }) => {
  // Each test has a logical cluster of its own, so the etcd engine's tests share one etcd.
  let cluster = '';
  const key = (name: string, namespace = 'default') => ({ cluster, resource: 'configmaps', namespace, name });
  const scope = () => ({ cluster, resource: 'configmaps' });
  const opened = async () => {
    cluster = `c${++sequence}`;
    const store = await open();
    const seen: ChangeEvent[] = [];
    store.events.subscribe((event) => {
      if (event.key.cluster === cluster) seen.push(event);
    });
    return { store, seen };
  };

  it.skipIf(skip)('stamps each write with a newer resourceVersion, which a read returns', async () => {
    const { store } = await opened();
    const a = await store.transact((tx) => tx.put(key('a'), cm('a')));
    const b = await store.transact((tx) => tx.put(key('b'), cm('b')));
    const a2 = await store.transact((tx) => tx.put(key('a'), cm('a', { v: '2' })));
    const rvs = [a, b, a2].map((o) => Number(o.metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((x, y) => x - y));
    expect(new Set(rvs).size).toBe(3);
    expect(store.get(key('a'))?.metadata.resourceVersion).toBe(a2.metadata.resourceVersion);
    expect(store.get(key('a'))?.data).toEqual({ v: '2' });
    expect(store.resourceVersion).toBeGreaterThanOrEqual(rvs[2]!);
  });

  it.skipIf(skip)(
    "publishes a transaction's changes only once it commits, with the object before",
    async () => {
      const { store, seen } = await opened();
      await store.transact((tx) => tx.put(key('a'), cm('a', { v: '1' })));
      await store.transact((tx) => {
        tx.put(key('a'), cm('a', { v: '2' }));
        tx.put(key('b'), cm('b'));
        expect(seen.map((e) => e.type)).toEqual(['ADDED']);
      });
      const removed = await store.transact((tx) => tx.remove(key('a')));
      expect(seen.map((e) => `${e.type} ${e.key.name}`)).toEqual([
        'ADDED a',
        'MODIFIED a',
        'ADDED b',
        'DELETED a',
      ]);
      expect(seen[1]?.previous?.data).toEqual({ v: '1' });
      expect(seen[3]?.previous?.data).toEqual({ v: '2' });
      expect(seen[3]?.object.metadata.resourceVersion).toBe(removed?.metadata.resourceVersion);
      expect(seen.map((e) => e.rv)).toEqual([...seen.map((e) => e.rv)].sort((x, y) => x - y));
    },
  );

  it.skipIf(skip)('keeps nothing of a transaction whose work throws', async () => {
    const { store, seen } = await opened();
    await store.transact((tx) => tx.put(key('a'), cm('a')));
    await expect(
      (async () =>
        store.transact((tx) => {
          tx.put(key('b'), cm('b'));
          tx.remove(key('a'));
          throw new Error('precondition failed');
        }))(),
    ).rejects.toThrow('precondition failed');
    expect(store.get(key('b'))).toBeUndefined();
    expect(store.get(key('a'))).toBeDefined();
    expect(seen.map((e) => e.key.name)).toEqual(['a']);
  });

  it.skipIf(skip)('lets a nested transaction join the open one', async () => {
    const { store, seen } = await opened();
    await store.transact((tx) => {
      tx.put(key('outer'), cm('outer'));
      void store.transact((inner) =>
        inner.put(key('inner'), cm('inner', { saw: String(!!inner.get(key('outer'))) })),
      );
    });
    expect(store.get(key('inner'))?.data).toEqual({ saw: 'true' });
    expect(seen.map((e) => e.key.name).sort()).toEqual(['inner', 'outer']);
  });

  it.skipIf(skip)('pages a collection in (namespace, name) order and counts what follows', async () => {
    const { store } = await opened();
    await store.transact((tx) => {
      for (const [namespace, name] of [
        ['team-a', 'x'],
        ['team', 'z'],
        ['team', 'a'],
        ['other', 'm'],
      ] as const) {
        tx.put(key(name, namespace), cm(name));
      }
    });
    const names = (entries: StoredEntry[]) => entries.map((e) => `${e.key.namespace}/${e.key.name}`);
    expect(names(store.list(scope()))).toEqual(['other/m', 'team/a', 'team/z', 'team-a/x']);
    expect(names(store.listAfter(scope(), undefined, 2))).toEqual(['other/m', 'team/a']);
    expect(names(store.listAfter(scope(), { namespace: 'team', name: 'a' }, 2))).toEqual([
      'team/z',
      'team-a/x',
    ]);
    expect(store.countAfter(scope(), { namespace: 'team', name: 'a' })).toBe(2);
    expect(names(store.list({ ...scope(), namespace: 'team' }))).toEqual(['team/a', 'team/z']);
  });

  it.skipIf(skip)(
    'rebuilds a collection as it was at an earlier resourceVersion, for the pages after the first',
    async () => {
      const { store } = await opened();
      await store.transact((tx) => {
        for (const name of ['a', 'b', 'c']) tx.put(key(name), cm(name, { v: '1' }));
      });
      const then = store.resourceVersion;
      await store.transact((tx) => tx.put(key('b'), cm('b', { v: '2' })));
      await store.transact((tx) => tx.remove(key('c')));
      await store.transact((tx) => tx.put(key('d'), cm('d')));
      const snapshot = CollectionSnapshot.at(store, scope(), then)!;
      const entries = [...snapshot.entriesAfter(undefined, 2)];
      expect(entries.map((e) => `${e.key.name}=${(e.object.data as { v?: string }).v}`)).toEqual([
        'a=1',
        'b=1',
        'c=1',
      ]);
      expect(snapshot.countAfter({ namespace: 'default', name: 'a' })).toBe(2);
    },
  );

  it.skipIf(skip)(
    'lists one namespace of a cluster inside a transaction, and a resource across clusters',
    async () => {
      const { store } = await opened();
      await store.transact((tx) => {
        tx.put(key('a', 'team'), cm('a'));
        tx.put({ cluster, resource: 'secrets', namespace: 'team', name: 's' }, cm('s'));
        tx.put(key('b', 'other'), cm('b'));
      });
      const inTeam = await store.transact((tx) =>
        tx.listCluster(cluster, 'team').map((e) => `${e.key.resource}/${e.key.name}`),
      );
      expect(inTeam.sort()).toEqual(['configmaps/a', 'secrets/s']);
      const everywhere = store.listEverywhere('secrets').filter((e) => e.key.cluster === cluster);
      expect(everywhere.map((e) => e.key.name)).toEqual(['s']);
    },
  );

  it.skipIf(skip)(
    'removes a logical cluster whole, with a DELETED event per object, and leaves the others alone',
    async () => {
      const { store, seen } = await opened();
      const other = { cluster: `${cluster}-other`, resource: 'configmaps', namespace: 'default', name: 'x' };
      await store.transact((tx) => {
        tx.put(key('a'), cm('a'));
        tx.put({ cluster, resource: 'secrets', namespace: 'team', name: 's' }, cm('s'));
        tx.put(other, cm('x'));
      });
      await store.transact((tx) => {
        tx.removeCluster(cluster);
        expect(tx.get(key('a'))).toBeUndefined();
      });
      expect(store.list(scope())).toEqual([]);
      expect(store.list({ cluster, resource: 'secrets' })).toEqual([]);
      expect(store.get(other)?.metadata.name).toBe('x');
      expect(
        seen
          .filter((e) => e.type === 'DELETED')
          .map((e) => e.key.name)
          .sort(),
      ).toEqual(['a', 's']);
    },
  );
});
