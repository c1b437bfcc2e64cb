import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminToken, rawWatch, type RawWatch } from '../e2e/helpers/platform.js';
import { eventually } from '../e2e/helpers/wait.js';
import { etcdMissing, startEtcd, type EtcdCluster } from '../e2e/helpers/etcd.js';
import type { EtcdMember } from '../../src/platform/storage/etcd/local-etcd.js';
import { etcdLeader } from './helpers/etcd-leader.js';
import { call, parsed, startReplica, type Outcome, type Replica } from './helpers/replicas.js';
import { runWriters, type WritersReport } from './helpers/writers.js';

// Issue 14's fault test, with real processes on loopback: a 3-member etcd and two platform replicas, each with
// its own data folder and serving CA, one key prefix. A: SIGKILL the replica that leads the controllers and
// the etcd leader while 20 clients write; every acknowledged write is there once, watches see every ADDED
// once and in order (one resumed from the dead replica's last resourceVersion, as a reflector would), and
// the survivor takes the Lease and runs the controllers. B: kill etcd's majority; writes and current reads
// get 503 with a Status that says so, never older data, and all of it comes back when etcd does.
// Run with `npm run test:faults` (not part of `npm test`); the numbers it prints are the ones to quote.

const KEY_PREFIX = '/kplane-faults/';
const WORKSPACE = 'faults';
const CONFIGMAPS = `/clusters/root:${WORKSPACE}/api/v1/namespaces/default/configmaps`;
const WORKSPACES = '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces';
const LEASE = '/clusters/root/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kplane-controllers';
const WRITER_PREFIX = 'w-';
const CLIENTS = 20;
const WRITES_PER_CLIENT = 25;
/** Acknowledged writes before the kill: about a third of the run, so most writes see the failure. */
const KILL_AFTER = 150;

interface WatchEvent {
  type: string;
  object: Record<string, unknown>;
}
interface Listed {
  metadata: { resourceVersion: string };
  items: { metadata: { name: string } }[];
}
interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const since = (start: number) => performance.now() - start;
const nameOf = (event: WatchEvent) => (event.object.metadata as { name?: string } | undefined)?.name ?? '';
const rvOf = (event: WatchEvent) =>
  Number((event.object.metadata as { resourceVersion?: string } | undefined)?.resourceVersion);

let etcd: EtcdCluster;
let scratch: string;
let token: string;
const replicas: Replica[] = [];

async function get(replica: Replica, urlPath: string, withinMs?: number): Promise<Outcome> {
  return call(replica, urlPath, { token }, withinMs);
}

/** Names under `prefix` in a list answered 200, or undefined for any other answer. */
function listedNames(outcome: Outcome, prefix = ''): string[] | undefined {
  if (!outcome.answered || outcome.status !== 200) return undefined;
  return parsed<Listed>(outcome)!
    .items.map((item) => item.metadata.name)
    .filter((name) => name.startsWith(prefix));
}

/** The replica whose process holds the controllers' Lease (its identity is host_pid_random), as `via` sees it. */
async function leaseHolder(via: Replica): Promise<Replica | undefined> {
  const outcome = await get(via, LEASE);
  if (!outcome.answered || outcome.status !== 200) return undefined;
  const holder = parsed<{ spec?: { holderIdentity?: string } }>(outcome)?.spec?.holderIdentity ?? '';
  return replicas.find((replica) => holder.includes(`_${replica.process.pid}_`));
}

/** Creates a Workspace in root through `via` and waits until it is Ready; returns how long that took. */
async function workspaceBecomesReady(via: Replica, name: string): Promise<number> {
  const started = performance.now();
  const created = await call(via, WORKSPACES, {
    token,
    method: 'POST',
    body: { apiVersion: 'tenancy.kcp.io/v1alpha1', kind: 'Workspace', metadata: { name } },
  });
  expect(created.answered && created.status, JSON.stringify(created)).toBe(201);
  const phase = async () =>
    parsed<{ status?: { phase?: string } }>(await get(via, `${WORKSPACES}/${name}`))?.status?.phase;
  expect(await eventually(phase, (p) => p === 'Ready', 30_000)).toBe('Ready');
  return since(started);
}

