// Several platforms on one etcd (every e2e test starts its own, and an owner may run a staging and a
// production platform on one etcd cluster): each keeps its keys under its own prefix and sees nothing of
// the others', in reads, the event feed, history or deletes.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChangeEvent } from '../../src/platform/storage/event-log.js';
import { EtcdStore } from '../../src/platform/storage/etcd/etcd-store.js';
import { etcdMissing, startEtcd, type EtcdCluster } from './helpers/etcd.js';

const key = (name: string, cluster = 'root') => ({
  cluster,
  resource: 'configmaps',
  namespace: 'default',
  name,
});
const cm = (name: string, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data,
});

describe.skipIf(etcdMissing)('etcd key prefix', () => {
  let etcd: EtcdCluster;
  const opened: EtcdStore[] = [];
  const open = async (keyPrefix?: string) => {
    const store = await EtcdStore.open({
      endpoints: etcd.endpoints,
      requestTimeoutMs: 1500,
      ...(keyPrefix === undefined ? {} : { keyPrefix }),
    });
    opened.push(store);
    return store;
  };
  const record = (store: EtcdStore) => {
    const seen: ChangeEvent[] = [];
    store.events.subscribe((event) => seen.push(event));
    return seen;
  };

  beforeAll(async () => {
    etcd = await startEtcd(1);
  });
  afterEach(() => {
    for (const store of opened.splice(0)) store.close();
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it('keeps two platforms with different prefixes apart on one etcd', async () => {
    const [blue, green] = [await open('/platforms/blue/'), await open('/platforms/green/')];
    const [seenBlue, seenGreen] = [record(blue), record(green)];
    const start = await blue.syncToLatest();
    await blue.transact((tx) => tx.put(key('shared-name'), cm('shared-name', { owner: 'blue' })));
    await blue.transact((tx) => tx.put(key('only-blue', 'c1'), cm('only-blue', { owner: 'blue' })));
    await green.transact((tx) => tx.put(key('shared-name'), cm('shared-name', { owner: 'green' })));
    // History replayed from etcd stays inside the prefix too. It is replayed up to what green's own watch has
    // delivered, so wait for that watch to bring green's write (not for a fence: etcd before 3.4.25 may report
    // a watch's progress ahead of its events, etcd issue #15220).
    await vi.waitFor(() => expect(seenGreen).toHaveLength(1));
    expect((await green.eventsSince(start)).map((e) => e.key.name)).toEqual(['shared-name']);
    // A write of each, then a fence of each: both watches have seen everything written so far.
    await Promise.all([blue.syncToLatest(), green.syncToLatest()]);

    expect(blue.get(key('shared-name'))?.data).toEqual({ owner: 'blue' });
    expect(green.get(key('shared-name'))?.data).toEqual({ owner: 'green' });
    expect(green.get(key('only-blue', 'c1'))).toBeUndefined();
    expect(green.listEverywhere('configmaps').map((e) => e.object.data)).toEqual([{ owner: 'green' }]);
    expect(seenBlue.map((e) => `${e.type} ${e.key.name} ${JSON.stringify(e.object.data)}`)).toEqual([
      'ADDED shared-name {"owner":"blue"}',
      'ADDED only-blue {"owner":"blue"}',
    ]);
    expect(seenGreen.map((e) => `${e.type} ${e.key.name}`)).toEqual(['ADDED shared-name']);
    const page = await green.listAt({ cluster: 'root', resource: 'configmaps' }, 0, undefined, 10);
    expect(page.entries.map((e) => e.object.data)).toEqual([{ owner: 'green' }]);

    // Deleting a workspace of one platform leaves the other's workspace of the same id alone.
    await green.transact((tx) => tx.put(key('only-green', 'c1'), cm('only-green', { owner: 'green' })));
    expect(await blue.deleteCluster('c1')).toBe(1);
    expect(green.get(key('only-green', 'c1'))).toBeDefined();
  });

  it('reads a platform back from its own prefix only, after a restart', async () => {
    const first = await open('/restart/a/');
    await first.transact((tx) => tx.put(key('kept'), cm('kept', { v: '1' })));
    const neighbour = await open('/restart/b/');
    await neighbour.transact((tx) => tx.put(key('other'), cm('other', { v: '1' })));
    first.close();

    const again = await open('/restart/a/');
    expect(again.get(key('kept'))?.data).toEqual({ v: '1' });
    expect(again.get(key('other'))).toBeUndefined();
    // The default prefix is a platform of its own as well.
    const defaulted = await open();
    expect(defaulted.get(key('kept'))).toBeUndefined();
  });

  it('refuses a prefix that could overlap another platform, before connecting', async () => {
    await expect(open('/kplane/objects/')).rejects.toThrow(/segment named objects/);
    await expect(open('kplane')).rejects.toThrow(/starting and ending with \//);
  });
});
