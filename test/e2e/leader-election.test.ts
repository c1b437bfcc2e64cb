import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  LeaderElector,
} from '../../src/platform/controllers/leader-election.js';
import { CONTROLLERS_LEASE_KEY } from '../../src/platform/controllers/leader-lease.js';
import { EtcdStore } from '../../src/platform/storage/etcd/etcd-store.js';
import { openDatabase } from '../../src/platform/storage/database.js';
import { EventLog } from '../../src/platform/storage/event-log.js';
import { ObjectStore } from '../../src/platform/storage/object-store.js';
import { etcdMissing, startEtcd, type EtcdCluster } from './helpers/etcd.js';
import { adminKubectlAt, startPlatformProcess, type PlatformProcess } from './helpers/platform.js';
import { tcpRelay, type TcpRelay } from './helpers/tcp-relay.js';
import { eventually } from './helpers/wait.js';

// Platform replicas electing their controllers' leader through a real etcd, with the default timings:
// one leads at a time, a dead leader's Lease is taken over within seconds, and a leader cut off from
// etcd stops before the other starts. Each replica is an EtcdStore of its own, as in a process of its own.

/** Scheduling on two shared cores: what a handover may take beyond the protocol's own bound. */
const SLACK_MS = 3000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Replica {
  name: string;
  store: EtcdStore;
  elector: LeaderElector;
  /** When (performance.now) its controllers started and stopped, in order. */
  started: number[];
  stopped: number[];
  errors: unknown[];
}

const replicas: Replica[] = [];
const relays: TcpRelay[] = [];

async function startReplica(name: string, endpoints: string[]): Promise<Replica> {
  const store = await EtcdStore.open({ endpoints, requestTimeoutMs: 1500, probeIntervalMs: 200 });
  const replica: Replica = {
    name,
    store,
    elector: new LeaderElector({ store, identity: name, onError: (err) => replica.errors.push(err) }),
    started: [],
    stopped: [],
    errors: [],
  };
  replicas.push(replica);
  replica.elector.run({
    onStartedLeading: () => void replica.started.push(performance.now()),
    onStoppedLeading: () => void replica.stopped.push(performance.now()),
  });
  return replica;
}