/** A watch from `resourceVersion`, opened again until the replica answers 200 (it may be catching up). */
async function watchFrom(replica: Replica, resourceVersion: string): Promise<RawWatch> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await rawWatch(replica.url, `${CONFIGMAPS}?resourceVersion=${resourceVersion}`, {
        token,
        ca: replica.ca,
      });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(200);
    }
  }
}

/** What a watcher must have seen: only ADDED events, in rising resourceVersion order, each name once. */
function addedInOrder(events: WatchEvent[], prefix: string) {
  const ours = events.filter((event) => nameOf(event).startsWith(prefix));
  const rvs = ours.map(rvOf);
  return {
    types: [...new Set(ours.map((event) => event.type))],
    names: ours.map(nameOf).sort(),
    ordered: rvs.every((rv, i) => i === 0 || rv > rvs[i - 1]!),
  };
}

beforeAll(async () => {
  if (etcdMissing) return;
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-faults-'));
  etcd = await startEtcd(3);
  for (const name of ['replica-1', 'replica-2']) {
    const dataDir = path.join(scratch, name);
    mkdirSync(dataDir, { mode: 0o700 });
    // One after the other, as an owner brings them up: the first bootstraps root and the admin token.
    replicas.push(await startReplica(name, dataDir, etcd, KEY_PREFIX));
  }
  // Replica 1's admin token: it lives in etcd, so replica 2 must take it too.
  token = adminToken(replicas[0]!.dataDir);
}, 90_000);

// A failed test shows what the replicas said (who led, what storage errors they met).
beforeEach(({ onTestFailed }) =>
  onTestFailed(() => {
    for (const replica of replicas) console.log(`${replica.name} stderr:\n${replica.process.stderr()}`);
  }),
);

