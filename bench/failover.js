#!/usr/bin/env node
// Failover, as a user waits for it: an app (Deployment + Service + ConfigMap) placed on one of three
// clusters, each joined by a real `kplane agent` process with a 1 s lease (grace 5 s, OCM's 5 x lease);
// SIGKILL the agent of the decided cluster and time until the app is Available on another cluster
// (the placement moved, the ManifestWorkReplicaSet wrote the work, the new agent applied it and
// reported). Prints the median over rounds of that time and of the part beyond the grace period
// (the hub counts the grace from the last renewal, which came up to a second before the kill);
// the killed agent is started again between rounds. Members are workspaces of the same platform.
// Bounded: BENCH_FAILOVER_ROUNDS rounds (default 5), each given up after 30 s.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startBenchPlatform } from './platform.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.env.BENCH_FAILOVER_ROUNDS ?? 5);
const LEASE_SECONDS = 1;
const GRACE_MS = 5 * LEASE_SECONDS * 1000;
const CLUSTERS = ['fo-1', 'fo-2', 'fo-3'];
const ROUND_LIMIT_MS = 30_000;
const AVAILABLE = 'ManagedClusterConditionAvailable';
const CLUSTER_API = '/apis/cluster.open-cluster-management.io';
const WORK_API = '/apis/work.open-cluster-management.io';

const platform = await startBenchPlatform(repoRoot);
const agents = new Map();

function call(method, urlPath, body) {
  const url = new URL(platform.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: urlPath,
        method,
        ca: platform.ca,
        agent: platform.agent,
        headers: {
          Authorization: `Bearer ${platform.token}`,
          Accept: 'application/json',
          'Content-Type': 'application/json',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
async function mustCreate(urlPath, body) {
  const res = await call('POST', urlPath, body);
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`POST ${urlPath}: ${JSON.stringify(res.body)}`);
}
const get = async (urlPath) => {
  const res = await call('GET', urlPath);
  return res.status === 200 ? res.body : undefined;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(read, ok, what) {
  const deadline = performance.now() + ROUND_LIMIT_MS;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(25);
  }
}

function kubeconfig(workspace) {
  const file = path.join(platform.dataDir, `${workspace.replaceAll(':', '_')}.kubeconfig`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'c',
        cluster: {
          server: `${platform.url}/clusters/${workspace}`,
          'certificate-authority': path.join(platform.dataDir, 'ca.crt'),
        },
      },
    ],
    users: [{ name: 'u', user: { token: platform.token } }],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'c',
  };
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}

function startAgent(cluster) {
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'bin', 'run.js'),
      'agent',
      '--cluster-name',
      cluster,
      '--hub-kubeconfig',
      kubeconfig('root:compute'),
      '--member-kubeconfig',
      kubeconfig(`root:m-${cluster}`),
      '--label',
      'region=bench',
      '--capacity',
      'cpu=4',
      '--auto-accept',
      '--lease-seconds',
      String(LEASE_SECONDS),
      '--resync-seconds',
      '1',
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  agents.set(cluster, child);
  return child;
}

const clusterHealthy = async (name) => {
  const cluster = await get(`/clusters/root:compute${CLUSTER_API}/v1/managedclusters/${name}`);
  const available = cluster?.status?.conditions?.find((c) => c.type === AVAILABLE)?.status;
  return available === 'True' && !(cluster?.spec?.taints ?? []).length;
};
const decidedCluster = async () => {
  const list = await get(`/clusters/root${CLUSTER_API}/v1beta1/namespaces/default/placementdecisions`);
  return list?.items?.flatMap((pd) => pd.status?.decisions ?? [])[0]?.clusterName;
};
/** Whether the cluster's agent reports the app's work Available. */
const workAvailable = async (cluster) => {
  const list = await get(`/clusters/root:compute${WORK_API}/v1/namespaces/${cluster}/manifestworks`);
  return (list?.items ?? []).some(
    (work) =>
      work.metadata.deletionTimestamp === undefined &&
      work.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True'),
  );
};
const leaseRenewedAt = async (cluster) => {
  const lease = await get(
    `/clusters/root:compute/apis/coordination.k8s.io/v1/namespaces/${cluster}/leases/managed-cluster-lease`,
  );
  return Date.parse(lease?.spec?.renewTime ?? '');
};

