#!/usr/bin/env node
// The platform as clients see it, on each storage set-up in one run (issue 14): SQLite, etcd with one replica,
// and etcd with two replicas (every client spreads its requests over both). Real platform processes on
// loopback, each etcd set-up with a local etcd of its own, all through HTTPS as the admin with keep-alive
// connections and IN_FLIGHT requests at a time:
// - creates per second while filling one namespace of one workspace with OBJECTS config maps, point GETs per
//   second, with each request's p50/p99 (under that load);
// - listing all OBJECTS: one JSON list, and kubectl's way (pages of limit=500 followed by continue tokens);
// - watch fan-out: WATCHERS watch streams on one collection (spread over the replicas) and a writer: the time
//   from a create's acknowledgement to its event at every watcher (sequential creates, p50/p99; a value at or
//   below 0 means the platform had sent the event to every watcher before the client read the answer), then
//   IN_FLIGHT writers at full speed and the events delivered per second to all watchers together; and each
//   platform process's resident memory before and with the watches open.
// The set-ups run side by side and their phases interleave in rounds, so a busy moment on this shared machine
// hits each alike. The bench process (TLS, JSON) shares the cores with the platforms and etcd: figures are
// for all of it on one machine, not for a server alone.
//
// Knobs (scale down on a slow machine): BENCH_PLATFORM_OBJECTS (10000), BENCH_PLATFORM_GETS (5000),
// BENCH_PLATFORM_LISTS (5 of each kind), BENCH_WATCHERS (100), BENCH_WATCH_WRITES (200),
// BENCH_WATCH_SUSTAINED (1000 creates), BENCH_PLATFORM_SETUPS (sqlite,etcd-1,etcd-2).
// Needs dist/ (npm run build) and, for the etcd set-ups, /usr/bin/etcd (Debian's etcd-server).
import { Buffer } from 'node:buffer';
import { readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { startBenchPlatform } from './platform.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const { etcdMissing, startLocalEtcd } = await import(
  path.join(repoRoot, 'dist', 'platform', 'storage', 'etcd', 'local-etcd.js')
);

