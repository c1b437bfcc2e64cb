#!/usr/bin/env node
// One deploy to a fleet of dev members, as `kplane dev up --demo` runs them but a hundred of them: a platform (the
// hub), one member-mode server for all members, and one process running an agent loop per member (the agents
// `kplane agent` runs). Measures, from the POST of a ManifestWorkReplicaSet of a 3-object app (Deployment,
// Service, ConfigMap) placed on every member, the time until every cluster reports the work available; and the
// resident memory of the three processes afterwards. Aim (issue 12): under 10 s for 100 members.
// Bounded: BENCH_FLEET_MEMBERS members (default 100), BENCH_FLEET_TIMEOUT_S seconds per wait (default 120).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const memberCount = Number(process.env.BENCH_FLEET_MEMBERS ?? 100);
const timeoutMs = Number(process.env.BENCH_FLEET_TIMEOUT_S ?? 120) * 1000;
const work = mkdtempSync(path.join(os.tmpdir(), 'kplane-bench-fleet-'));
const children = [];

/** `node ARGS…` with its ready line parsed; stderr goes to a log file in the work folder. */
function startProcess(name, args) {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_FLEET_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_FLEET_PROFILE}`]
        : []),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${log}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve({ child, ready: JSON.parse(out.slice(0, out.indexOf('\n'))) });
    });
  });
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024);
}

/** User plus system CPU seconds a process has used: unlike wall time, not inflated by a busy machine. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, the 14th and 15th fields, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  const hubDir = path.join(work, 'hub');
  const hub = await startProcess('platform', [
    path.join(repoRoot, 'dist', 'platform', 'main.js'),
    '--port',
    '0',
    '--data-dir',
    hubDir,
  ]);
  const ca = readFileSync(path.join(hubDir, 'ca.crt'));
  const token = readFileSync(path.join(hubDir, 'admin.token'), 'utf8').trim();
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const api = (method, urlPath, body) =>
    new Promise((resolve, reject) => {
      const req = request(
        `${hub.ready.url}${urlPath}`,
        {
          method,
          ca,
          agent,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () =>
            res.statusCode < 300
              ? resolve(JSON.parse(text))
              : reject(new Error(`${method} ${urlPath}: ${res.statusCode} ${text}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  const membersFile = path.join(work, 'members.json');
  writeFileSync(
    membersFile,
    JSON.stringify(
      Array.from({ length: memberCount }, (_, i) => ({
        name: `member-${String(i).padStart(3, '0')}`,
        labels: { fleet: 'bench', region: `region-${i % 5}` },
        capacity: { cpu: '16', memory: '64Gi' },
      })),
    ),
  );
  const members = await startProcess('members', [
    path.join(repoRoot, 'dist', 'platform', 'main.js'),
    '--members',
    membersFile,
    '--port',
    '0',
    '--data-dir',
    path.join(work, 'members'),
    '--exit-with',
    String(hub.ready.pid),
  ]);

  // The agents' hub kubeconfig, as dev up writes it: the admin's, pointed at root:compute.
  const hubConfig = parse(readFileSync(hub.ready.kubeconfig, 'utf8'));
  for (const entry of hubConfig.clusters) entry.cluster.server = `${hub.ready.url}/clusters/root:compute`;
  const hubKubeconfig = path.join(work, 'hub.kubeconfig');
  writeFileSync(hubKubeconfig, stringify(hubConfig), { mode: 0o600 });
  const fleetFile = path.join(work, 'fleet.json');
  writeFileSync(
    fleetFile,
    JSON.stringify({
      hubKubeconfig,
      leaseSeconds: 60,
      resyncSeconds: 300,
      members: members.ready.members.map(({ name, kubeconfig, labels }) => ({ name, kubeconfig, labels })),
    }),
  );
  const joinStarted = Date.now();
  const agents = await startProcess('agents', [
    path.join(repoRoot, 'dist', 'devplatform', 'agent-fleet-main.js'),
    '--fleet',
    fleetFile,
    '--exit-with',
    String(hub.ready.pid),
  ]);

  const compute = '/clusters/root:compute/apis/cluster.open-cluster-management.io/v1/managedclusters';
  const available = (cluster) =>
    cluster.status?.conditions?.some(
      (c) => c.type === 'ManagedClusterConditionAvailable' && c.status === 'True',
    );
  for (let deadline = Date.now() + timeoutMs; ;) {
    const clusters = (await api('GET', compute)).items.filter(available);
    if (clusters.length === memberCount) break;
    if (Date.now() > deadline) throw new Error(`only ${clusters.length} of ${memberCount} clusters joined`);
    await sleep(200);
  }
  const joinedMs = Date.now() - joinStarted;

  // The user's side, in root's namespace default: the global set bound, a placement of every cluster.
  const ns = '/clusters/root/apis/cluster.open-cluster-management.io';
  await api('POST', `${ns}/v1beta2/namespaces/default/managedclustersetbindings`, {
    apiVersion: 'cluster.open-cluster-management.io/v1beta2',
    kind: 'ManagedClusterSetBinding',
    metadata: { name: 'global', namespace: 'default' },
    spec: { clusterSet: 'global' },
  });
  await api('POST', `${ns}/v1beta1/namespaces/default/placements`, {
    apiVersion: 'cluster.open-cluster-management.io/v1beta1',
    kind: 'Placement',
    metadata: { name: 'fleet', namespace: 'default' },
    spec: {
      predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { fleet: 'bench' } } } }],
    },
  });
  const decisions = `${ns}/v1beta1/namespaces/default/placementdecisions`;
  for (let deadline = Date.now() + timeoutMs; ;) {
    const decided = (await api('GET', decisions)).items.flatMap((d) => d.status?.decisions ?? []).length;
    if (decided === memberCount) break;
    if (Date.now() > deadline) throw new Error(`only ${decided} of ${memberCount} clusters decided`);
    await sleep(100);
  }

  const manifests = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '250m' } } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-settings' }, data: { color: 'blue' } },
  ];
  const replicaSets =
    '/clusters/root/apis/work.open-cluster-management.io/v1alpha1/namespaces/default/manifestworkreplicasets';
  const pids = { platform: hub.ready.pid, members: members.ready.pid, agents: agents.ready.pid };
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const started = Date.now();
  await api('POST', replicaSets, {
    apiVersion: 'work.open-cluster-management.io/v1alpha1',
    kind: 'ManifestWorkReplicaSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      placementRefs: [{ name: 'fleet', rolloutStrategy: { type: 'All' } }],
      manifestWorkTemplate: { workload: { manifests } },
    },
  });
  let summary;
  for (let deadline = Date.now() + timeoutMs; ;) {
    summary = (await api('GET', `${replicaSets}/web`)).status?.summary ?? {};
    if (summary.available === memberCount) break;
    if (Date.now() > deadline) throw new Error(`not available everywhere: ${JSON.stringify(summary)}`);
    await sleep(50);
  }
  const deployedMs = Date.now() - started;
  const cpuUsed = Object.entries(pids)
    .map(([name, pid]) => `${name} ${(cpuSeconds(pid) - cpuBefore[name]).toFixed(1)} s`)
    .join(', ');

  console.log(
    `deploy-fleet: ${memberCount} dev members, 1 member process, ${memberCount} agents in 1 process`,
  );
  console.log(
    `  all clusters joined (Available)            ${(joinedMs / 1000).toFixed(1)} s from the agents' start`,
  );
  console.log(
    `  3-object app available on all ${memberCount}         ${(deployedMs / 1000).toFixed(1)} s (aim < 10 s; agents watch their works)`,
  );
  console.log(
    `  CPU used meanwhile: ${cpuUsed} (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`,
  );
  console.log(
    `  RSS after the deploy: platform ${rssMiB(hub.ready.pid)} MiB, members ${rssMiB(members.ready.pid)} MiB, agents ${rssMiB(agents.ready.pid)} MiB`,
  );
} finally {
  for (const child of children.reverse()) child.kill('SIGTERM');
  await sleep(500);
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
