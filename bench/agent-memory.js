#!/usr/bin/env node
// One work agent with 1,000 manifests against a platform: how long it takes to apply them all, what the agent holds
// (RSS and heap, after a full GC) once they are applied and after it sat idle, and how many requests it sends while
// idle, by kind (its works vs its heartbeat). The hub is root:compute, the member a workspace of the same platform.
// The agent (the checkout's own runWorkAgent, in a process of its own, as `kplane agent` runs it) reaches the
// platform through a counting proxy in this script; the bench's own reads go straight to the platform.
//
// Shapes: BENCH_AGENT_SHAPES (default "10x100,1x1000,50:1x3": [agents in one process:]works x ConfigMaps each,
// per agent; many agents share one member and one stop signal, as dev members do). Idle window:
// BENCH_AGENT_IDLE_SECONDS (default 60). The agent's full resync: BENCH_AGENT_RESYNC_SECONDS (default: the
// command's default, 300). BENCH_COMPARE=/path/to/another/built/checkout measures that checkout's agent instead
// (e.g. the list-every-resync loop before the watch: BENCH_AGENT_RESYNC_SECONDS=2, its old default).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { Agent, request } from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { platformCall, startBenchPlatform } from './platform.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const checkout = process.env.BENCH_COMPARE ? path.resolve(process.env.BENCH_COMPARE) : repoRoot;
// AGENTS:WORKSxCONFIGMAPS; the agents of one shape run in one process, as dev members do.
const shapes = (process.env.BENCH_AGENT_SHAPES ?? '10x100,1x1000,50:1x3').split(',').map((shape) => {
  const [agents, works, each] = (shape.includes(':') ? shape : `1:${shape}`).split(/[:x]/).map(Number);
  return { agents, works, each };
});
const idleSeconds = Number(process.env.BENCH_AGENT_IDLE_SECONDS ?? 60);
const resyncSeconds = Number(process.env.BENCH_AGENT_RESYNC_SECONDS ?? 300);
const applyTimeoutMs = 300_000;
const allWorksPath = '/clusters/root:compute/apis/work.open-cluster-management.io/v1/manifestworks';

const platform = await startBenchPlatform(repoRoot, { maxSockets: 8 });
const proxy = await startCountingProxy(platform);
let agent;
// Stopped from outside (a timeout, Ctrl-C): take the platform and the agents along rather than orphan them.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    agent?.kill();
    platform.child.kill('SIGKILL');
    rmSync(platform.dataDir, { recursive: true, force: true });
    process.exit(1);
  });
}

try {
  console.log(
    `agent of ${checkout === repoRoot ? 'this checkout' : checkout}, full resync every ${resyncSeconds} s, idle window ${idleSeconds} s`,
  );
  for (const [index, shape] of shapes.entries()) {
    const clusters = Array.from({ length: shape.agents }, (_, i) => `bench-${index + 1}-${i + 1}`);
    const memberWorkspace = `bench-member-${index + 1}`;
    await createWorkspace(memberWorkspace);
    await call('POST', `/clusters/root:${memberWorkspace}/api/v1/namespaces`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'apps' },
    });
    // The clusters' namespaces on the hub, as `kplane cluster accept` makes them.
    for (const cluster of clusters) {
      await call('POST', '/clusters/root:compute/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: cluster },
      });
    }
    agent = startAgentProcess(clusters, `root:${memberWorkspace}`);

    proxy.reset();
    const started = process.hrtime.bigint();
    for (const cluster of clusters) {
      for (let w = 0; w < shape.works; w++) {
        await call('POST', worksPath(cluster), manifestWork(cluster, `app-${w}`, shape.each, w));
      }
    }
    // Every 500 ms, not faster: the list carries every manifest's status, and serialising it must not be what
    // slows the platform down.
    const mine = new Set(clusters);
    await waitFor(
      async () => {
        const list = JSON.parse(await call('GET', allWorksPath));
        const works = list.items.filter((work) => mine.has(work.metadata.namespace));
        return works.length === clusters.length * shape.works && works.every(appliedNow);
      },
      applyTimeoutMs,
      500,
    );
    const applyMs = Number(process.hrtime.bigint() - started) / 1e6;
    const applied = await agent.measure();
    const applying = proxy.counts();

    proxy.reset();
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const counts = proxy.counts();
    const idle = await agent.measure();
    const warnings = agent.warnings();
    await agent.stop();
    agent = undefined;

    const perMinute = (n) => ((n * 60) / idleSeconds).toFixed(1);
    const total = clusters.length * shape.works * shape.each;
    const who = shape.agents === 1 ? 'one agent' : `${shape.agents} agents in one process, each`;
    console.log(`\n${who}: ${shape.works} works x ${shape.each} ConfigMaps (${total} manifests in all)`);
    console.log(`  apply all, until every work reports Applied: ${(applyMs / 1000).toFixed(2)} s`);
    console.log(`  requests to apply them: ${applying.works} (and ${applying.watches} watches opened)`);
    console.log(`  after apply: RSS ${mb(applied.rss)} MB, heap used ${mb(applied.heapUsed)} MB`);
    console.log(`  idle ${idleSeconds} s later: RSS ${mb(idle.rss)} MB, heap used ${mb(idle.heapUsed)} MB`);
    console.log(
      `  requests while idle, per minute: ${perMinute(counts.works)} for the works, ${perMinute(counts.heartbeat)} heartbeat (lease, cluster status, capacity), ${perMinute(counts.watches)} watches opened`,
    );
    if (warnings) console.log(`  warnings: ${warnings}`);
  }
} finally {
  await agent?.stop();
  proxy.close();
  platform.child.kill('SIGTERM');
  rmSync(platform.dataDir, { recursive: true, force: true });
}

