#!/usr/bin/env node
// How long the platform's controllers go without a leader when the leading replica goes away (issue 14):
// two replicas, each an EtcdStore on one local etcd member, elect a leader on the controllers' Lease with
// the default timings (leaseDuration 6 s, renewDeadline 4 s, retryPeriod 1 s). Per round: the time from a
// graceful stop of the leader (controllers stopped, Lease released) to the other replica starting its
// controllers, and from a crash of the leader (its store closed, nothing released) to the same. Prints the
// median and the worst over rounds. Bounded: BENCH_LEADER_ROUNDS rounds (default 5), each wait given up
// after 20 s. Needs dist/ (npm run build) and /usr/bin/etcd (Debian's etcd-server).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/platform/', import.meta.url));
const { LeaderElector } = await import(path.join(dist, 'controllers', 'leader-election.js'));
const { EtcdStore } = await import(path.join(dist, 'storage', 'etcd', 'etcd-store.js'));
const { etcdMissing, startLocalEtcd } = await import(path.join(dist, 'storage', 'etcd', 'local-etcd.js'));

const rounds = Number(process.env.BENCH_LEADER_ROUNDS ?? 5);
const WAIT_LIMIT_MS = 20_000;

const missing = etcdMissing();
if (missing) {
  console.log(`skipped: ${missing}`);
  process.exit(0);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const etcd = await startLocalEtcd({ size: 1 });
let serial = 0;

async function startReplica() {
  const store = await EtcdStore.open({ endpoints: etcd.endpoints });
  const replica = { store, startedAt: undefined, elector: undefined };
  replica.elector = new LeaderElector({ store, identity: `bench-${serial++}`, onError: () => {} });
  replica.elector.run({
    onStartedLeading: () => (replica.startedAt = performance.now()),
    onStoppedLeading: () => {},
  });
  return replica;
}

async function leads(replica) {
  const deadline = performance.now() + WAIT_LIMIT_MS;
  while (replica.startedAt === undefined) {
    if (performance.now() > deadline) throw new Error('no replica took over within 20 s');
    await sleep(10);
  }
  return replica.startedAt;
}

/** A leader and a candidate that has been watching the Lease for a while, as in a running platform. */
async function pair() {
  const leader = await startReplica();
  await leads(leader);
  const candidate = await startReplica();
  // Somewhere within a renewal period, as a crash would fall.
  await sleep(1500 + Math.random() * 1000);
  return { leader, candidate };
}

const graceful = [];
const crash = [];
try {
  for (let round = 0; round < rounds; round++) {
    {
      const { leader, candidate } = await pair();
      const at = performance.now();
      await leader.elector.stop();
      graceful.push((await leads(candidate)) - at);
      leader.store.close();
      await candidate.elector.stop();
      candidate.store.close();
    }
    {
      const { leader, candidate } = await pair();
      const at = performance.now();
      leader.store.close();
      crash.push((await leads(candidate)) - at);
      await leader.elector.stop();
      await candidate.elector.stop();
      candidate.store.close();
    }
  }
} finally {
  await etcd.stop();
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const show = (label, values) =>
  console.log(
    `${label.padEnd(48)} median ${Math.round(median(values))} ms, worst ${Math.round(Math.max(...values))} ms`,
  );
console.log(
  `leader handover on etcd, ${rounds} rounds (leaseDuration 6 s, renewDeadline 4 s, retryPeriod 1 s)`,
);
show('leader stopped (released) -> next leads', graceful);
show('leader crashed (not released) -> next leads', crash);
