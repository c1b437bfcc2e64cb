#!/usr/bin/env node
// The two storage engines side by side at 10,000 objects: the SQLite ObjectStore (the embedded default)
// and the etcd engine on one local etcd member, with one replica and with two replicas writing at once.
// Writes/s (one object per transaction, as an API create makes them), point reads/s, and the latency of
// listing all 10,000 objects of one collection. Reads are in-process for both engines (SQLite's file,
// the etcd replica's mirror); the etcd range read of the same list shows what a read from etcd costs,
// and with two replicas, the median time from a write through replica A to its event on replica B.
// Needs dist/ (npm run build) and /usr/bin/etcd (Debian's etcd-server).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/platform/storage/', import.meta.url));
const { openDatabase } = await import(path.join(dist, 'database.js'));
const { EventLog } = await import(path.join(dist, 'event-log.js'));
const { ObjectStore } = await import(path.join(dist, 'object-store.js'));
const { EtcdStore } = await import(path.join(dist, 'etcd', 'etcd-store.js'));
const { etcdMissing, startLocalEtcd } = await import(path.join(dist, 'etcd', 'local-etcd.js'));

const OBJECTS = 10_000;
const TIMED_WRITES = Number(process.env.BENCH_STORAGE_WRITES ?? 2000);
const READS = 50_000;
const LIST_ROUNDS = 7;
/** Writes in flight at once against etcd, as concurrent API requests would keep them. */
const IN_FLIGHT = 32;

const scope = { cluster: 'bench', resource: 'configmaps', namespace: 'default' };
const key = (i) => ({ ...scope, name: `cm-${String(i).padStart(5, '0')}` });
const configMap = (i) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: key(i).name, namespace: 'default', labels: { app: 'bench' } },
  data: { index: String(i), payload: 'x'.repeat(200) },
});
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs `count` writes through `stores` (round robin), `inFlight` at a time; returns writes per second. */
async function timeWrites(stores, first, count, inFlight) {
  let next = first;
  const end = first + count;
  const started = performance.now();
  const worker = async (w) => {
    const store = stores[w % stores.length];
    for (let i = next++; i < end; i = next++) await store.transact((tx) => tx.put(key(i), configMap(i)));
  };
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  return count / ((performance.now() - started) / 1000);
}

/** Fills the collection up to OBJECTS in transactions of 200 (not timed). */
async function fill(store, from) {
  for (let start = from; start < OBJECTS; start += 200) {
    await store.transact((tx) => {
      for (let i = start; i < Math.min(start + 200, OBJECTS); i++) tx.put(key(i), configMap(i));
    });
  }
}

function timeReads(store) {
  const started = performance.now();
  for (let n = 0; n < READS; n++) {
    if (!store.get(key((n * 7919) % OBJECTS))) throw new Error('a written object is missing');
  }
  return READS / ((performance.now() - started) / 1000);
}

async function timeList(list) {
  const times = [];
  for (let round = 0; round < LIST_ROUNDS; round++) {
    const started = performance.now();
    const items = await list();
    times.push(performance.now() - started);
    if (items.length !== OBJECTS) throw new Error(`listed ${items.length} of ${OBJECTS}`);
  }
  return median(times);
}

/** Median milliseconds from a commit on replica A to its event on replica B, over sequential writes. */
async function timeCrossReplica(a, b) {
  const times = [];
  for (let n = 0; n < 200; n++) {
    const name = `lag-${n}`;
    const arrived = new Promise((resolve) => {
      const stop = b.events.subscribe((event) => {
        if (event.key.name === name) {
          stop();
          resolve(performance.now());
        }
      });
    });
    const started = performance.now();
    await a.transact((tx) => tx.put({ ...scope, namespace: 'lag', name }, configMap(n)));
    times.push((await arrived) - started);
  }
  return median(times);
}

async function benchSqlite() {
  const dir = mkdtempSync(path.join(tmpdir(), 'kplane-bench-sqlite-'));
  const db = openDatabase(path.join(dir, 'platform.db'));
  try {
    const store = new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db)));
    const writes = await timeWrites([store], 0, TIMED_WRITES, 1);
    await fill(store, TIMED_WRITES);
    return {
      writes,
      reads: timeReads(store),
      list: await timeList(() => store.list(scope)),
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchEtcd(replicas) {
  const etcd = await startLocalEtcd({ size: 1 });
  const stores = [];
  try {
    for (let r = 0; r < replicas; r++) stores.push(await EtcdStore.open({ endpoints: etcd.endpoints }));
    const writes = await timeWrites(stores, 0, TIMED_WRITES, IN_FLIGHT);
    await fill(stores[0], TIMED_WRITES);
    for (const store of stores) await store.syncToLatest();
    const rangeList = async () => {
      const entries = [];
      let page = { entries: [], more: true };
      while (page.more) {
        page = await stores[0].listAt(scope, 0, entries.at(-1)?.key, 500);
        entries.push(...page.entries);
      }
      return entries;
    };
    return {
      writes,
      reads: timeReads(stores.at(-1)),
      list: await timeList(() => stores.at(-1).list(scope)),
      rangeList: await timeList(rangeList),
      ...(replicas > 1 ? { crossReplica: await timeCrossReplica(stores[0], stores[1]) } : {}),
    };
  } finally {
    for (const store of stores) store.close();
    await etcd.stop();
  }
}

const rows = [['SQLite ObjectStore', await benchSqlite()]];
const missing = etcdMissing();
if (missing) {
  console.log(`etcd engine skipped: ${missing}`);
} else {
  rows.push([`etcd engine, 1 replica, ${IN_FLIGHT} writes in flight`, await benchEtcd(1)]);
  rows.push([`etcd engine, 2 replicas, ${IN_FLIGHT} writes in flight`, await benchEtcd(2)]);
}

const fixed = (n, digits = 0) => (n === undefined ? '-' : n.toFixed(digits));
console.log(`storage engines, ${OBJECTS} objects of one collection (${TIMED_WRITES} timed writes)`);
console.log(
  [
    'engine'.padEnd(44),
    'writes/s'.padStart(9),
    'reads/s'.padStart(10),
    'list ms'.padStart(8),
    'etcd range ms'.padStart(14),
    'A->B event ms'.padStart(14),
  ].join(''),
);
for (const [name, r] of rows) {
  console.log(
    [
      name.padEnd(44),
      fixed(r.writes).padStart(9),
      fixed(r.reads).padStart(10),
      fixed(r.list, 1).padStart(8),
      fixed(r.rangeList, 1).padStart(14),
      fixed(r.crossReplica, 1).padStart(14),
    ].join(''),
  );
}
