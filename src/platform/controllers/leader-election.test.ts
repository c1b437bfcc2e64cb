import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { ResourceService, type RequestScope } from '../api/resource-service.js';
import { builtinRegistry } from '../api/resources/index.js';
import { Authorizer } from '../auth/authorize.js';
import { SYSTEM_USER } from '../auth/user.js';
import { SqliteClusterIndex } from '../storage/cluster-index.js';
import { openDatabase, type Db } from '../storage/database.js';
import { EventLog } from '../storage/event-log.js';
import { ObjectStore } from '../storage/object-store.js';
import { LEASES } from './cluster-lease-controller.js';
import { LeaderElector, type LeaderElectorOptions, type LeaseStore } from './leader-election.js';
import { CONTROLLERS_LEASE_KEY, leaseObject, microTime } from './leader-lease.js';

// Replicas electing a leader on one SQLite store, on fake timers: what each replica's controllers would
// see (started, stopped, in which order) and what the Lease holds, at the moments the contract names.
// The clock the elector measures durations on is the fake Date.now; every wall clock may be skewed.

const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const DAY_MS = 86_400_000;

const dirs: string[] = [];
const dbs: Db[] = [];
const electors: LeaderElector[] = [];

function openStore(): ObjectStore {
  const dir = mkdtempSync(join(tmpdir(), 'kplane-leader-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'platform.db'));
  dbs.push(db);
  return new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db)));
}

/** What every replica's controllers went through, in order, with the fake time it happened at. */
let timeline: { at: number; what: string }[] = [];
const what = () => timeline.map((entry) => entry.what);
const when = (entry: string) => timeline.find((e) => e.what === entry)?.at;

function replica(identity: string, store: LeaseStore, options: Partial<LeaderElectorOptions> = {}) {
  const elector = new LeaderElector({ store, identity, clock: () => Date.now(), ...options });
  electors.push(elector);
  elector.run({
    onStartedLeading: () => void timeline.push({ at: Date.now(), what: `${identity} started` }),
    onStoppedLeading: () => void timeline.push({ at: Date.now(), what: `${identity} stopped` }),
  });
  return elector;
}

const leaseIn = (store: ObjectStore) => store.get(CONTROLLERS_LEASE_KEY);
const spec = (store: ObjectStore) => leaseIn(store)?.spec as Record<string, unknown> | undefined;

/** A store that can be made to fail, or to hang as a write to an unreachable etcd does until its 10 s deadline. */
function breakable(store: ObjectStore) {
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  const wrapped: LeaseStore = {
    transact(work) {
      if (mode === 'fail') throw new Error('etcd is unavailable: connection refused');
      if (mode === 'hang')
        return new Promise((_, reject) => setTimeout(() => reject(new Error('deadline exceeded')), 10_000));
      return store.transact(work);
    },
  };
  return { store: wrapped, set: (next: typeof mode) => (mode = next) };
}

/** Another process holding the Lease, writing it directly: its identity and its wall clock. */
function foreignHolder(store: ObjectStore, identity: string, wallClock: () => Date) {
  let transitions = 0;
  return () =>
    store.transact((tx) => {
      const now = wallClock();
      const record = {
        holderIdentity: identity,
        leaseDurationSeconds: 6,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: transitions++,
      };
      tx.put(
        CONTROLLERS_LEASE_KEY,
        leaseObject(CONTROLLERS_LEASE_KEY, tx.get(CONTROLLERS_LEASE_KEY), record, now),
      );
    });
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-12-07T08:00:00Z') });
  timeline = [];
});

