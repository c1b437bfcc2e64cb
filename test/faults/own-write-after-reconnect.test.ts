import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdStore } from '../../src/platform/storage/etcd/etcd-store.js';
import { StorageUnavailableError } from '../../src/platform/storage/etcd/errors.js';
import { etcdMissing, startEtcd, type EtcdCluster } from '../e2e/helpers/etcd.js';
import { tcpRelay, type TcpRelay } from '../e2e/helpers/tcp-relay.js';

// A replica cut off from etcd while others write comes back with a watch that must catch up on thousands of
// changes. A write it makes right then is acknowledged only once this replica can read it: etcd before
// 3.4.25 (Debian ships 3.4.23) answers a progress request with its newest revision while such a watch is
// still catching up (etcd issue #15220), and a write acknowledged on that word would be missing from the
// replica's next list. Seen once in replicas-and-etcd.test.ts right after quorum came back; here the
// catch-up is made long on purpose.

const ROUNDS = 4;
const WRITES_WHILE_CUT_OFF = 2000;

const key = (name: string) => ({ cluster: 'root', resource: 'configmaps', namespace: 'default', name });
const configMap = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { filler: 'x'.repeat(300) },
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let etcd: EtcdCluster;
let relay: TcpRelay;
let cutOff: EtcdStore;
let other: EtcdStore;

beforeAll(async () => {
  if (etcdMissing) return;
  etcd = await startEtcd(1);
  relay = await tcpRelay(etcd.endpoints[0]!);
  cutOff = await EtcdStore.open({ endpoints: [relay.endpoint], probeIntervalMs: 200 });
  other = await EtcdStore.open({ endpoints: etcd.endpoints });
}, 60_000);

afterAll(async () => {
  cutOff?.close();
  other?.close();
  await relay?.close();
  await etcd?.stop();
});

/** Another replica's writes: one revision each, many at a time. */
async function writeMany(store: EtcdStore, prefix: string, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < count) {
        const name = `${prefix}${next++}`;
        await store.transact((tx) => tx.put(key(name), configMap(name)));
      }
    }),
  );
}

/** A write as a client makes it: sent again while etcd is unreachable through this replica. */
async function writeOwn(store: EtcdStore, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await store.transact((tx) => tx.put(key(name), configMap(name)));
      return;
    } catch (err) {
      if (!(err instanceof StorageUnavailableError) || Date.now() > deadline) throw err;
      await sleep(50);
    }
  }
}

/** What the API answers for a get without resourceVersion: 503 while the replica cannot vouch, else what it has. */
function currentRead(store: EtcdStore, name: string): 'unavailable' | 'found' | 'absent' {
  try {
    store.ensureCurrent();
  } catch (err) {
    if (err instanceof StorageUnavailableError) return 'unavailable';
    throw err;
  }
  return store.get(key(name)) ? 'found' : 'absent';
}

describe.skipIf(etcdMissing)("a replica's own write right after its etcd watch was opened again", () => {
  it('is in its current reads from the moment it is acknowledged (or they answer 503 until it is)', async () => {
    const absent: string[] = [];
    const waits: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      relay.sever();
      await writeMany(other, `missed-${round}-`, WRITES_WHILE_CUT_OFF);
      relay.restore();
      const own = `own-${round}`;
      await writeOwn(cutOff, own);
      const acknowledgedAt = Date.now();
      for (let answer = currentRead(cutOff, own); answer !== 'found'; answer = currentRead(cutOff, own)) {
        if (answer === 'absent') absent.push(own);
        if (answer === 'absent' || Date.now() - acknowledgedAt > 30_000) break;
        await sleep(20);
      }
      waits.push(Date.now() - acknowledgedAt);
    }
    // Never "current" without it: a client that was told 201 would not find its object.
    expect(absent).toEqual([]);
    console.log(`faults: own writes readable ${waits.join(', ')} ms after they were acknowledged`);
    // Caught up in the end, every change of the other replica included.
    expect(cutOff.list({ cluster: 'root', resource: 'configmaps', namespace: 'default' })).toHaveLength(
      ROUNDS * (WRITES_WHILE_CUT_OFF + 1),
    );
  });
});

if (etcdMissing) console.warn(`skipping the fault tests: ${etcdMissing}`);
