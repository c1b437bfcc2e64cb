#!/usr/bin/env node
// CustomResourceDefinitions on the platform, as an operator's install and its users meet them:
// - creating a ~340 KB CRD (its spec embeds Kubernetes' PodTemplateSpec, inlined from the published
//   definitions as controller-gen does for operators) until its kind is served (discovery answers and
//   its OpenAPI v3 document is there), measured from the POST;
// - listing 10,000 custom objects (JSON, and kubectl's Table with ?limit=500);
// - the validation cost per object (decode, prune, default, schema, list types and CEL) over HTTP
//   (a POST's time) and in process (the kind's admission alone, no HTTP).
// Bounded: BENCH_CRD_ROUNDS rounds (default 5), BENCH_CRD_OBJECTS objects (default 10,000).
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { platformCall, startBenchPlatform } from './platform.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.env.BENCH_CRD_ROUNDS ?? 5);
const objectCount = Number(process.env.BENCH_CRD_OBJECTS ?? 10_000);
const definitions = JSON.parse(
  readFileSync(path.join(repoRoot, 'src', 'platform', 'builtin', 'kubernetes-openapi.json'), 'utf8'),
).definitions;

/** A published definition as a CRD schema: refs inlined, int-or-string and quantities as CRDs spell them. */
function crdSchema(node, open = []) {
  if (Array.isArray(node)) return node.map((item) => crdSchema(item, open));
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const name = node.$ref.slice('#/definitions/'.length);
    if (open.includes(name)) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    return crdSchema(definitions[name], [...open, name]);
  }
  const result = {};
  for (const [key, value] of Object.entries(node)) result[key] = crdSchema(value, open);
  if (
    result.format === 'int-or-string' ||
    (result.type === 'string' && /^Quantity is/.test(result.description ?? ''))
  ) {
    delete result.type;
    delete result.format;
    result['x-kubernetes-int-or-string'] = true;
  }
  return result;
}

const GROUP = 'bench.example.io';
const podTemplate = crdSchema({ $ref: '#/definitions/io.k8s.api.core.v1.PodTemplateSpec' });

function bigCrd(plural) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        plural,
        singular: plural.slice(0, -1),
        kind: `${plural[0].toUpperCase()}${plural.slice(1, -1)}`,
      },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [{ name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' }],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  'x-kubernetes-validations': [
                    { rule: 'self.replicas <= 100', message: 'at most 100 replicas' },
                  ],
                  properties: {
                    replicas: { type: 'integer', minimum: 0, default: 1 },
                    template: podTemplate,
                  },
                },
                status: { type: 'object', properties: { ready: { type: 'integer' } } },
              },
            },
          },
        },
      ],
    },
  };
}

function item(kind, name, index) {
  return {
    apiVersion: `${GROUP}/v1`,
    kind,
    metadata: { name, namespace: 'default', labels: { app: 'bench', index: String(index % 10) } },
    spec: {
      replicas: 3,
      template: {
        metadata: { labels: { app: 'bench' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example.io/app:1.0',
              ports: [{ containerPort: 8080, name: 'http' }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              env: [{ name: 'MODE', value: 'bench' }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
            },
          ],
        },
      },
    },
  };
}

const startPlatform = () =>
  startBenchPlatform(repoRoot, {
    maxSockets: 8,
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  });

const call = platformCall;

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ws = '/clusters/root';
const crds = `${ws}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`;

/** POSTs the CRD, then polls (1 ms apart, at most 10 s) until discovery and OpenAPI v3 serve the kind. */
async function createUntilServed(platform, plural) {
  const started = process.hrtime.bigint();
  await call(platform, 'POST', crds, { body: bigCrd(plural) });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const list = await call(platform, 'GET', `${ws}/apis/${GROUP}/v1`, { allow404: true });
    const openapi =
      list && (await call(platform, 'GET', `${ws}/openapi/v3/apis/${GROUP}/v1`, { allow404: true }));
    if (list?.includes(`"${plural}"`) && openapi) return ms(started);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`${plural} was not served within 10 s`);
}

async function inProcessValidation(count) {
  const { servedVersions } = await import(
    path.join(repoRoot, 'dist', 'platform', 'apiextensions', 'served-versions.js')
  );
  const { checkAndPruneFields } = await import(
    path.join(repoRoot, 'dist', 'platform', 'api', 'validation', 'schema-fields.js')
  );
  const crd = bigCrd('gadgets');
  const [def] = servedVersions(crd.spec, { servedBy: 'bench' });
  const admit = (object) => {
    checkAndPruneFields(def.schema, object);
    def.hooks.prepareCreate(object, {});
    const errors = def.hooks.validate(object, undefined, {});
    if (errors.length > 0) throw new Error(JSON.stringify(errors));
  };
  for (let i = 0; i < 200; i++) admit(item('Gadget', `warm-${i}`, i));
  const objects = Array.from({ length: count }, (_, i) => item('Gadget', `g-${i}`, i));
  const started = process.hrtime.bigint();
  for (const object of objects) admit(object);
  return (ms(started) * 1000) / count;
}

let platform;
try {
  platform = await startPlatform();
  const crdBytes = JSON.stringify(bigCrd('widgets')).length;
  const served = [];
  for (let round = 0; round < rounds; round++) {
    served.push(await createUntilServed(platform, `widgets${round}s`));
  }
  // 10,000 objects, 8 in flight, each POST timed: the validation cost as a client sees it.
  const posts = [];
  let next = 0;
  const collection = `${ws}/apis/${GROUP}/v1/namespaces/default/widgets0s`;
  const loadStarted = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < objectCount) {
        const i = next++;
        const started = process.hrtime.bigint();
        await call(platform, 'POST', collection, { body: item('Widgets0', `w-${i}`, i) });
        posts.push(ms(started));
      }
    }),
  );
  const loadSeconds = ms(loadStarted) / 1000;
  const lists = [];
  const tables = [];
  for (let round = 0; round < rounds; round++) {
    let started = process.hrtime.bigint();
    const body = await call(platform, 'GET', collection);
    lists.push(ms(started));
    if (round === 0 && JSON.parse(body).items.length !== objectCount) throw new Error('the list is short');
    started = process.hrtime.bigint();
    await call(platform, 'GET', `${collection}?limit=500`, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    tables.push(ms(started));
  }
  const perObjectUs = await inProcessValidation(2000);

  console.log(`\nCustomResourceDefinitions: ${rounds} rounds, ${process.version}; medians\n`);
  const row = (label, value) => console.log(`${label.padEnd(58)}${value.padStart(14)}`);
  row(
    `create a ${Math.round(crdBytes / 1024)} KB CRD until served (discovery + OpenAPI v3)`,
    `${median(served).toFixed(1)} ms`,
  );
  row(`create ${objectCount} custom objects, 8 in flight`, `${loadSeconds.toFixed(1)} s`);
  row('one POST of a custom object (median)', `${median(posts).toFixed(2)} ms`);
  row(`list ${objectCount} custom objects (JSON)`, `${median(lists).toFixed(0)} ms`);
  row('first page of 500 as a Table (kubectl get)', `${median(tables).toFixed(1)} ms`);
  row('validation per object in process (prune, default, schema, CEL)', `${perObjectUs.toFixed(0)} µs`);
} finally {
  if (platform) {
    platform.agent.destroy();
    platform.child.kill('SIGTERM');
    rmSync(platform.dataDir, { recursive: true, force: true });
  }
}
