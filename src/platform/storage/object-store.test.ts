import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database.js';
import { EventLog, type ChangeEvent } from './event-log.js';
import { ObjectStore } from './object-store.js';

const key = (name: string, namespace = 'default') => ({
  cluster: 'root',
  resource: 'configmaps',
  namespace,
  name,
});
const cm = (name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data,
});

describe('ObjectStore', () => {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  const open = (dir = mkdtempSync(join(tmpdir(), 'kplane-store-'))) => {
    if (!dirs.includes(dir)) dirs.push(dir);
    const db = openDatabase(join(dir, 'platform.db'));
    dbs.push(db);
    const store = new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db)));
    return { dir, db, store };
  };

  afterEach(() => {
    for (const db of dbs.splice(0)) if (db.open) db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('tells the event log how big each written object is', () => {
    const { store } = open();
    const sizes: (number | undefined)[] = [];
    store.events.subscribe((event) => sizes.push(event.bytes));
    store.transact((tx) => tx.put(key('big'), cm('big', { blob: 'x'.repeat(100_000) })));
    expect(sizes[0]).toBeGreaterThan(100_000);
    expect(sizes[0]).toBeLessThan(100_300);
  });

  it('stamps every write with the next global resourceVersion', () => {
    const { store } = open();
    const a = store.transact((tx) => tx.put(key('a'), cm('a')));
    const b = store.transact((tx) => tx.put(key('b', 'other'), cm('b')));
    const a2 = store.transact((tx) => tx.put(key('a'), cm('a', { x: '1' })));
    expect([a.metadata.resourceVersion, b.metadata.resourceVersion, a2.metadata.resourceVersion]).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(store.resourceVersion).toBe(3);
    expect(store.get(key('a'))?.data).toEqual({ x: '1' });
  });

  it('publishes events only after the transaction commits, in order', () => {
    const { store } = open();
    const seen: ChangeEvent[] = [];
    store.events.subscribe((event) => seen.push(event));
    store.transact((tx) => {
      tx.put(key('a'), cm('a'));
      tx.put(key('a'), cm('a', { x: '1' }));
      expect(seen).toEqual([]);
      tx.remove(key('a'));
    });
    expect(seen.map((e) => [e.type, e.rv])).toEqual([
      ['ADDED', 1],
      ['MODIFIED', 2],
      ['DELETED', 3],
    ]);
    expect(seen[1]?.previous?.metadata.resourceVersion).toBe('1');
    expect(seen[2]?.object.metadata.resourceVersion).toBe('3');
  });

  it('rolls back everything, the counter included, when the work throws', () => {
    const { store } = open();
    store.transact((tx) => tx.put(key('a'), cm('a')));
    const seen: ChangeEvent[] = [];
    store.events.subscribe((event) => seen.push(event));
    expect(() =>
      store.transact((tx) => {
        tx.put(key('b'), cm('b'));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.get(key('b'))).toBeUndefined();
    expect(store.resourceVersion).toBe(1);
    expect(seen).toEqual([]);
    expect(store.transact((tx) => tx.put(key('c'), cm('c'))).metadata.resourceVersion).toBe('2');
  });

  it('keeps objects and the counter across a reopen', () => {
    const first = open();
    first.store.transact((tx) => tx.put(key('a'), cm('a', { k: 'v' })));
    first.store.transact((tx) => tx.remove(key('a')));
    first.store.transact((tx) => tx.put(key('b'), cm('b')));
    first.db.close();
    const second = open(first.dir);
    expect(second.store.resourceVersion).toBe(3);
    expect(second.store.get(key('a'))).toBeUndefined();
    expect(second.store.get(key('b'))?.metadata.resourceVersion).toBe('3');
    // A restarted server cannot replay history: resuming from before the restart has expired.
    expect(second.store.events.since(2)).toBeUndefined();
    expect(second.store.events.since(3)).toEqual([]);
  });

  it('lists by namespace, across namespaces, and by cluster', () => {
    const { store } = open();
    store.transact((tx) => {
      tx.put(key('b'), cm('b'));
      tx.put(key('a'), cm('a'));
      tx.put(key('c', 'other'), cm('c'));
      tx.put({ cluster: 'elsewhere', resource: 'configmaps', namespace: 'default', name: 'z' }, cm('z'));
    });
    expect(
      store.list({ cluster: 'root', resource: 'configmaps', namespace: 'default' }).map((e) => e.key.name),
    ).toEqual(['a', 'b']);
    expect(store.list({ cluster: 'root', resource: 'configmaps' }).map((e) => e.key.name)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(store.transact((tx) => tx.listCluster('root', 'other')).map((e) => e.key.name)).toEqual(['c']);
    expect(store.listEverywhere('configmaps')).toHaveLength(4);
  });
});

describe('EventLog', () => {
  const event = (rv: number): ChangeEvent => ({
    type: 'ADDED',
    rv,
    key: key(`o${rv}`),
    object: cm(`o${rv}`),
  });

  it('resumes from any version it still holds and expires older ones', () => {
    const log = new EventLog(10, { capacity: 3 });
    for (let rv = 11; rv <= 15; rv++) log.publish(event(rv));
    expect(log.floor).toBe(12);
    expect(log.since(11)).toBeUndefined();
    expect(log.since(12)?.map((e) => e.rv)).toEqual([13, 14, 15]);
    expect(log.since(14)?.map((e) => e.rv)).toEqual([15]);
    expect(log.since(15)).toEqual([]);
    expect(log.since(99)).toEqual([]);
  });

  it('keeps changes for a bounded time only, as etcd compacts its history', () => {
    let now = 1_000_000;
    const log = new EventLog(10, { maxAgeMs: 60_000, now: () => now });
    log.publish(event(11));
    now += 30_000;
    log.publish(event(12));
    expect(log.since(10)?.map((e) => e.rv)).toEqual([11, 12]);
    // A minute after rv 11, without any further change, resuming from before it has expired.
    now += 30_001;
    expect(log.since(10)).toBeUndefined();
    expect(log.floor).toBe(11);
    expect(log.since(11)?.map((e) => e.rv)).toEqual([12]);
    now += 60_000;
    expect(log.since(11)).toBeUndefined();
    // The newest version stays a valid place to resume from: nothing after it was lost.
    expect(log.since(12)).toEqual([]);
  });

  it('keeps no more bytes of objects than its budget, however few the changes', () => {
    const log = new EventLog(10, { maxBytes: 100 });
    const sized = (rv: number, bytes: number): ChangeEvent => ({ ...event(rv), bytes });
    log.publish(sized(11, 40));
    log.publish(sized(12, 40));
    expect(log.since(10)?.map((e) => e.rv)).toEqual([11, 12]);
    log.publish(sized(13, 40));
    expect(log.floor).toBe(11);
    expect(log.since(11)?.map((e) => e.rv)).toEqual([12, 13]);
    // One change larger than the whole budget is still kept, so a watch can resume just before it.
    log.publish(sized(14, 500));
    expect(log.since(13)?.map((e) => e.rv)).toEqual([14]);
    expect(log.since(12)).toBeUndefined();
  });

  it('keeps five minutes of changes unless told otherwise', () => {
    let now = 0;
    const log = new EventLog(0, { now: () => now });
    log.publish(event(1));
    now = 5 * 60_000;
    expect(log.since(0)?.map((e) => e.rv)).toEqual([1]);
    now += 1;
    expect(log.since(0)).toBeUndefined();
  });

  it('stops delivering after unsubscribe', () => {
    const log = new EventLog(0);
    const seen: number[] = [];
    const stop = log.subscribe((e) => seen.push(e.rv));
    log.publish(event(1));
    stop();
    log.publish(event(2));
    expect(seen).toEqual([1]);
  });
});