afterEach(async () => {
  for (const elector of electors.splice(0)) {
    let stopped = false;
    void elector.stop().then(() => (stopped = true));
    // A hanging store answers only at its deadline, once for the last try and once for the release.
    for (let round = 0; round < 5 && !stopped; round++) await vi.runOnlyPendingTimersAsync();
    expect(stopped).toBe(true);
  }
  vi.useRealTimers();
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('LeaderElector', () => {
  it('lets a lone candidate lead at once, on a Lease kubectl and client-go can read', async () => {
    const store = openStore();
    const a = replica('a', store);
    await vi.advanceTimersByTimeAsync(0);
    expect(a.isLeader).toBe(true);
    expect(what()).toEqual(['a started']);
    const lease = leaseIn(store)!;
    expect(lease).toMatchObject({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'kplane-controllers', namespace: 'kube-system' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 6, leaseTransitions: 0 },
    });
    expect(lease.metadata.uid).toBeTruthy();
    expect(lease.spec).toMatchObject({ acquireTime: expect.stringMatching(MICRO_TIME) });
    const firstRenewal = spec(store)!.renewTime;
    expect(firstRenewal).toBe('2026-12-07T08:00:00.000000Z');

    await vi.advanceTimersByTimeAsync(3000);
    expect(a.isLeader).toBe(true);
    expect(spec(store)!.renewTime).toBe('2026-12-07T08:00:03.000000Z');
    expect(spec(store)!.acquireTime).toBe('2026-12-07T08:00:00.000000Z');
    expect(leaseIn(store)!.metadata.uid).toBe(lease.metadata.uid);
    expect(what()).toEqual(['a started']);
  });

  it('keeps a second candidate waiting for as long as the leader renews', async () => {
    const store = openStore();
    const a = replica('a', store);
    await vi.advanceTimersByTimeAsync(0);
    const b = replica('b', store);
    await vi.advanceTimersByTimeAsync(60_000);
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    expect(what()).toEqual(['a started']);
    expect(spec(store)!.holderIdentity).toBe('a');
  });

  it('lets only one of two candidates that start together lead', async () => {
    const store = openStore();
    const a = replica('a', store);
    const b = replica('b', store);
    await vi.advanceTimersByTimeAsync(20_000);
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    expect(what()).toHaveLength(1);
  });

  it('on stop, stops the controllers first, then releases, and the next candidate leads at its next try', async () => {
    const store = openStore();
    const a = new LeaderElector({ store, identity: 'a', clock: () => Date.now() });
    electors.push(a);
    let holderWhenStopping: unknown;
    a.run({
      onStartedLeading: () => void timeline.push({ at: Date.now(), what: 'a started' }),
      onStoppedLeading: () => {
        holderWhenStopping = spec(store)!.holderIdentity;
        timeline.push({ at: Date.now(), what: 'a stopped' });
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    const b = replica('b', store);
    await vi.advanceTimersByTimeAsync(2500);

    await a.stop();
    expect(a.isLeader).toBe(false);
    expect(holderWhenStopping).toBe('a');
    expect(spec(store)).toMatchObject({ holderIdentity: '', leaseTransitions: 0 });

    await vi.advanceTimersByTimeAsync(a.retryPeriodMs);
    expect(b.isLeader).toBe(true);
    expect(what()).toEqual(['a started', 'a stopped', 'b started']);
    expect(spec(store)).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('stops leading within renewDeadline when renewals fail, before anyone can take the Lease over', async () => {
    const store = openStore();
    const broken = breakable(store);
    const errors: unknown[] = [];
    const a = replica('a', broken.store, { onError: (err) => errors.push(err) });
    await vi.advanceTimersByTimeAsync(0);
    const b = replica('b', store);
    await vi.advanceTimersByTimeAsync(1500);
    // The last renewal that worked began at 1000.
    broken.set('fail');

    await vi.advanceTimersByTimeAsync(3499);
    expect(a.isLeader).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.isLeader).toBe(false);
    expect(what()).toEqual(['a started', 'a stopped']);
    expect(when('a stopped')).toBe(Date.parse('2026-12-07T08:00:05Z'));
    // Failures every second, reported once.
    expect(errors).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(3000);
    expect(b.isLeader).toBe(true);
    expect(what()).toEqual(['a started', 'a stopped', 'b started']);
    expect(when('b started')! - when('a stopped')!).toBeGreaterThanOrEqual(2000);
  });

  it('stops leading at renewDeadline even while a renewal hangs', async () => {
    const store = openStore();
    const broken = breakable(store);
    const a = replica('a', broken.store, { onError: () => {} });
    await vi.advanceTimersByTimeAsync(500);
    broken.set('hang');
    await vi.advanceTimersByTimeAsync(3499);
    expect(a.isLeader).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.isLeader).toBe(false);
    expect(what()).toEqual(['a started', 'a stopped']);
  });

  it('takes the Lease back after failing to renew, when nobody else took it meanwhile', async () => {
    const store = openStore();
    const broken = breakable(store);
    const a = replica('a', broken.store, { onError: () => {} });
    await vi.advanceTimersByTimeAsync(500);
    broken.set('fail');
    await vi.advanceTimersByTimeAsync(5000);
    expect(a.isLeader).toBe(false);
    broken.set('ok');
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.isLeader).toBe(true);
    expect(what()).toEqual(['a started', 'a stopped', 'a started']);
    expect(spec(store)).toMatchObject({ holderIdentity: 'a', leaseTransitions: 0 });
  });

  it('never takes a Lease whose record keeps changing, however old its renewTime says it is', async () => {
    const store = openStore();
    // The holder's wall clock is a day behind: by the candidate's clock every renewTime is long past.
    const renew = foreignHolder(store, 'behind', () => new Date(Date.now() - DAY_MS));
    renew();
    const b = replica('b', store);
    for (let second = 0; second < 60; second += 5) {
      await vi.advanceTimersByTimeAsync(5000);
      renew();
    }
    expect(b.isLeader).toBe(false);
    expect(what()).toEqual([]);
  });

  it('never takes a Lease a replica with a skewed clock keeps renewing', async () => {
    const store = openStore();
    const a = replica('a', store, { wallClock: () => new Date(Date.now() - DAY_MS) });
    await vi.advanceTimersByTimeAsync(0);
    const b = replica('b', store);
    await vi.advanceTimersByTimeAsync(30_000);
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    expect(what()).toEqual(['a started']);
  });

  it('takes over an unchanged Lease leaseDuration after first reading it, even with a renewTime in the future', async () => {
    const store = openStore();
    const renew = foreignHolder(store, 'ahead', () => new Date(Date.now() + DAY_MS));
    renew();
    const b = replica('b', store);
    await vi.advanceTimersByTimeAsync(5999);
    expect(b.isLeader).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(b.isLeader).toBe(true);
    expect(spec(store)).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('counts leaseDuration from the last change it saw, not from when it started', async () => {
    const store = openStore();
    const renew = foreignHolder(store, 'dying', () => new Date());
    renew();
    const b = replica('b', store);
    await vi.advanceTimersByTimeAsync(4000);
    renew();
    // Last change seen at b's try at 5000; a dead holder after that is taken at 11000, not 6000.
    await vi.advanceTimersByTimeAsync(6999);
    expect(b.isLeader).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(b.isLeader).toBe(true);
  });

  it('steps down at its next try when it finds the Lease in another holder’s name', async () => {
    const store = openStore();
    const a = replica('a', store);
    await vi.advanceTimersByTimeAsync(0);
    foreignHolder(store, 'intruder', () => new Date())();
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.isLeader).toBe(false);
    expect(what()).toEqual(['a started', 'a stopped']);
  });

  it('writes a Lease the platform accepts as coordination.k8s.io/v1 under strict field validation', async () => {
    const store = openStore();
    replica('a', store);
    await vi.advanceTimersByTimeAsync(0);
    const written = leaseIn(store)!;

    const check = openStore();
    const registry = builtinRegistry({ onCreated: () => {}, authorizer: new Authorizer(check) });
    const clusters = new SqliteClusterIndex(dbs.at(-1)!);
    const service = new ResourceService(check, clusters, { baseUrl: 'https://127.0.0.1:1' });
    const root = { id: 'root', path: 'root' };
    clusters.add(root);
    const scope: RequestScope = { cluster: root, user: SYSTEM_USER };
    await service.create(registry.get('namespaces'), scope, { metadata: { name: 'kube-system' } });
    const body: KubeObject = {
      ...written,
      metadata: { name: written.metadata.name, namespace: written.metadata.namespace },
    };
    const created = await service.create(
      registry.get(LEASES),
      { ...scope, namespace: 'kube-system' },
      structuredClone(body),
      { fieldValidation: 'Strict' },
    );
    expect(created.spec).toEqual(written.spec);
  });

  it('refuses durations that would let two replicas lead at once', () => {
    const store = openStore();
    expect(() => new LeaderElector({ store, leaseDurationMs: 4000, renewDeadlineMs: 4000 })).toThrow(
      /leaseDuration > renewDeadline > retryPeriod/,
    );
    expect(() => new LeaderElector({ store, renewDeadlineMs: 1000, retryPeriodMs: 1000 })).toThrow(
      /leaseDuration > renewDeadline > retryPeriod/,
    );
  });

  it('names itself after the host and process, uniquely', () => {
    const store = openStore();
    const [one, two] = [new LeaderElector({ store }), new LeaderElector({ store })];
    expect(one.identity).toMatch(new RegExp(`_${process.pid}_[0-9a-f]{8}$`));
    expect(one.identity).not.toBe(two.identity);
  });
});

describe('microTime', () => {
  it("writes metav1.MicroTime's RFC 3339 form with six fractional digits, in UTC", () => {
    expect(microTime(new Date('2026-12-07T08:09:10.123Z'))).toBe('2026-12-07T08:09:10.123000Z');
    expect(microTime(new Date(0))).toMatch(MICRO_TIME);
  });
});
