import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/platform/storage/event-log.js';
import { deletionMarker, deletionMarkerKey } from '../../src/platform/storage/etcd/cluster-deletions.js';
import { StorageRequestTooLargeError } from '../../src/platform/storage/etcd/errors.js';
import { EtcdStore } from '../../src/platform/storage/etcd/etcd-store.js';
import {
  ResourceExpiredError,
  StorageConflictError,
  StorageUnavailableError,
} from '../../src/platform/storage/etcd/errors.js';
import { startLocalEtcd } from '../../src/platform/storage/etcd/local-etcd.js';
import { etcdMissing, makeEtcdCertificates, startEtcd, type EtcdCluster } from './helpers/etcd.js';
import { eventually } from './helpers/wait.js';

const key = (name: string, namespace = 'default', cluster = 'root') => ({
  cluster,
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

const opened: EtcdStore[] = [];
async function openStore(cluster: EtcdCluster, options: Partial<Parameters<typeof EtcdStore.open>[0]> = {}) {
  const store = await EtcdStore.open({
    endpoints: cluster.endpoints,
    requestTimeoutMs: 1500,
    probeIntervalMs: 200,
    ...options,
  });
  opened.push(store);
  return store;
}

function record(store: EtcdStore): ChangeEvent[] {
  const seen: ChangeEvent[] = [];
  store.events.subscribe((event) => seen.push(event));
  return seen;
}

const until = <T>(read: () => T, ok: (value: T) => boolean, withinMs = 10_000) =>
  eventually(() => Promise.resolve(read()), ok, withinMs);

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

describe.skipIf(etcdMissing)('etcd storage engine on one etcd member', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd(1);
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it('stamps writes with etcd revisions and reads its own writes at once', async () => {
    const store = await openStore(etcd);
    const a = await store.transact((tx) => tx.put(key('own-a'), cm('own-a')));
    const b = await store.transact((tx) => tx.put(key('own-b'), cm('own-b')));
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(store.get(key('own-a'))?.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    expect(store.resourceVersion).toBeGreaterThanOrEqual(Number(b.metadata.resourceVersion));
  });

  it('lets exactly one of two replicas win a compare-and-swap; the loser gets a conflict', async () => {
    const [a, b] = [await openStore(etcd, { maxAttempts: 1 }), await openStore(etcd, { maxAttempts: 1 })];
    await a.transact((tx) => tx.put(key('cas'), cm('cas', { n: '0' })));
    await until(
      () => b.get(key('cas')),
      (object) => object !== undefined,
    );
    const increment = (tx: Parameters<Parameters<EtcdStore['transact']>[0]>[0]) => {
      const current = tx.get(key('cas'))!;
      const n = Number((current.data as { n: string }).n);
      return tx.put(key('cas'), { ...current, data: { n: String(n + 1) } });
    };
    const outcomes = await Promise.allSettled([a.transact(increment), b.transact(increment)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(StorageConflictError);
    expect(a.get(key('cas'))?.data).toEqual({ n: '1' });
  });

  it('re-runs a transaction that lost the race, so no increment from either replica is lost', async () => {
    const [a, b] = [await openStore(etcd), await openStore(etcd)];
    await a.transact((tx) => tx.put(key('counter'), cm('counter', { n: '0' })));
    await until(
      () => b.get(key('counter')),
      (object) => object !== undefined,
    );
    const increment = (store: EtcdStore) =>
      store.transact((tx) => {
        const current = tx.get(key('counter'))!;
        const n = Number((current.data as { n: string }).n);
        return tx.put(key('counter'), { ...current, data: { n: String(n + 1) } });
      });
    const writes = Array.from({ length: 10 }, () => [increment(a), increment(b)]).flat();
    const results = await Promise.all(writes);
    expect(new Set(results.map((r) => (r.data as { n: string }).n)).size).toBe(20);
    // The last increment may have gone through either replica: each sees it once its watch brings it.
    for (const store of [a, b])
      await until(
        () => store.get(key('counter'))?.data,
        (data) => (data as { n: string }).n === '20',
      );
    expect(a.get(key('counter'))?.data).toEqual({ n: '20' });
    expect(b.get(key('counter'))?.data).toEqual({ n: '20' });
  });

  it("answers a caller's own precondition at once, judged on the latest state", async () => {
    const [a, b] = [await openStore(etcd), await openStore(etcd)];
    const written = await a.transact((tx) => tx.put(key('pre'), cm('pre', { v: '1' })));
    // B is asked right away, before its watch may have brought the write: it must not say 404.
    const seen = await b.transact((tx) => {
      const current = tx.get(key('pre'));
      if (!current) throw new Error('not found');
      return current.metadata.resourceVersion;
    });
    expect(seen).toBe(written.metadata.resourceVersion);
    await expect(
      b.transact((tx) => {
        const current = tx.get(key('pre'))!;
        if (current.metadata.resourceVersion !== '1') throw new Error('conflict: stale resourceVersion');
        return tx.put(key('pre'), current);
      }),
    ).rejects.toThrow(/stale resourceVersion/);
  });

  it("shows every replica's writes in every replica's event feed, in order, once each", async () => {
    const [a, b] = [await openStore(etcd), await openStore(etcd)];
    const [seenA, seenB] = [record(a), record(b)];
    const ops = Array.from({ length: 60 }, (_, i) => ({ through: i % 3 === 0 ? b : a, n: i }));
    const committed: number[] = [];
    await Promise.all(
      ops.map(async ({ through, n }) => {
        const name = `feed-${n % 7}`;
        const object = await through.transact((tx) =>
          n % 5 === 4 ? tx.remove(key(name)) : tx.put(key(name), cm(name, { n: String(n) })),
        );
        if (object) committed.push(Number(object.metadata.resourceVersion));
      }),
    );
    const newest = Math.max(...committed);
    await until(
      () => seenA.at(-1)?.rv ?? 0,
      (rv) => rv >= newest,
    );
    await until(
      () => seenB.at(-1)?.rv ?? 0,
      (rv) => rv >= newest,
    );
    const summary = (events: ChangeEvent[]) => events.map((e) => `${e.rv} ${e.type} ${e.key.name}`);
    expect(summary(seenA)).toEqual(summary(seenB));
    expect(new Set(summary(seenA)).size).toBe(seenA.length);
    const rvs = seenA.map((e) => e.rv);
    expect(rvs).toEqual([...rvs].sort((x, y) => x - y));
    expect([...new Set(rvs)].sort((x, y) => x - y)).toEqual([...new Set(committed)].sort((x, y) => x - y));
    // Replaying the feed gives what the store holds.
    const replayed = new Map<string, string | undefined>();
    for (const event of seenA)
      replayed.set(
        event.key.name,
        event.type === 'DELETED' ? undefined : event.object.metadata.resourceVersion,
      );
    for (const [name, rv] of replayed) expect(b.get(key(name))?.metadata.resourceVersion).toBe(rv);
  });

  it("keeps both replicas' feeds identical to etcd over random interleavings of their writes", async () => {
    const [a, b] = [await openStore(etcd), await openStore(etcd)];
    const op = fc.record({
      replica: fc.constantFrom(0, 1),
      kind: fc.constantFrom('put', 'update', 'remove'),
      name: fc.constantFrom('p', 'q', 'r', 's'),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        async (rounds) => {
          const cluster = `prop-${run++}`;
          const feeds = [a, b].map((store) => {
            const seen: ChangeEvent[] = [];
            const stop = store.events.subscribe((event) => {
              if (event.key.cluster === cluster) seen.push(event);
            });
            return { seen, stop };
          });
          const committed = new Set<number>();
          for (const round of rounds) {
            // Each round's writes race each other, across both replicas.
            await Promise.all(
              round.map(async ({ replica, kind, name }) => {
                const k = key(name, 'default', cluster);
                const object = await [a, b][replica]!.transact((tx) => {
                  const current = tx.get(k);
                  if (kind === 'remove') return tx.remove(k);
                  if (kind === 'update' && !current) return undefined;
                  return tx.put(k, cm(name, { by: String(replica), kind }));
                });
                if (object) committed.add(Number(object.metadata.resourceVersion));
              }),
            );
          }
          const latest = await a.syncToLatest();
          await b.syncToLatest();
          for (const feed of feeds) feed.stop();
          const summary = (events: ChangeEvent[]) => events.map((e) => `${e.rv} ${e.type} ${e.key.name}`);
          const [feedA, feedB] = feeds.map((feed) => feed.seen);
          expect(summary(feedA!)).toEqual(summary(feedB!));
          const rvs = feedA!.map((e) => e.rv);
          expect(rvs).toEqual([...rvs].sort((x, y) => x - y));
          expect(new Set(summary(feedA!)).size).toBe(feedA!.length);
          expect([...new Set(rvs)].sort((x, y) => x - y)).toEqual([...committed].sort((x, y) => x - y));
          const inEtcd = await a.listAt({ cluster, resource: 'configmaps' }, latest, undefined, 100);
          const state = (
            entries: { key: { name: string }; object: { metadata: { resourceVersion?: string } } }[],
          ) => entries.map((e) => `${e.key.name}@${e.object.metadata.resourceVersion}`);
          expect(state(a.list({ cluster, resource: 'configmaps' }))).toEqual(state(inEtcd.entries));
          expect(state(b.list({ cluster, resource: 'configmaps' }))).toEqual(state(inEtcd.entries));
        },
      ),
      { numRuns: 12 },
    );
  });

  it('pages a list at one revision while the collection changes', async () => {
    const store = await openStore(etcd);
    const scope = { cluster: 'paging', resource: 'configmaps' };
    const names = Array.from({ length: 25 }, (_, i) => `cm-${String(i).padStart(2, '0')}`);
    await store.transact((tx) => {
      for (const name of names) tx.put(key(name, name < 'cm-12' ? 'team' : 'team-a', 'paging'), cm(name));
    });
    const first = await store.listAt(scope, 0, undefined, 10);
    expect(first.more).toBe(true);
    await store.transact((tx) => {
      tx.remove(key('cm-20', 'team-a', 'paging'));
      tx.put(key('cm-00', 'team-a', 'paging'), cm('cm-00'));
      tx.put(key('cm-15', 'team-a', 'paging'), cm('cm-15', { changed: 'yes' }));
    });
    const pages = [first];
    while (pages.at(-1)!.more) {
      const last = pages.at(-1)!.entries.at(-1)!.key;
      pages.push(await store.listAt(scope, first.revision, last, 10));
    }
    const listed = pages.flatMap((page) => page.entries);
    expect(listed.map((e) => e.object.metadata.name)).toEqual(names);
    expect(listed.every((e) => Number(e.object.metadata.resourceVersion) <= first.revision)).toBe(true);
    expect(listed.find((e) => e.key.name === 'cm-15')?.object.data).toEqual({});
    // The mirror's pages read the current state in the same key order.
    const current = store.listAfter(scope, undefined, 100).map((e) => `${e.key.namespace}/${e.key.name}`);
    expect(current).toContain('team-a/cm-00');
    expect(current).not.toContain('team-a/cm-20');
    expect(current.indexOf('team/cm-11')).toBeLessThan(current.indexOf('team-a/cm-00'));
    expect(store.countAfter(scope, { namespace: 'team', name: 'cm-11' })).toBe(13);
  });

  it('replays history from an older revision, and answers 410 once etcd has compacted it', async () => {
    const store = await openStore(etcd);
    const start = store.resourceVersion;
    await store.transact((tx) => tx.put(key('hist'), cm('hist', { v: '1' })));
    await store.transact((tx) => tx.put(key('hist'), cm('hist', { v: '2' })));
    const removed = await store.transact((tx) => tx.remove(key('hist')));
    const replay = await store.eventsSince(start);
    expect(replay.filter((e) => e.key.name === 'hist').map((e) => e.type)).toEqual([
      'ADDED',
      'MODIFIED',
      'DELETED',
    ]);
    expect(replay.at(-1)?.previous?.data).toEqual({ v: '2' });

    await store.compact(Number(removed!.metadata.resourceVersion));
    expect(store.compactedRevision).toBe(Number(removed!.metadata.resourceVersion));
    await expect(store.eventsSince(start)).rejects.toBeInstanceOf(ResourceExpiredError);
    await expect(
      store.listAt({ cluster: 'root', resource: 'configmaps' }, start, undefined, 10),
    ).rejects.toBeInstanceOf(ResourceExpiredError);
    // A replica whose watch lags behind the compaction still converges.
    const later = await openStore(etcd);
    expect(later.get(key('hist'))).toBeUndefined();
  });

  it('deletes a logical cluster of more than 1,000 objects in bounded batches, and nothing else', async () => {
    const [a, b] = [await openStore(etcd), await openStore(etcd)];
    const seen = record(b);
    for (let batch = 0; batch < 12; batch++) {
      await a.transact((tx) => {
        for (let i = 0; i < 100; i++)
          tx.put(key(`obj-${batch}-${i}`, 'default', 'doomed'), cm(`obj-${batch}-${i}`));
      });
    }
    await a.transact((tx) => tx.put(key('kept', 'default', 'kept'), cm('kept')));
    await until(
      () => b.list({ cluster: 'doomed', resource: 'configmaps' }).length,
      (n) => n === 1200,
    );
    expect(await a.deleteCluster('doomed', 500)).toBe(1200);
    expect(a.list({ cluster: 'doomed', resource: 'configmaps' })).toEqual([]);
    await until(
      () => b.list({ cluster: 'doomed', resource: 'configmaps' }).length,
      (n) => n === 0,
    );
    const deletes = seen.filter((e) => e.type === 'DELETED' && e.key.cluster === 'doomed');
    expect(deletes).toHaveLength(1200);
    expect(new Set(deletes.map((e) => e.rv)).size).toBe(3);
    expect(b.get(key('kept', 'default', 'kept'))).toBeDefined();
  });

  it("removes a cluster too large for one Txn inside a workspace's deletion, emptying it once committed", async () => {
    const [a, b] = [await openStore(etcd), await openStore(etcd)];
    for (let batch = 0; batch < 12; batch++) {
      await a.transact((tx) => {
        for (let i = 0; i < 100; i++)
          tx.put(key(`obj-${batch}-${i}`, 'default', 'big'), cm(`obj-${batch}-${i}`));
      });
    }
    await until(
      () => b.list({ cluster: 'big', resource: 'configmaps' }).length,
      (n) => n === 1200,
    );
    // One transaction removes the cluster and writes beside it, as a Workspace's deletion does.
    await a.transact((tx) => {
      tx.removeCluster('big');
      expect(tx.listCluster('big')).toEqual([]);
      tx.put(key('parent-record', 'default', 'parent'), cm('parent-record'));
    });
    expect(a.list({ cluster: 'big', resource: 'configmaps' })).toEqual([]);
    expect(a.get(key('parent-record', 'default', 'parent'))).toBeDefined();
    expect(a.get(deletionMarkerKey('big'))).toBeUndefined();
    await until(
      () => b.list({ cluster: 'big', resource: 'configmaps' }).length,
      (n) => n === 0,
    );
  });

  it("keeps every replica following etcd, and starting, past answers larger than gRPC's 4 MiB default", async () => {
    const [a, b] = [await openStore(etcd), await openStore(etcd)];
    const big = 'x'.repeat(1_400_000);
    const heavy = (i: number) => key(`heavy-${i}`, 'default', 'heavy');
    for (let i = 0; i < 4; i++) await a.transact((tx) => tx.put(heavy(i), cm(`heavy-${i}`, { big })));
    // One small request whose watch answer carries all four objects (prev_kv): 5.6 MB.
    await a.transact((tx) => {
      for (let i = 0; i < 4; i++) tx.remove(heavy(i));
    });
    await until(
      () => b.list({ cluster: 'heavy', resource: 'configmaps' }).length,
      (n) => n === 0,
    );
    await a.transact((tx) => tx.put(key('after', 'default', 'heavy'), cm('after')));
    await until(
      () => b.get(key('after', 'default', 'heavy')) !== undefined && b.isCurrent(),
      (ok) => ok,
    );
    // A replica starting on a keyspace of more than 4 MiB reads it in pages it can take.
    for (let i = 0; i < 4; i++) await a.transact((tx) => tx.put(heavy(i), cm(`heavy-${i}`, { big })));
    const c = await openStore(etcd);
    expect(c.list({ cluster: 'heavy', resource: 'configmaps' })).toHaveLength(5);
  });

  it('refuses a write larger than etcd takes with a request-too-large error, not a gRPC one', async () => {
    const a = await openStore(etcd);
    const huge = 'x'.repeat(2_600_000);
    await expect(
      (async () => a.transact((tx) => tx.put(key('huge', 'default', 'heavy'), cm('huge', { huge }))))(),
    ).rejects.toThrow(StorageRequestTooLargeError);
  });

  it('finishes a cluster deletion that a replica committed and died before emptying', async () => {
    const a = await openStore(etcd);
    // What a replica killed between the marker's commit and the batches leaves behind.
    await a.transact((tx) => {
      for (let i = 0; i < 50; i++) tx.put(key(`left-${i}`, 'default', 'orphaned'), cm(`left-${i}`));
      tx.put(deletionMarkerKey('orphaned'), deletionMarker('orphaned'));
    });
    a.close();
    const b = await openStore(etcd);
    await until(
      () => b.list({ cluster: 'orphaned', resource: 'configmaps' }).length,
      (n) => n === 0,
    );
    await until(
      () => b.get(deletionMarkerKey('orphaned')),
      (marker) => marker === undefined,
    );
  });
});

describe.skipIf(etcdMissing)('etcd storage engine when etcd goes away', () => {
  let etcd: EtcdCluster | undefined;
  afterEach(async () => {
    await etcd?.stop();
    etcd = undefined;
  });

  it('fails writes fast with a typed error while etcd is down, and resumes when it is back', async () => {
    etcd = await startEtcd(1);
    const [a, b] = [await openStore(etcd), await openStore(etcd)];
    const seen = record(b);
    await a.transact((tx) => tx.put(key('before'), cm('before')));
    await until(
      () => a.isCurrent(),
      (current) => current,
    );

    await etcd.members[0]!.kill9();
    await expect(a.transact((tx) => tx.put(key('during'), cm('during')))).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
    expect(
      await until(
        () => a.isCurrent(),
        (current) => !current,
      ),
    ).toBe(false);
    expect(() => a.ensureCurrent()).toThrow(StorageUnavailableError);
    expect(a.get(key('during'))).toBeUndefined();

    await etcd.members[0]!.restart();
    const after = await eventually(
      () => a.transact((tx) => tx.put(key('after'), cm('after'))).catch((err: unknown) => err),
      (result) => !(result instanceof Error),
      15_000,
    );
    expect(after).not.toBeInstanceOf(Error);
    expect(
      await until(
        () => a.isCurrent(),
        (current) => current,
      ),
    ).toBe(true);
    await until(
      () => b.get(key('after')),
      (object) => object !== undefined,
    );
    expect(seen.map((e) => e.key.name)).toEqual(['before', 'after']);
  });

  it('loses no acknowledged write and duplicates none when a replica and an etcd member die under 20 writers', async () => {
    etcd = await startEtcd(3);
    const replicas = [await openStore(etcd), await openStore(etcd), await openStore(etcd)];
    const [a, b, doomed] = replicas as [EtcdStore, EtcdStore, EtcdStore];
    const seen = record(a);
    const acknowledged = new Set<string>();
    let doomedClosed = false;
    const writer = async (client: number) => {
      for (let n = 0; n < 12; n++) {
        const name = `w-${client}-${n}`;
        const through = client % 3 === 2 && !doomedClosed ? doomed : client % 2 === 0 ? a : b;
        for (let attempt = 0; attempt < 40; attempt++) {
          try {
            await through.transact((tx) =>
              tx.get(key(name, 'default', 'fault'))
                ? undefined
                : tx.put(key(name, 'default', 'fault'), cm(name)),
            );
            acknowledged.add(name);
            break;
          } catch {
            if (through === doomed && doomedClosed) break;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      }
    };
    const writers = Array.from({ length: 20 }, (_, client) => writer(client));
    await until(
      () => acknowledged.size,
      (count) => count >= 40,
    );
    doomedClosed = true;
    doomed.close();
    await etcd.members[2]!.kill9();
    await Promise.all(writers);
    expect(acknowledged.size).toBeGreaterThan(40);

    for (const store of [a, b]) await store.syncToLatest();
    const names = (store: EtcdStore) =>
      store.list({ cluster: 'fault', resource: 'configmaps' }).map((e) => e.key.name);
    for (const name of acknowledged) expect(names(a)).toContain(name);
    expect(names(b)).toEqual(names(a));
    const added = seen.filter((e) => e.key.cluster === 'fault').map((e) => `${e.type} ${e.key.name}`);
    expect(new Set(added).size).toBe(added.length);
    expect(added.every((e) => e.startsWith('ADDED'))).toBe(true);
    expect(added.length).toBe(names(a).length);
  });

  it('keeps writing on a 3-member cluster that lost one member, and stops when it lost two', async () => {
    etcd = await startEtcd(3);
    const [a, b] = [await openStore(etcd), await openStore(etcd)];
    await a.transact((tx) => tx.put(key('three'), cm('three')));

    await etcd.members[0]!.kill9();
    const withTwo = await eventually(
      () => b.transact((tx) => tx.put(key('two-left'), cm('two-left'))).catch((err: unknown) => err),
      (result) => !(result instanceof Error),
      15_000,
    );
    expect(withTwo).not.toBeInstanceOf(Error);
    await until(
      () => a.get(key('two-left')),
      (object) => object !== undefined,
    );
    expect(a.get(key('two-left'))).toBeDefined();

    await etcd.members[1]!.kill9();
    await expect(a.transact((tx) => tx.put(key('one-left'), cm('one-left')))).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
    expect(
      await until(
        () => a.isCurrent(),
        (current) => !current,
      ),
    ).toBe(false);

    await Promise.all([etcd.members[0]!.restart(), etcd.members[1]!.restart()]);
    const back = await eventually(
      () => a.transact((tx) => tx.put(key('back'), cm('back'))).catch((err: unknown) => err),
      (result) => !(result instanceof Error),
      20_000,
    );
    expect(back).not.toBeInstanceOf(Error);
    await until(
      () => b.get(key('back')),
      (object) => object !== undefined,
    );
    // 'one-left' may be there or not: etcd may still commit a proposal whose caller gave up waiting.
    expect(b.get(key('two-left'))).toBeDefined();
  });
});

describe.skipIf(etcdMissing)('a local etcd kept in a data folder', () => {
  it('comes back with its objects when started again on the same folder and ports', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kplane-etcd-kept-'));
    try {
      const first = await startLocalEtcd({ dataDir, size: 1 });
      const ports = first.endpoints.map((url, i) => ({
        client: Number(new URL(url).port),
        peer: Number(new URL(first.members[i]!.peerUrl).port),
      }));
      const store = await openStore(first);
      const written = await store.transact((tx) => tx.put(key('kept'), cm('kept')));
      store.close();
      await first.stop();

      const again = await startLocalEtcd({ dataDir, size: 1, ports });
      try {
        expect(again.endpoints).toEqual(first.endpoints);
        const reopened = await openStore(again);
        expect(reopened.get(key('kept'))?.metadata.resourceVersion).toBe(written.metadata.resourceVersion);
      } finally {
        await again.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(etcdMissing)('etcd storage engine over TLS', () => {
  it('connects with a client certificate, and is refused without one', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-etcd-tls-'));
    const certificates = makeEtcdCertificates(dir);
    const etcd = await startEtcd(1, certificates);
    try {
      expect(etcd.endpoints[0]).toMatch(/^https:/);
      const store = await openStore(etcd, {
        tls: {
          caFile: certificates.caFile,
          certFile: certificates.clientCertFile,
          keyFile: certificates.clientKeyFile,
        },
      });
      await store.transact((tx) => tx.put(key('secure'), cm('secure')));
      expect(store.get(key('secure'))).toBeDefined();
      await expect(openStore(etcd, { tls: { caFile: certificates.caFile } })).rejects.toBeInstanceOf(
        StorageUnavailableError,
      );
    } finally {
      await etcd.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

if (etcdMissing) console.warn(`skipping the etcd storage tests: ${etcdMissing}`);