const leaders = () => replicas.filter((r) => r.elector.isLeader).map((r) => r.name);
const holder = (replica: Replica) =>
  (replica.store.get(CONTROLLERS_LEASE_KEY)?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
const until = <T>(read: () => T, ok: (value: T) => boolean, withinMs = 20_000) =>
  eventually(() => Promise.resolve(read()), ok, withinMs);

afterEach(async () => {
  // Stopping the replicas that can still reach etcd releases the Lease, so the next test starts clean.
  await Promise.all(replicas.map((r) => r.elector.stop()));
  for (const replica of replicas.splice(0)) replica.store.close();
  await Promise.all(relays.splice(0).map((relay) => relay.close()));
});

describe.skipIf(etcdMissing)('leader election on a coordination.k8s.io/v1 Lease in etcd', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd(1);
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it('lets exactly one of two replicas lead at every moment sampled, the one the Lease names', async () => {
    const [a, b] = [await startReplica('a', etcd.endpoints), await startReplica('b', etcd.endpoints)];
    expect(await until(leaders, (names) => names.length === 1)).toHaveLength(1);
    const leader = leaders()[0]!;
    const samples: string[][] = [];
    for (let n = 0; n < 30; n++) {
      samples.push(leaders());
      await sleep(100);
    }
    expect(samples.filter((names) => names.length !== 1 || names[0] !== leader)).toEqual([]);
    expect(holder(a)).toBe(leader);
    expect(holder(b)).toBe(leader);
    expect([a.started.length + b.started.length, a.stopped.length + b.stopped.length]).toEqual([1, 0]);
  });

  it('hands over at the next try when the leader stops and releases', async () => {
    const a = await startReplica('a', etcd.endpoints);
    await until(
      () => a.elector.isLeader,
      (leading) => leading,
    );
    const b = await startReplica('b', etcd.endpoints);
    await sleep(1500);

    const transitions = (a.store.get(CONTROLLERS_LEASE_KEY)?.spec as { leaseTransitions: number })
      .leaseTransitions;
    const stoppingAt = performance.now();
    await a.elector.stop();
    await until(
      () => b.started.length,
      (n) => n === 1,
    );
    expect(b.started[0]! - stoppingAt).toBeLessThan(DEFAULT_RETRY_PERIOD_MS + SLACK_MS);
    expect(a.stopped[0]!).toBeLessThan(b.started[0]!);
    expect(b.store.get(CONTROLLERS_LEASE_KEY)?.spec).toMatchObject({
      holderIdentity: 'b',
      leaseTransitions: transitions + 1,
    });
  });

  it("hands over within leaseDuration + retryPeriod when the leader's process dies without releasing", async () => {
    const a = await startReplica('a', etcd.endpoints);
    await until(
      () => a.elector.isLeader,
      (leading) => leading,
    );
    const b = await startReplica('b', etcd.endpoints);
    await sleep(1500);
    expect(leaders()).toEqual(['a']);

    // What a crash leaves: a's store gone, its renewals failing, no release.
    const killedAt = performance.now();
    a.store.close();
    await until(
      () => b.started.length,
      (n) => n === 1,
    );
    const handoverMs = b.started[0]! - killedAt;
    console.log(`leader election: handover after the leader died took ${Math.round(handoverMs)} ms`);
    expect(handoverMs).toBeLessThan(DEFAULT_LEASE_DURATION_MS + DEFAULT_RETRY_PERIOD_MS + SLACK_MS);
    // a stopped leading on its own, before b began.
    expect(a.stopped).toHaveLength(1);
    expect(a.stopped[0]!).toBeLessThan(b.started[0]!);
    expect(holder(b)).toBe('b');
  });

  it('makes a leader whose etcd connection dies stop leading before the other replica starts', async () => {
    const relay = await tcpRelay(etcd.endpoints[0]!);
    relays.push(relay);
    const a = await startReplica('a', [relay.endpoint]);
    await until(
      () => a.elector.isLeader,
      (leading) => leading,
    );
    const b = await startReplica('b', etcd.endpoints);
    await sleep(1500);
    expect(leaders()).toEqual(['a']);

    const cutAt = performance.now();
    relay.cut();
    await until(
      () => b.started.length,
      (n) => n === 1,
    );
    expect(a.elector.isLeader).toBe(false);
    expect(a.stopped).toHaveLength(1);
    // Its last renewal began before the cut, so it gave up at most renewDeadline after it.
    expect(a.stopped[0]! - cutAt).toBeLessThan(DEFAULT_RENEW_DEADLINE_MS + SLACK_MS);
    expect(a.stopped[0]!).toBeLessThan(b.started[0]!);
    console.log(
      `leader election: cut-off leader stopped after ${Math.round(a.stopped[0]! - cutAt)} ms, the other led after ${Math.round(b.started[0]! - cutAt)} ms`,
    );
    expect(holder(b)).toBe('b');
  });
});

describe('the controllers Lease as kubectl sees it', () => {
  let platform: PlatformProcess | undefined;
  afterEach(async () => {
    await platform?.stop();
    platform = undefined;
  });

  it('is a Lease in root, namespace kube-system, showing its holder', async () => {
    // On SQLite the server runs its controllers without an elector; one beside it on the same database
    // file (as the owner tools open it) writes the Lease the server then serves.
    platform = await startPlatformProcess({ args: ['--storage', 'sqlite'] });
    const db = openDatabase(`${platform.dataDir}/platform.db`);
    const store = new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db)));
    const elector = new LeaderElector({ store, identity: 'replica-1' });
    let leading = false;
    elector.run({ onStartedLeading: () => void (leading = true), onStoppedLeading: () => {} });
    try {
      await until(
        () => leading,
        (yes) => yes,
      );
      const kubectl = adminKubectlAt(platform, `${platform.dataDir}/kubectl-cache`);
      const table = await kubectl('/clusters/root', [
        'get',
        'lease',
        '-n',
        'kube-system',
        'kplane-controllers',
      ]);
      expect(table.stderr).toBe('');
      expect(table.stdout).toMatch(/^NAME\s+HOLDER\s+AGE\nkplane-controllers\s+replica-1\s+\d+s\n$/);
      const json = await kubectl('/clusters/root', [
        'get',
        'lease',
        '-n',
        'kube-system',
        'kplane-controllers',
        '-o',
        'json',
      ]);
      expect(JSON.parse(json.stdout)).toMatchObject({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        spec: { holderIdentity: 'replica-1', leaseDurationSeconds: 6, leaseTransitions: 0 },
      });

      await elector.stop();
      const released = await kubectl('/clusters/root', [
        'get',
        'lease',
        '-n',
        'kube-system',
        'kplane-controllers',
        '-o',
        'jsonpath={.spec.holderIdentity}',
      ]);
      expect([released.code, released.stdout]).toEqual([0, '']);
    } finally {
      await elector.stop();
      db.close();
    }
  });
});

if (etcdMissing) console.warn(`skipping the leader election tests on etcd: ${etcdMissing}`);
