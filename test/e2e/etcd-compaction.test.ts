// A platform on etcd compacts etcd's history as kube-apiserver does, or etcd's database would grow with
// every write until its quota stops all writes: the controllers' leader compacts, each watch-history
// interval, to the revision it saw one interval before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceExpiredError } from '../../src/platform/storage/etcd/errors.js';
import { EtcdStore } from '../../src/platform/storage/etcd/etcd-store.js';
import { etcdMissing, startEtcd, type EtcdCluster } from './helpers/etcd.js';
import { startPlatformProcess, type PlatformProcess } from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

describe.skipIf(etcdMissing)('etcd history under a platform', () => {
  let etcd: EtcdCluster;
  let platform: PlatformProcess | undefined;
  let reader: EtcdStore | undefined;
  beforeAll(async () => {
    etcd = await startEtcd(1);
  });
  afterAll(async () => {
    reader?.close();
    await platform?.stop();
    await etcd?.stop();
  });

  it('is compacted by the platform to one watch-history interval back', { timeout: 60_000 }, async () => {
    const prefix = '/compaction-test/';
    platform = await startPlatformProcess({
      args: [
        ...['--storage', 'etcd', '--etcd-endpoints', etcd.endpoints.join(','), '--etcd-prefix', prefix],
        ...['--watch-history', '2s'],
      ],
    });
    reader = await EtcdStore.open({ endpoints: etcd.endpoints, keyPrefix: prefix, requestTimeoutMs: 1500 });
    const early = reader.resourceVersion;
    const scope = { cluster: 'root', resource: 'namespaces' };
    // Readable at first; the leader's Lease renewals (every second) keep writing meanwhile.
    expect((await reader.listAt(scope, early, undefined, 10)).revision).toBe(early);
    await eventually(
      () =>
        reader!.listAt(scope, early, undefined, 10).then(
          () => 'readable',
          (err: unknown) => (err instanceof ResourceExpiredError ? 'compacted' : String(err)),
        ),
      (state) => state === 'compacted',
      30_000,
    );
  });
});
