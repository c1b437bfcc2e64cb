#!/usr/bin/env node
// The cluster index and the token store on both engines, each holding CLUSTERS clusters and TOKENS
// tokens: what every request pays (resolve a path, an id, a miss; find a token), what a TokenRequest
// pays (addDroppingExpired: a scan for expired bound tokens, then one write), and on etcd the median
// time from a token minted through replica A until replica B accepts it.
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
const { SqliteClusterIndex } = await import(path.join(dist, 'cluster-index.js'));
const { SqliteTokenStore } = await import(path.join(dist, 'token-store.js'));
const { EtcdStore } = await import(path.join(dist, 'etcd', 'etcd-store.js'));
const { EtcdClusterIndex } = await import(path.join(dist, 'etcd', 'etcd-cluster-index.js'));
const { EtcdTokenStore } = await import(path.join(dist, 'etcd', 'etcd-token-store.js'));
const { etcdMissing, startLocalEtcd } = await import(path.join(dist, 'etcd', 'local-etcd.js'));

const CLUSTERS = 1000;
const TOKENS = 1000;
const LOOKUPS = 100_000;
const MINTS = 100;

const id = (i) => `c${String(i).padStart(15, '0')}`;
const clusterPath = (i) => `root:team-${i}`;
const hash = (i) => `h${String(i).padStart(63, '0')}`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function perSecond(lookup) {
  const started = performance.now();
  for (let n = 0; n < LOOKUPS; n++) lookup((n * 7919) % CLUSTERS);
  return LOOKUPS / ((performance.now() - started) / 1000);
}

async function fill(transact, clusters, tokens) {
  // In batches: etcd takes at most --max-txn-ops operations in one transaction.
  for (let start = 0; start < CLUSTERS; start += 100)
    await transact(() => {
      for (let i = start; i < start + 100; i++) clusters.add({ id: id(i), path: clusterPath(i) });
    });
  // Half are service-account tokens, bound and still valid: the expiry scan reads them all.
  for (let i = 0; i < TOKENS; i++)
    await tokens.add({
      hash: hash(i),
      user: `user-${i}`,
      groups: ['dev'],
      ...(i % 2 ? { expiresAt: Date.now() + 3_600_000, boundTo: { cluster: id(i), uid: `u${i}` } } : {}),
    });
}

async function measure(clusters, tokens) {
  const check = (value) => {
    if (!value) throw new Error('a written record is missing');
  };
  const result = {
    path: perSecond((i) => check(clusters.resolve(clusterPath(i)))),
    id: perSecond((i) => check(clusters.resolve(id(i)))),
    miss: perSecond((i) => clusters.resolve(`root:nope-${i}`)),
    find: perSecond((i) => check(tokens.find(hash(i)))),
  };
  const mints = [];
  for (let n = 0; n < MINTS; n++) {
    const started = performance.now();
    await tokens.addDroppingExpired({
      hash: `mint-${n}`,
      user: 'system:serviceaccount:ci:bot',
      groups: [],
      expiresAt: Date.now() + 3_600_000,
      boundTo: { cluster: id(0), uid: 'u0' },
    });
    mints.push(performance.now() - started);
  }
  return { ...result, mint: median(mints) };
}

async function benchSqlite() {
  const dir = mkdtempSync(path.join(tmpdir(), 'kplane-bench-index-'));
  const db = openDatabase(path.join(dir, 'platform.db'));
  try {
    const store = new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db)));
    const [clusters, tokens] = [new SqliteClusterIndex(db), new SqliteTokenStore(db)];
    await fill(async (work) => store.transact(work), clusters, tokens);
    return await measure(clusters, tokens);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchEtcd() {
  const etcd = await startLocalEtcd({ size: 1 });
  const stores = [];
  try {
    for (let r = 0; r < 2; r++) stores.push(await EtcdStore.open({ endpoints: etcd.endpoints }));
    const [a, b] = stores;
    const clusters = new EtcdClusterIndex(a);
    const [tokensA, tokensB] = [new EtcdTokenStore(a), new EtcdTokenStore(b)];
    await fill((work) => a.transact(work), clusters, tokensA);
    await b.syncToLatest();
    const result = await measure(new EtcdClusterIndex(b), tokensB);
    const lags = [];
    for (let n = 0; n < MINTS; n++) {
      const started = performance.now();
      await tokensA.add({ hash: `lag-${n}`, user: 'alice', groups: [] });
      while (!tokensB.find(`lag-${n}`)) await new Promise((resolve) => setTimeout(resolve, 0));
      lags.push(performance.now() - started);
    }
    return { ...result, lag: median(lags) };
  } finally {
    for (const store of stores) store.close();
    await etcd.stop();
  }
}

const rows = [['SQLite', await benchSqlite()]];
const missing = etcdMissing();
if (missing) console.log(`etcd engine skipped: ${missing}`);
else rows.push(['etcd (read on replica B)', await benchEtcd()]);

const fixed = (n, digits = 0) => (n === undefined ? '-' : n.toFixed(digits));
console.log(`cluster index and tokens, ${CLUSTERS} clusters and ${TOKENS} tokens (lookups per second)`);
const columns = ['resolve path', 'resolve id', 'resolve miss', 'find token', 'mint SA ms', 'A->B ms'];
console.log(['engine'.padEnd(26), ...columns.map((c) => c.padStart(14))].join(''));
for (const [name, r] of rows)
  console.log(
    [
      name.padEnd(26),
      ...[r.path, r.id, r.miss, r.find].map((n) => fixed(n).padStart(14)),
      fixed(r.mint, 2).padStart(14),
      fixed(r.lag, 2).padStart(14),
    ].join(''),
  );