async function setUp() {
  for (const cluster of CLUSTERS)
    await mustCreate(`/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces`, {
      apiVersion: 'tenancy.kcp.io/v1alpha1',
      kind: 'Workspace',
      metadata: { name: `m-${cluster}` },
      spec: { type: { name: 'universal', path: 'root' } },
    });
  for (const cluster of CLUSTERS)
    await until(
      () => get(`/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/m-${cluster}`),
      (ws) => ws?.status?.phase === 'Ready',
      `workspace m-${cluster}`,
    );
  for (const cluster of CLUSTERS) startAgent(cluster);
  for (const cluster of CLUSTERS) await until(() => clusterHealthy(cluster), Boolean, `cluster ${cluster}`);
  await mustCreate(`/clusters/root${CLUSTER_API}/v1beta2/namespaces/default/managedclustersetbindings`, {
    metadata: { name: 'global' },
    spec: { clusterSet: 'global' },
  });
  await mustCreate(`/clusters/root${CLUSTER_API}/v1beta1/namespaces/default/placements`, {
    metadata: { name: 'web' },
    spec: {
      numberOfClusters: 1,
      predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { region: 'bench' } } } }],
    },
  });
  await mustCreate(`/clusters/root${WORK_API}/v1alpha1/namespaces/default/manifestworkreplicasets`, {
    metadata: { name: 'web' },
    spec: {
      placementRefs: [{ name: 'web' }],
      manifestWorkTemplate: {
        workload: {
          manifests: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: { name: 'web' },
              spec: {
                replicas: 1,
                selector: { matchLabels: { app: 'web' } },
                template: {
                  metadata: { labels: { app: 'web' } },
                  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
                },
              },
            },
            {
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name: 'web' },
              spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
            },
            { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { color: 'blue' } },
          ],
        },
      },
    },
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  await setUp();
  const totals = [];
  const beyondExpiry = [];
  for (let round = 0; round < rounds; round++) {
    const victim = await until(decidedCluster, Boolean, 'a decision');
    await until(() => workAvailable(victim), Boolean, `the app on ${victim}`);
    const renewedAt = await leaseRenewedAt(victim);
    const killedAt = performance.now();
    const killedWall = Date.now();
    agents.get(victim).kill('SIGKILL');
    const replacement = await until(
      decidedCluster,
      (name) => name !== undefined && name !== victim,
      'the placement to move',
    );
    await until(() => workAvailable(replacement), Boolean, `the app on ${replacement}`);
    const total = performance.now() - killedAt;
    totals.push(total);
    // The lease's real expiry: its last renewal (before the kill) plus the grace period.
    beyondExpiry.push(killedWall + total - (renewedAt + GRACE_MS));
    console.log(
      `round ${round + 1}: ${victim} -> ${replacement}: ${(total / 1000).toFixed(2)} s after SIGKILL`,
    );
    startAgent(victim);
    await until(() => clusterHealthy(victim), Boolean, `${victim} back`);
  }
  console.log(
    `failover (lease ${LEASE_SECONDS} s, grace ${GRACE_MS / 1000} s, median of ${rounds} rounds): ` +
      `SIGKILL to the app available on another cluster ${(median(totals) / 1000).toFixed(2)} s; ` +
      `${(median(beyondExpiry) / 1000).toFixed(2)} s beyond the grace period, counted as the hub counts it ` +
      `from the agent's last lease renewal (aim: under 5 s)`,
  );
} finally {
  for (const child of agents.values()) child.kill('SIGKILL');
  platform.child.kill('SIGTERM');
  await new Promise((resolve) => platform.child.once('exit', resolve));
  rmSync(platform.dataDir, { recursive: true, force: true });
}