const knob = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name}=${process.env[name]}: give a whole number of at least 1`);
    process.exit(2);
  }
  return value;
};
const OBJECTS = knob('BENCH_PLATFORM_OBJECTS', 10_000);
const GETS = knob('BENCH_PLATFORM_GETS', 5_000);
const LIST_ROUNDS = knob('BENCH_PLATFORM_LISTS', 5);
const WATCHERS = knob('BENCH_WATCHERS', 100);
const WATCH_WRITES = knob('BENCH_WATCH_WRITES', 200);
const SUSTAINED_WRITES = knob('BENCH_WATCH_SUSTAINED', 1_000);
/** Requests in flight at once, as a busy set of controllers and users would keep them. */
const IN_FLIGHT = 32;
/** Each measured phase is cut in this many rounds, taken in turn by every set-up. */
const ROUNDS = 5;
/** What kubectl asks for (`get` pages with limit=500). */
const PAGE = 500;
const WAIT_LIMIT_MS = 120_000;

const SETUPS = {
  sqlite: { label: 'SQLite', etcd: false, replicas: 1 },
  'etcd-1': { label: 'etcd, 1 replica', etcd: true, replicas: 1 },
  'etcd-2': { label: 'etcd, 2 replicas', etcd: true, replicas: 2 },
};
const chosen = (process.env.BENCH_PLATFORM_SETUPS ?? Object.keys(SETUPS).join(',')).split(',');
const unknown = chosen.filter((name) => !(name in SETUPS));
if (unknown.length > 0) {
  console.error(`unknown set-up ${unknown.join(', ')}: choose from ${Object.keys(SETUPS).join(', ')}`);
  process.exit(2);
}

const NAMESPACE = '/clusters/root/api/v1/namespaces';
const filled = `${NAMESPACE}/default/configmaps`;
const watched = `${NAMESPACE}/fanout/configmaps`;
const configMap = (name, i) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { index: String(i), payload: 'x'.repeat(200) },
});
const objectName = (i) => `cm-${String(i).padStart(5, '0')}`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** `promise`, or a rejection naming `what` after `ms`; the timer is cleared so it never holds the process. */
async function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(what())), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
const sorted = (values) => [...values].sort((a, b) => a - b);
const percentile = (values, p) => {
  const s = sorted(values);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
};
const median = (values) => percentile(values, 50);

/** One request as the admin; a 503 (a replica that cannot vouch its data is current) is counted and retried. */
function send(setup, replica, method, urlPath, body) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const once = () =>
    new Promise((resolve, reject) => {
      const req = request(
        new URL(urlPath, replica.url),
        {
          method,
          ca: replica.ca,
          agent: replica.agent,
          headers: {
            authorization: `Bearer ${replica.token}`,
            accept: 'application/json',
            ...(text ? { 'content-type': 'application/json' } : {}),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  return (async () => {
    for (let attempt = 0; ; attempt++) {
      const answer = await once();
      if (answer.status < 300) return answer.text;
      if (answer.status === 503 && attempt < 20) {
        setup.unavailable++;
        await sleep(50);
        continue;
      }
      throw new Error(`${setup.label}: ${method} ${urlPath}: ${answer.status} ${answer.text.slice(0, 300)}`);
    }
  })();
}

/**
 * Runs `count` requests made by `make(i)` with IN_FLIGHT at a time, request i through replica i mod n.
 * Returns the seconds it took and each request's milliseconds.
 */
async function load(setup, first, count, make) {
  let next = first;
  const end = first + count;
  const latencies = [];
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < end; i = next++) {
      const [method, urlPath, body] = make(i);
      const sent = performance.now();
      await send(setup, setup.replicas[i % setup.replicas.length], method, urlPath, body);
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { seconds: (performance.now() - started) / 1000, latencies };
}

async function startSetup(name) {
  const spec = SETUPS[name];
  const setup = { name, ...spec, replicas: [], unavailable: 0, watchers: [] };
  try {
    let storageArgs = [];
    if (spec.etcd) {
      setup.etcdCluster = await startLocalEtcd({ size: 1 });
      storageArgs = ['--storage', 'etcd', '--etcd-endpoints', setup.etcdCluster.endpoints.join(',')];
    }
    for (let r = 0; r < spec.replicas; r++) {
      const replicaArgs = spec.replicas > 1 ? ['--replica-id', `r${r + 1}`] : [];
      setup.replicas.push(
        await startBenchPlatform(repoRoot, {
          maxSockets: IN_FLIGHT,
          args: [...storageArgs, ...replicaArgs],
          // The second replica finds the first's certificates and admin token in the shared folder.
          dataDir: setup.replicas[0]?.dataDir,
        }),
      );
    }
    await send(setup, setup.replicas[0], 'POST', NAMESPACE, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'fanout' },
    });
    return setup;
  } catch (err) {
    await stopSetup(setup);
    throw err;
  }
}

async function stopSetup(setup) {
  for (const watcher of setup.watchers) watcher.close();
  setup.watchAgent?.destroy();
  for (const replica of setup.replicas) {
    replica.agent.destroy();
    if (replica.child.exitCode === null && replica.child.signalCode === null) {
      const exited = new Promise((resolve) => replica.child.once('exit', resolve));
      replica.child.kill('SIGTERM');
      await within(exited, 10_000, () => 'no exit').catch(() => replica.child.kill('SIGKILL'));
    }
  }
  if (setup.replicas[0]) rmSync(setup.replicas[0].dataDir, { recursive: true, force: true });
  await setup.etcdCluster?.stop();
}

/** Resident memory of each replica's process, in MB. */
const residentMb = (setup) =>
  setup.replicas.map((replica) => {
    const status = readFileSync(`/proc/${replica.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
  });

/** Until every replica lists `count` objects: a replica serves from its own copy of etcd's data. */
async function untilAllList(setup, count) {
  const deadline = performance.now() + WAIT_LIMIT_MS;
  for (const replica of setup.replicas) {
    for (;;) {
      const list = JSON.parse(await send(setup, replica, 'GET', filled));
      if (list.items.length === count) break;
      if (performance.now() > deadline)
        throw new Error(`${setup.label}: a replica lists ${list.items.length} of ${count}`);
      await sleep(100);
    }
  }
}