function mb(bytes) {
  return (bytes / 1024 / 1024).toFixed(1);
}

function worksPath(cluster) {
  return `/clusters/root:compute/apis/work.open-cluster-management.io/v1/namespaces/${cluster}/manifestworks`;
}

function manifestWork(cluster, name, count, seed) {
  const manifests = Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${cluster}-${name}-${i}`, namespace: 'apps', labels: { app: name } },
    data: { index: String(i), seed: String(seed), payload: 'x'.repeat(200) },
  }));
  return {
    apiVersion: 'work.open-cluster-management.io/v1',
    kind: 'ManifestWork',
    metadata: { name, namespace: cluster },
    spec: { workload: { manifests } },
  };
}

function appliedNow(work) {
  return (work.status?.conditions ?? []).some(
    (c) => c.type === 'Applied' && c.status === 'True' && c.observedGeneration === work.metadata.generation,
  );
}

async function createWorkspace(name) {
  await call('POST', '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces', {
    apiVersion: 'tenancy.kcp.io/v1alpha1',
    kind: 'Workspace',
    metadata: { name },
    spec: { type: { name: 'universal', path: 'root' } },
  });
  await waitFor(async () => {
    const ws = JSON.parse(
      await call('GET', `/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/${name}`),
    );
    return ws.status?.phase === 'Ready';
  }, 30_000);
}

async function waitFor(check, timeoutMs, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await check().catch((error) => {
        if (process.env.BENCH_AGENT_LOG) console.error(error.message);
        return false;
      })
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`not reached within ${timeoutMs / 1000} s`);
}

/** The bench platform's answer; false for an allowed 404, true for an empty answer. */
async function call(method, urlPath, body, allow404 = false) {
  const answer = await platformCall(platform, method, urlPath, { body, allow404 });
  return answer === undefined ? false : answer || true;
}

/**
 * A plain-HTTP proxy on loopback in front of the platform's HTTPS, counting what passes: the agent's works (work
 * API, AppliedManifestWorks, what it applies on the member), its heartbeat (lease, cluster, /api, nodes), watches.
 */
function startCountingProxy(target) {
  let counts = { works: 0, heartbeat: 0, watches: 0 };
  // Kept alive, as the agent's own connections are: a TLS handshake per request would be what this measures. No
  // socket limit: every agent holds a watch open, and a capped pool would queue everything behind them.
  const upstreamAgent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://proxy');
    if (url.searchParams.get('watch') === 'true') counts.watches += 1;
    else if (/leases|managedclusters|\/api$|\/nodes/.test(url.pathname)) counts.heartbeat += 1;
    else counts.works += 1;
    const upstream = request(
      new URL(req.url, target.url),
      {
        method: req.method,
        headers: { ...req.headers, host: new URL(target.url).host },
        ca: target.ca,
        agent: upstreamAgent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        reset: () => (counts = { works: 0, heartbeat: 0, watches: 0 }),
        counts: () => counts,
        close: () => {
          server.close();
          upstreamAgent.destroy();
        },
      }),
    ),
  );
}

/**
 * The checkout's runWorkAgent for each cluster, in a process of their own (as `kplane agent` runs one, without the
 * CLI around it; as dev members run many, sharing one stop signal), which answers `measure` with its memory after a
 * full GC.
 */
function startAgentProcess(clusters, memberWorkspace) {
  const dist = (file) => path.join(checkout, 'dist', ...file.split('/'));
  const code = `
    const { runWorkAgent } = await import(${JSON.stringify(dist('agent/agent.js'))});
    const { RestClient } = await import(${JSON.stringify(dist('client/rest-client.js'))});
    const client = (workspace) => new RestClient({ baseUrl: ${JSON.stringify(proxy.url)} + '/clusters/' + workspace, token: ${JSON.stringify(platform.token)}, plaintextTokenAccepted: true });
    const stop = new AbortController();
    process.on('message', (message) => {
      if (message === 'stop') return stop.abort();
      globalThis.gc();
      const { rss, heapUsed } = process.memoryUsage();
      process.send({ rss, heapUsed });
    });
    await Promise.all(${JSON.stringify(clusters)}.map((cluster) => runWorkAgent({
      hub: client('root:compute'),
      member: client(${JSON.stringify(memberWorkspace)}),
      clusterName: cluster,
      resyncMs: ${resyncSeconds * 1000},
      registration: { clusterName: cluster, labels: {}, capacityFlags: { cpu: '8' }, autoAccept: true, leaseDurationSeconds: 60 },
      signal: stop.signal,
      log: (line) => process.stderr.write(cluster + ': ' + line + '\\n'),
    })));
    process.exit(0);
  `;
  const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (process.env.BENCH_AGENT_LOG) process.stderr.write(chunk);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then((code) => {
    if (code !== 0 && code !== null) console.error(`agent exited with ${code}: ${stderr}`);
  });
  return {
    warnings: () => (stderr.match(/\w+Warning: [^\n]*/g) ?? []).join('; '),
    measure: () =>
      new Promise((resolve) => {
        child.once('message', resolve);
        child.send('measure');
      }),
    kill: () => child.kill('SIGKILL'),
    stop: async () => {
      if (child.exitCode === null) child.send('stop');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      child.kill('SIGKILL');
    },
  };
}
