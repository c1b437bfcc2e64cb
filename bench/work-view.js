#!/usr/bin/env node
// What `kplane deploy status` costs the platform: a tenant workspace's read-only view of the
// ManifestWorks its replica sets own is computed from root:compute on every read, so its cost
// grows with every tenant's works there. Measured: listing one deploy's works (OCM's replica-set
// label) in the tenant's workspace, beside the same list in root:compute itself, with
// BENCH_WORK_CLUSTERS clusters (default 100) each holding the tenant's work and
// BENCH_WORK_OTHERS other tenants' works (default 9, so 1,000 works in all); median of
// BENCH_WORK_ROUNDS rounds (default 30).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { platformCall, startBenchPlatform } from './platform.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const clusters = Number(process.env.BENCH_WORK_CLUSTERS ?? 100);
const others = Number(process.env.BENCH_WORK_OTHERS ?? 9);
const rounds = Number(process.env.BENCH_WORK_ROUNDS ?? 30);
const WORK = 'work.open-cluster-management.io';
const selector = encodeURIComponent(`${WORK}/manifestworkreplicaset=shop.web`);

async function call(platform, method, urlPath, body) {
  return JSON.parse(await platformCall(platform, method, urlPath, { body }));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(action) {
  const started = process.hrtime.bigint();
  const result = await action();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

const platform = await startBenchPlatform(repoRoot);
try {
  await call(platform, 'POST', '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces', {
    apiVersion: 'tenancy.kcp.io/v1alpha1',
    kind: 'Workspace',
    metadata: { name: 'bench-tenant' },
    spec: { type: { name: 'universal', path: 'root' } },
  });
  let tenant;
  for (let i = 0; i < 100 && !tenant?.spec?.cluster; i++) {
    await sleep(50);
    tenant = await call(
      platform,
      'GET',
      '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/bench-tenant',
    );
  }
  const tenantId = tenant.spec.cluster;
  const compute = '/clusters/root:compute';
  for (let c = 0; c < clusters; c++) {
    const cluster = `cluster-${c}`;
    await call(platform, 'POST', `${compute}/api/v1/namespaces`, { metadata: { name: cluster } });
    for (let t = 0; t <= others; t++) {
      const owner = t === 0 ? tenantId : `other${String(t).padStart(11, '0')}`;
      await call(platform, 'POST', `${compute}/apis/${WORK}/v1/namespaces/${cluster}/manifestworks`, {
        apiVersion: `${WORK}/v1`,
        kind: 'ManifestWork',
        metadata: {
          name: `web-${t}`,
          labels: { [`${WORK}/manifestworkreplicaset`]: 'shop.web' },
          annotations: { 'work.kplane.io/replicaset': `${owner}/shop/web` },
        },
        spec: {
          workload: {
            manifests: [
              { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: 'b' } },
            ],
          },
        },
      });
    }
  }
  const cases = {
    [`tenant view: one deploy's ${clusters} works of ${clusters * (others + 1)}`]: `/clusters/root:bench-tenant/apis/${WORK}/v1/manifestworks?labelSelector=${selector}`,
    [`root:compute: the same selector (${clusters * (others + 1)} works)`]: `${compute}/apis/${WORK}/v1/manifestworks?labelSelector=${selector}`,
  };
  for (const [name, path] of Object.entries(cases)) {
    const samples = [];
    let count = 0;
    for (let r = 0; r < rounds; r++) {
      const { ms, result } = await timed(() => call(platform, 'GET', path));
      samples.push(ms);
      count = result.items.length;
    }
    console.log(`${name}: ${median(samples).toFixed(1)} ms median of ${rounds} (${count} items)`);
  }
} finally {
  platform.child.kill('SIGTERM');
  platform.agent.destroy();
  rmSync(platform.dataDir, { recursive: true, force: true });
}