async function pagedList(setup, replica) {
  let count = 0;
  let token = '';
  do {
    const query = `?limit=${PAGE}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
    const page = JSON.parse(await send(setup, replica, 'GET', `${filled}${query}`));
    count += page.items.length;
    token = page.metadata.continue ?? '';
  } while (token);
  return count;
}

/**
 * A watch on the fan-out collection through `replica`. Each event's object name goes to the set-up's
 * `onEvent` (the first "name" of the line is metadata.name: a ConfigMap's JSON starts with its metadata), so
 * the bench does no JSON parsing per event.
 */
function openWatcher(setup, replica, agent) {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(`${watched}?watch=1`, replica.url),
      { ca: replica.ca, agent, headers: { authorization: `Bearer ${replica.token}` } },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`${setup.label}: watch answered ${res.statusCode}`));
          return;
        }
        const watcher = { closed: false, close: () => req.destroy() };
        res.setEncoding('utf8');
        let pending = '';
        res.on('data', (chunk) => {
          const at = performance.now();
          pending += chunk;
          let newline;
          while ((newline = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, newline);
            pending = pending.slice(newline + 1);
            const name = /"name":"([^"]+)"/.exec(line)?.[1];
            if (name) setup.onEvent(name, at);
          }
        });
        res.on('close', () => (watcher.closed = true));
        resolve(watcher);
      },
    );
    req.on('error', (err) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end();
  });
}

/** Resolves with the time `name`'s event had reached every watcher. */
function arrivalAtAll(setup, name) {
  return new Promise((resolve, reject) => {
    let missing = WATCHERS;
    const timer = setTimeout(
      () => reject(new Error(`${setup.label}: ${name} reached ${WATCHERS - missing} watchers`)),
      WAIT_LIMIT_MS,
    );
    timer.unref();
    setup.expect.set(name, (at) => {
      if (--missing > 0) return;
      clearTimeout(timer);
      setup.expect.delete(name);
      resolve(at);
    });
  });
}

function ensureWatchersOpen(setup) {
  const closed = setup.watchers.filter((watcher) => watcher.closed).length;
  if (closed > 0) throw new Error(`${setup.label}: the platform closed ${closed} watches`);
}

const setups = [];
const stopAll = async () => {
  for (const setup of setups) await stopSetup(setup);
};
// A Ctrl-C must not leave platforms behind (local-etcd.js kills its etcd on exit).
process.once('SIGINT', () => process.exit(130));
process.once('exit', () => {
  for (const setup of setups) for (const replica of setup.replicas) replica.child.kill('SIGKILL');
});

const loadBefore = os.loadavg();
const wallStarted = performance.now();
const results = new Map();
try {
  const missing = etcdMissing();
  for (const name of chosen) {
    if (SETUPS[name].etcd && missing) {
      console.log(`${SETUPS[name].label} skipped: ${missing}`);
      continue;
    }
    setups.push(await startSetup(name));
  }
  for (const setup of setups)
    results.set(setup, {
      creates: { seconds: 0, latencies: [] },
      gets: { seconds: 0, latencies: [] },
      list: [],
      paged: [],
      fanout: [],
    });
  const add = (into, measured) => {
    into.seconds += measured.seconds;
    into.latencies.push(...measured.latencies);
  };

  // Creates until the namespace holds OBJECTS, in rounds taken in turn.
  for (let round = 0; round < ROUNDS; round++) {
    const first = Math.floor((OBJECTS * round) / ROUNDS);
    const count = Math.floor((OBJECTS * (round + 1)) / ROUNDS) - first;
    for (const setup of setups)
      add(
        results.get(setup).creates,
        await load(setup, first, count, (i) => ['POST', filled, configMap(objectName(i), i)]),
      );
  }
  for (const setup of setups) await untilAllList(setup, OBJECTS);

  for (let round = 0; round < ROUNDS; round++) {
    const count = Math.ceil(GETS / ROUNDS);
    for (const setup of setups)
      add(
        results.get(setup).gets,
        await load(setup, round * count, count, (i) => [
          'GET',
          `${filled}/${objectName((i * 7919) % OBJECTS)}`,
        ]),
      );
  }

  for (let round = 0; round < LIST_ROUNDS; round++) {
    for (const setup of setups) {
      const replica = setup.replicas[round % setup.replicas.length];
      let started = performance.now();
      const list = JSON.parse(await send(setup, replica, 'GET', filled));
      results.get(setup).list.push(performance.now() - started);
      started = performance.now();
      const paged = await pagedList(setup, replica);
      results.get(setup).paged.push(performance.now() - started);
      if (list.items.length !== OBJECTS || paged !== OBJECTS)
        throw new Error(`${setup.label}: listed ${list.items.length} and ${paged} of ${OBJECTS}`);
    }
  }

  // Watch fan-out: one connection per watch, as separate clients would hold them.
  for (const setup of setups) {
    results.get(setup).rssBefore = residentMb(setup);
    setup.expect = new Map();
    setup.onEvent = (name, at) => setup.expect.get(name)?.(at);
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    setup.watchAgent = agent;
    for (let w = 0; w < WATCHERS; w++)
      setup.watchers.push(await openWatcher(setup, setup.replicas[w % setup.replicas.length], agent));
  }
  for (let round = 0; round < ROUNDS; round++) {
    const first = Math.floor((WATCH_WRITES * round) / ROUNDS);
    const end = Math.floor((WATCH_WRITES * (round + 1)) / ROUNDS);
    for (const setup of setups) {
      for (let n = first; n < end; n++) {
        const name = `ack-${n}`;
        const everywhere = arrivalAtAll(setup, name);
        const replica = setup.replicas[n % setup.replicas.length];
        await send(setup, replica, 'POST', watched, configMap(name, n));
        const acknowledged = performance.now();
        results.get(setup).fanout.push((await everywhere) - acknowledged);
      }
    }
  }
  for (const setup of setups) {
    ensureWatchersOpen(setup);
    results.get(setup).rssWatching = residentMb(setup);
  }

  // Sustained: IN_FLIGHT writers at full speed; every event counted at every watcher.
  for (const setup of setups) {
    const expected = SUSTAINED_WRITES * WATCHERS;
    let delivered = 0;
    let lastAt = 0;
    let done;
    const allDelivered = new Promise((resolve) => (done = resolve));
    setup.onEvent = (name, at) => {
      if (!name.startsWith('sus-')) return;
      lastAt = at;
      if (++delivered === expected) done();
    };
    const started = performance.now();
    const writes = await load(setup, 0, SUSTAINED_WRITES, (i) => ['POST', watched, configMap(`sus-${i}`, i)]);
    await within(
      allDelivered,
      WAIT_LIMIT_MS,
      () => `${setup.label}: ${delivered} of ${expected} events delivered`,
    );
    ensureWatchersOpen(setup);
    results.get(setup).sustained = {
      writesPerSecond: SUSTAINED_WRITES / writes.seconds,
      eventsPerSecond: expected / ((lastAt - started) / 1000),
    };
  }
} finally {
  await stopAll();
}

const loadAfter = os.loadavg();
const ms = (value) => (value < 10 ? value.toFixed(2) : value.toFixed(0));
const mb = (values) => values.map((value) => value.toFixed(0)).join(' + ');
const rows = [
  [
    `creates/s (${IN_FLIGHT} in flight, filling to ${OBJECTS})`,
    (r) => (r.creates.latencies.length / r.creates.seconds).toFixed(0),
  ],
  [
    'create p50 / p99 ms',
    (r) => `${ms(median(r.creates.latencies))} / ${ms(percentile(r.creates.latencies, 99))}`,
  ],
  [`GETs/s (${IN_FLIGHT} in flight)`, (r) => (r.gets.latencies.length / r.gets.seconds).toFixed(0)],
  ['GET p50 / p99 ms', (r) => `${ms(median(r.gets.latencies))} / ${ms(percentile(r.gets.latencies, 99))}`],
  [`list ${OBJECTS}, one JSON answer, median ms`, (r) => ms(median(r.list))],
  [`list ${OBJECTS}, pages of ${PAGE}, median ms`, (r) => ms(median(r.paged))],
  [
    `create ack -> event at all ${WATCHERS} watchers, p50 / p99 ms`,
    (r) => `${ms(median(r.fanout))} / ${ms(percentile(r.fanout, 99))}`,
  ],
  [
    `creates/s with ${WATCHERS} watchers (${IN_FLIGHT} in flight)`,
    (r) => r.sustained.writesPerSecond.toFixed(0),
  ],
  [`watch events delivered/s (all ${WATCHERS} watchers)`, (r) => r.sustained.eventsPerSecond.toFixed(0)],
  ['platform RSS MB after the fill', (r) => mb(r.rssBefore)],
  [`platform RSS MB with ${WATCHERS} watches open`, (r) => mb(r.rssWatching)],
];
const columns = setups.map((setup) => setup.label);
const width = Math.max(...rows.map(([label]) => label.length));
const cellWidth = 18;
console.log(
  `\nPlatform over HTTPS on each storage set-up, ${process.version}, ${os.cpus().length} cores; ` +
    `load average ${loadBefore.map((n) => n.toFixed(2)).join(' ')} before, ` +
    `${loadAfter.map((n) => n.toFixed(2)).join(' ')} after; ${((performance.now() - wallStarted) / 1000).toFixed(0)} s\n`,
);
console.log(`| ${'measure'.padEnd(width)} | ${columns.map((c) => c.padStart(cellWidth)).join(' | ')} |`);
console.log(`|${'-'.repeat(width + 2)}|${columns.map(() => `${'-'.repeat(cellWidth + 1)}:`).join('|')}|`);
for (const [label, cell] of rows)
  console.log(
    `| ${label.padEnd(width)} | ${setups.map((s) => cell(results.get(s)).padStart(cellWidth)).join(' | ')} |`,
  );
const retried = setups.filter((setup) => setup.unavailable > 0);
for (const setup of retried) console.log(`${setup.label}: ${setup.unavailable} answers of 503 retried`);