afterAll(async () => {
  // Every member is killed, including ones a test left dead or stopped halfway.
  await Promise.all(replicas.map((replica) => replica.process.stop()));
  await etcd?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(etcdMissing)('A: a replica and an etcd member die while 20 clients write', () => {
  let doomed: Replica;
  let survivor: Replica;
  let report: WritersReport;
  let listed: string[];
  let survivorWatch: RawWatch;
  let doomedWatch: RawWatch;
  let resumedWatch: RawWatch;
  let doomedEventsBeforeKill: WatchEvent[];

  it('makes a workspace Ready through one replica and serves it through both with one admin token', async () => {
    const tookMs = await workspaceBecomesReady(replicas[0]!, WORKSPACE);
    console.log(`faults: workspace ${WORKSPACE} Ready after ${seconds(tookMs)}`);
    for (const replica of replicas) {
      const answered = await eventually(
        () => get(replica, CONFIGMAPS),
        (outcome) => outcome.answered && outcome.status === 200,
      );
      expect(answered.answered && answered.status, `${replica.name}: ${JSON.stringify(answered)}`).toBe(200);
    }
  });

  it('keeps every acknowledged write exactly once when the leading replica and the etcd leader are SIGKILLed mid-run', async () => {
    const holder = await eventually(
      () => leaseHolder(replicas[0]!),
      (replica) => replica !== undefined,
    );
    expect(holder, 'one replica holds the controllers Lease').toBeDefined();
    doomed = holder!;
    survivor = replicas.find((replica) => replica !== doomed)!;
    const raftLeader = await etcdLeader(etcd);
    const etcdVictim: EtcdMember = raftLeader ?? etcd.members[0]!;

    // A reflector on each replica: list, then watch from the list's resourceVersion.
    const before = await get(survivor, CONFIGMAPS);
    const fromVersion = parsed<Listed>(before)!.metadata.resourceVersion;
    survivorWatch = await watchFrom(survivor, fromVersion);
    doomedWatch = await watchFrom(doomed, fromVersion);

    let reachedKillPoint: () => void = () => undefined;
    const killPoint = new Promise<void>((resolve) => (reachedKillPoint = resolve));
    const started = performance.now();
    const writing = runWriters({
      replicas,
      token,
      collectionPath: CONFIGMAPS,
      clients: CLIENTS,
      writesPerClient: WRITES_PER_CLIENT,
      namePrefix: WRITER_PREFIX,
      giveUpAfterMs: 60_000,
      onAcknowledged: (count) => {
        if (count === KILL_AFTER) reachedKillPoint();
      },
    });
    await killPoint;
    const killedAt = performance.now();
    await Promise.all([doomed.process.kill9(), etcdVictim.kill9()]);
    expect(await doomedWatch.ended()).toBe(true);
    doomedEventsBeforeKill = doomedWatch.events() as WatchEvent[];

    // The dead replica's watcher goes on from the last resourceVersion it got, on the survivor.
    const lastSeen = doomedEventsBeforeKill.at(-1);
    resumedWatch = await watchFrom(survivor, lastSeen ? String(rvOf(lastSeen)) : fromVersion);
    const resumedMs = performance.now() - killedAt;

    const handover = await eventually(
      () => leaseHolder(survivor),
      (replica) => replica === survivor,
      30_000,
    );
    const handoverMs = performance.now() - killedAt;
    expect(handover?.name, 'the survivor holds the controllers Lease').toBe(survivor.name);

    report = await writing;
    const writingMs = since(started);
    expect(report.unexpected).toEqual([]);
    expect(report.gaveUp).toEqual([]);
    const names = report.acknowledged.map((write) => write.name);
    expect(new Set(names).size).toBe(CLIENTS * WRITES_PER_CLIENT);

    const list = await eventually(
      () => get(survivor, CONFIGMAPS),
      (outcome) => outcome.answered && outcome.status === 200,
    );
    listed = listedNames(list, WRITER_PREFIX) ?? [];
    // Present exactly once each: as many items as distinct names, and those are the acknowledged ones.
    expect(listed.length).toBe(new Set(listed).size);
    expect([...listed].sort()).toEqual([...names].sort());

    const afterKill = report.acknowledged.length - KILL_AFTER;
    const idempotent = report.acknowledged.filter((write) => write.how === 'already-existed').length;
    console.log(
      `faults A: killed ${doomed.name} (controllers leader) and etcd ${etcdVictim.name}` +
        `${raftLeader ? ' (raft leader)' : ''} after ${KILL_AFTER} acknowledged writes; ` +
        `${report.acknowledged.length} acknowledged in ${seconds(writingMs)} (${afterKill} after the kill; ` +
        `${replicas.map((r) => `${report.acknowledged.filter((w) => w.via === r.name).length} by ${r.name}`).join(', ')}), ` +
        `${report.retried} attempts retried on the other replica, ${idempotent} acknowledged by 409 AlreadyExists on a retry; ` +
        `watch resumed on ${survivor.name} ${seconds(resumedMs)} after the kill; ` +
        `Lease handed over to ${survivor.name} ${seconds(handoverMs)} after the kill`,
    );
  });

  it('shows every ADDED once and in resourceVersion order, to a watch on the survivor and to one resumed from the dead replica', async () => {
    const expected = [...listed].sort();
    const seen = (events: () => WatchEvent[]) => () =>
      Promise.resolve(addedInOrder(events(), WRITER_PREFIX).names.length);
    const resumedStream = () => [...doomedEventsBeforeKill, ...(resumedWatch.events() as WatchEvent[])];
    await eventually(
      seen(() => survivorWatch.events() as WatchEvent[]),
      (n) => n >= expected.length,
      30_000,
    );
    await eventually(seen(resumedStream), (n) => n >= expected.length, 30_000);

    const onSurvivor = addedInOrder(survivorWatch.events() as WatchEvent[], WRITER_PREFIX);
    expect(onSurvivor).toEqual({ types: ['ADDED'], names: expected, ordered: true });
    // Before the kill on the dead replica, then on the survivor: one stream to the watcher, no gap, no repeat.
    const acrossTheKill = addedInOrder(resumedStream(), WRITER_PREFIX);
    expect(acrossTheKill).toEqual({ types: ['ADDED'], names: expected, ordered: true });
    console.log(
      `faults A: watch on ${survivor.name} saw ${onSurvivor.names.length} ADDED; the dead replica's watcher saw ` +
        `${doomedEventsBeforeKill.length} before the kill and ${acrossTheKill.names.length - doomedEventsBeforeKill.length} after resuming`,
    );
    for (const watch of [survivorWatch, resumedWatch]) watch.stop();
  });

  it("carries on the controllers' work on the survivor: a new workspace becomes Ready", async () => {
    const tookMs = await workspaceBecomesReady(survivor, 'after-replica-kill');
    console.log(`faults A: a workspace created on the survivor was Ready after ${seconds(tookMs)}`);
  });
});

describe.skipIf(etcdMissing)('B: etcd loses its majority, then gets it back', () => {
  const before = 'before-outage';
  let outageWatches: RawWatch[] = [];
  let killed: EtcdMember[] = [];
  let expectedBefore: string[] = [];

  beforeAll(async () => {
    // Both replicas and all three members up again: the dead member rejoins, the dead replica restarts.
    await Promise.all(etcd.members.filter((member) => !member.running()).map((member) => member.restart()));
    for (const [i, replica] of replicas.entries()) {
      const alive = await get(replica, '/readyz', 2000);
      if (alive.answered) continue;
      replicas[i] = await startReplica(replica.name, replica.dataDir, etcd, KEY_PREFIX);
    }
  }, 60_000);

  afterAll(() => {
    for (const watch of outageWatches) watch.stop();
  });

  it('answers writes and current reads with 503 ServiceUnavailable, never older data, while the majority is gone', async () => {
    const made = await call(replicas[0]!, CONFIGMAPS, {
      token,
      method: 'POST',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: before } },
    });
    expect(made.answered && made.status, JSON.stringify(made)).toBe(201);
    // Every replica lists the same current data before the outage, including the marker.
    for (const replica of replicas) {
      const names = await eventually(
        async () => listedNames(await get(replica, CONFIGMAPS)),
        (n) => n?.includes(before) === true,
      );
      expect(names, replica.name).toContain(before);
      expectedBefore = names!;
    }
    const fromVersion = parsed<Listed>(await get(replicas[0]!, CONFIGMAPS))!.metadata.resourceVersion;
    outageWatches = await Promise.all(replicas.map((replica) => watchFrom(replica, fromVersion)));

    const leader = (await etcdLeader(etcd)) ?? etcd.members[0]!;
    killed = [leader, etcd.members.find((member) => member !== leader)!];
    const lostAt = performance.now();
    await Promise.all(killed.map((member) => member.kill9()));

    // Each replica is asked, again and again, to write and (separately) to read the current state, until it
    // has said 503 to each; every answer is kept.
    const until503 = async (ask: (n: number) => Promise<Outcome>) => {
      const outcomes: Outcome[] = [];
      for (let n = 0; since(lostAt) < 30_000; n++) {
        const outcome = await ask(n);
        outcomes.push(outcome);
        if (outcome.answered && outcome.status === 503) return { outcomes, firstAt: since(lostAt) };
        await sleep(200);
      }
      return { outcomes, firstAt: undefined };
    };
    const samples = await Promise.all(
      replicas.map(async (replica) => {
        const [writing, reading] = await Promise.all([
          until503((n) =>
            call(
              replica,
              CONFIGMAPS,
              {
                token,
                method: 'POST',
                body: {
                  apiVersion: 'v1',
                  kind: 'ConfigMap',
                  metadata: { name: `during-${replica.name}-${n}` },
                },
              },
              15_000,
            ),
          ),
          until503(() => get(replica, CONFIGMAPS, 15_000)),
        ]);
        const [writes, reads] = [writing.outcomes, reading.outcomes];
        const [writes503At, reads503At] = [writing.firstAt, reading.firstAt];
        // Once it says 503 for the current state, it keeps saying so while etcd is down.
        const later = await Promise.all(
          [0, 1, 2, 3, 4].map(async (i) => {
            await sleep(i * 300);
            return get(replica, `${CONFIGMAPS}/${before}`, 15_000);
          }),
        );
        return { replica, writes, reads, writes503At, reads503At, later };
      }),
    );

    for (const { replica, writes, reads, writes503At, reads503At, later } of samples) {
      // Bounded: every request was answered (no hang), writes all 503, reads 503 or the current data.
      expect(
        writes.filter((w) => !w.answered || w.status !== 503),
        `${replica.name} writes`,
      ).toEqual([]);
      expect(
        reads.filter((r) => {
          if (!r.answered) return true;
          if (r.status === 503) return false;
          return r.status !== 200 || listedNames(r)?.sort().join() !== [...expectedBefore].sort().join();
        }),
        `${replica.name} reads: 503 or the data as it is`,
      ).toEqual([]);
      expect(writes503At, `${replica.name}: a write got 503 within 30 s`).toBeDefined();
      expect(reads503At, `${replica.name}: a current read got 503 within 30 s`).toBeDefined();
      expect(later.map((outcome) => outcome.answered && outcome.status)).toEqual([503, 503, 503, 503, 503]);

      const refused = writes.at(-1)!;
      expect(refused.answered && refused.headers['retry-after']).toBe('1');
      expect(parsed<Status>(refused)).toMatchObject({
        kind: 'Status',
        code: 503,
        reason: 'ServiceUnavailable',
        // What happened and what it means for the change, in words: no gRPC internals.
        message: expect.stringMatching(
          /^storage is unavailable: etcd (did not answer within \d+ s; a change sent may or may not have been made|is unavailable: .+)$/,
        ),
      });
      const staleRead = later.at(-1)!;
      expect(parsed<Status>(staleRead)).toMatchObject({
        kind: 'Status',
        code: 503,
        reason: 'ServiceUnavailable',
        message: expect.stringMatching(/cannot confirm its data is current/),
      });
      console.log(
        `faults B: ${replica.name} answered writes 503 after ${seconds(writes503At!)} and current reads 503 after ` +
          `${seconds(reads503At!)} (${reads.filter((r) => r.answered && r.status === 200).length} reads before that ` +
          `served the unchanged data); write: "${parsed<Status>(refused)?.message}"; read: "${parsed<Status>(staleRead)?.message}"`,
      );
    }
  });

  it('serves writes, current reads, watches and controllers again once etcd has its quorum back, with the data from before', async () => {
    const backAt = performance.now();
    await Promise.all(killed.map((member) => member.restart()));
    const etcdBackMs = since(backAt);

    for (const replica of replicas) {
      const written = await eventually(
        () =>
          call(replica, CONFIGMAPS, {
            token,
            method: 'POST',
            body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `after-${replica.name}` } },
          }),
        (outcome) => outcome.answered && outcome.status !== 503,
        30_000,
      );
      // A create sent during the outage may yet have been made; this one is new either way.
      expect(written.answered && written.status, `${replica.name}: ${JSON.stringify(written)}`).toBe(201);
      const writesBackMs = since(backAt);
      const names = listedNames(await get(replica, CONFIGMAPS)) ?? [];
      expect(names).toEqual(expect.arrayContaining([...expectedBefore, `after-${replica.name}`]));
      console.log(
        `faults B: both members healthy ${seconds(etcdBackMs)} after their restart began; ${replica.name} ` +
          `took writes again ${seconds(writesBackMs - etcdBackMs)} after that; ` +
          `${names.filter((name) => name.startsWith('during-')).length} creates answered 503 during the outage had been made after all`,
      );
    }

    // The watches opened before the outage deliver what was written after it.
    for (const [i, watch] of outageWatches.entries()) {
      for (const replica of replicas)
        await watch.waitFor(
          (event) => event.type === 'ADDED' && nameOf(event as WatchEvent) === `after-${replica.name}`,
          30_000,
        );
      expect(addedInOrder(watch.events() as WatchEvent[], 'after-').ordered, replicas[i]!.name).toBe(true);
    }

    const holder = await eventually(
      () => leaseHolder(replicas[0]!),
      (replica) => replica !== undefined,
      30_000,
    );
    expect(holder).toBeDefined();
    const tookMs = await workspaceBecomesReady(replicas[1]!, 'after-outage');
    console.log(
      `faults B: ${holder!.name} holds the controllers Lease; a workspace created after the outage was Ready after ${seconds(tookMs)}`,
    );
  });
});

if (etcdMissing) console.warn(`skipping the fault tests: ${etcdMissing}`);
