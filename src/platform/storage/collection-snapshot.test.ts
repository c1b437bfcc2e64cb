import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectionSnapshot } from './collection-snapshot.js';
import { openDatabase, type Db } from './database.js';
import { EventLog } from './event-log.js';
import { ObjectStore } from './object-store.js';

const COLLECTION = { cluster: 'root', resource: 'configmaps', namespace: 'default' };
const key = (name: string, namespace = 'default', cluster = 'root') => ({
  cluster,
  resource: 'configmaps',
  namespace,
  name,
});
const cm = (name: string, v = '1') => ({ metadata: { name }, data: { v } });

describe('CollectionSnapshot', () => {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  const open = (capacity = 4096) => {
    const dir = mkdtempSync(join(tmpdir(), 'kplane-snapshot-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'platform.db'));
    dbs.push(db);
    return new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db), { capacity }));
  };
  const read = (snapshot: CollectionSnapshot | undefined, batch = 2) =>
    [...(snapshot?.entriesAfter(undefined, batch) ?? [])].map(
      (entry) =>
        `${entry.key.name}=${String((entry.object.data as { v?: string }).v)}@${entry.object.metadata.resourceVersion}`,
    );

  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the collection as it was, whatever was added, changed or deleted since', () => {
    const store = open();
    store.transact((tx) => {
      for (const name of ['a', 'c', 'e', 'g']) tx.put(key(name), cm(name));
      tx.put(key('z', 'other'), cm('z'));
    });
    const then = store.resourceVersion;
    const before = read(CollectionSnapshot.at(store, COLLECTION, then));
    expect(before).toEqual(['a=1@1', 'c=1@2', 'e=1@3', 'g=1@4']);

    store.transact((tx) => {
      tx.remove(key('a'));
      tx.put(key('b'), cm('b'));
      tx.put(key('e'), cm('e', '2'));
      tx.remove(key('g'));
      tx.put(key('g'), cm('g', 'again'));
      tx.put(key('h'), cm('h'));
      tx.remove(key('h'));
      tx.put(key('y', 'other'), cm('y'));
    });
    for (const batch of [1, 2, 100])
      expect(read(CollectionSnapshot.at(store, COLLECTION, then), batch)).toEqual(before);
    expect(read(CollectionSnapshot.at(store, COLLECTION, store.resourceVersion))).toEqual([
      'b=1@7',
      'c=1@2',
      'e=2@8',
      'g=again@10',
    ]);

    const snapshot = CollectionSnapshot.at(store, COLLECTION, then);
    expect(
      [...(snapshot?.entriesAfter({ namespace: 'default', name: 'c' }, 1) ?? [])].map((e) => e.key.name),
    ).toEqual(['e', 'g']);
    expect(snapshot?.countAfter({ namespace: 'default', name: 'a' })).toBe(3);
    expect(snapshot?.countAfter({ namespace: 'default', name: 'e' })).toBe(1);
  });

  it('orders a list across namespaces by namespace, then name', () => {
    const store = open();
    store.transact((tx) => {
      for (const [namespace, name] of [
        ['a-x', 'b'],
        ['a', 'z'],
        ['a', 'b'],
        ['b', 'a'],
      ] as const)
        tx.put(key(name, namespace), cm(name));
    });
    const everywhere = { cluster: 'root', resource: 'configmaps' };
    const keys = [
      ...(CollectionSnapshot.at(store, everywhere, store.resourceVersion)?.entriesAfter(undefined, 1) ?? []),
    ].map((entry) => `${entry.key.namespace}/${entry.key.name}`);
    expect(keys).toEqual(['a/b', 'a/z', 'a-x/b', 'b/a']);
  });

  it('cannot rebuild a version the event log no longer reaches', () => {
    const store = open(3);
    store.transact((tx) => tx.put(key('a'), cm('a')));
    const then = store.resourceVersion;
    for (const v of ['2', '3', '4', '5']) store.transact((tx) => tx.put(key('a'), cm('a', v)));
    expect(CollectionSnapshot.at(store, COLLECTION, then)).toBeUndefined();
    expect(CollectionSnapshot.at(store, COLLECTION, then + 1)).toBeDefined();
  });
});
