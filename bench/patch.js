#!/usr/bin/env node
// Times the patch machinery in-process (no HTTP) on a Deployment-sized object (3 containers with env,
// ports, probes, resources and volume mounts; 4 volumes; ~5 KB of JSON):
// - the strategic merge patch kubectl apply (client-side) sends when a container is added, one removed and
//   an env var changed ($setElementOrder lists, $patch: delete, and the last-applied annotation);
// - a server-side apply of the same change by a second manager (merge by list-map keys, field sets,
//   ownership and conflict check), and the Update bookkeeping every other write does.
// Needs `npm run build` first. Prints medians in microseconds.
import { performance } from 'node:perf_hooks';

const { patchMetaFromDefinitions } = await import('../dist/platform/api/patch/patch-meta.js');
const { applyStrategicMergePatch } = await import('../dist/platform/api/patch/strategic-merge-patch.js');
const { applyConfiguration, recordUpdate } = await import('../dist/platform/api/apply/managed-fields.js');

const clone = (value) => JSON.parse(JSON.stringify(value));
const iterations = Number(process.env.BENCH_ITERATIONS ?? 2000);
const meta = patchMetaFromDefinitions('io.k8s.api.apps.v1.Deployment');

const env = (prefix) =>
  Array.from({ length: 10 }, (_, i) => ({ name: `${prefix}_${i}`, value: `value-${i}` }));
const container = (name) => ({
  name,
  image: `registry.example.com/${name}:1.0.0`,
  args: ['--port=8080', '--log-level=info'],
  env: env(name.toUpperCase()),
  ports: [
    { containerPort: 8080, protocol: 'TCP', name: 'http' },
    { containerPort: 9090, protocol: 'TCP', name: 'metrics' },
  ],
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
  readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
  livenessProbe: { httpGet: { path: '/live', port: 8080 }, periodSeconds: 10 },
  volumeMounts: [
    { name: 'config', mountPath: '/etc/app' },
    { name: 'data', mountPath: '/var/lib/app' },
  ],
});
const deployment = (containers) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'frontend' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web', tier: 'frontend' } },
      spec: {
        containers,
        volumes: ['config', 'data', 'cache', 'tmp'].map((name) => ({ name, emptyDir: {} })),
      },
    },
  },
});

const live = deployment([container('app'), container('proxy'), container('old')]);
const desired = deployment([container('app'), container('proxy'), container('sidecar')]);
desired.spec.template.spec.containers[0].env[3].value = 'changed';
const patch = {
  metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(desired) } },
  spec: {
    template: {
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'proxy' }, { name: 'sidecar' }],
        containers: [
          {
            '$setElementOrder/env': desired.spec.template.spec.containers[0].env.map(({ name }) => ({
              name,
            })),
            env: [{ name: 'APP_3', value: 'changed' }],
            name: 'app',
          },
          container('sidecar'),
          { $patch: 'delete', name: 'old' },
        ],
      },
    },
  },
};

function median(work) {
  for (let i = 0; i < 200; i++) work();
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    work();
    samples.push((performance.now() - start) * 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const owned = applyConfiguration(undefined, live, { manager: 'first', apiVersion: 'apps/v1' }, meta, false);
const updated = clone(desired);
updated.metadata.managedFields = owned.metadata.managedFields;

const results = {
  'object size (bytes)': JSON.stringify(live).length,
  'strategic merge patch, kubectl apply-sized (µs)': median(() =>
    applyStrategicMergePatch(live, patch, meta),
  ),
  'server-side apply, second manager, forced (µs)': median(() =>
    applyConfiguration(owned, desired, { manager: 'second', apiVersion: 'apps/v1' }, meta, true),
  ),
  'managedFields bookkeeping of an update (µs)': median(() =>
    recordUpdate(owned, clone(updated), { manager: 'editor', apiVersion: 'apps/v1' }, meta),
  ),
};
for (const [name, value] of Object.entries(results)) console.log(`${name}: ${Math.round(value)}`);
