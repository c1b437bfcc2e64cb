import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, type RunResult } from './helpers/cli.js';
import { adminKubectlAt, startPlatformProcess, type PlatformProcess } from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// CustomResourceDefinitions per workspace against the real platform and real kubectl: real OCM CRDs
// and a multi-version CRD of our own are installed into root:crd-a; root:crd-b never sees them and
// installs its own CRD of the same name with another schema; bad CRDs are refused and change nothing.

let platform: PlatformProcess;
let scratch: string;
let admin: ReturnType<typeof adminKubectlAt>;

const A = 'root:crd-a';
const B = 'root:crd-b';
const at = (workspace: string, ...args: string[]) => admin(`/clusters/${workspace}`, args);
const applyJson = (workspace: string, ...items: object[]) =>
  admin(`/clusters/${workspace}`, ['apply', '-f', '-'], items.map((item) => JSON.stringify(item)).join('\n'));
const ok = (result: RunResult) => expect(result.code, result.stderr).toBe(0);
const fixture = (name: string) => path.join(repoRoot, 'test', 'e2e', 'fixtures', 'ocm', name);
const APPLIED_WORKS = fixture('0000_01_work.open-cluster-management.io_appliedmanifestworks.crd.yaml');
const CLUSTER_CLAIMS = fixture('0000_02_clusters.open-cluster-management.io_clusterclaims.crd.yaml');
const PLACEMENTS = fixture('0000_02_clusters.open-cluster-management.io_placements.crd.yaml');

const widgetSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['color'],
      'x-kubernetes-validations': [{ rule: 'self.replicas <= self.maxReplicas', message: 'too many' }],
      properties: {
        color: { type: 'string', enum: ['red', 'blue'], description: 'The colour of the widget.' },
        replicas: { type: 'integer', minimum: 0, default: 1 },
        maxReplicas: { type: 'integer', default: 10 },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
      },
    },
    status: {
      type: 'object',
      properties: { replicas: { type: 'integer' }, phase: { type: 'string' } },
    },
  },
};

const widgetsCrd = (versions: object[], group = 'example.io') => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${group}` },
  spec: {
    group,
    names: {
      plural: 'widgets',
      singular: 'widget',
      kind: 'Widget',
      shortNames: ['wd'],
      categories: ['all', 'gadgets'],
    },
    scope: 'Namespaced',
    versions,
  },
});

const widgetVersions = [
  {
    name: 'v1',
    served: true,
    storage: true,
    schema: { openAPIV3Schema: widgetSchema },
    subresources: {
      status: {},
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
    },
    additionalPrinterColumns: [
      { name: 'Color', type: 'string', jsonPath: '.spec.color' },
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    ],
  },
  {
    name: 'v1beta1',
    served: true,
    storage: false,
    schema: { openAPIV3Schema: widgetSchema },
    subresources: { status: {} },
  },
];

const widget = (name: string, spec: object, apiVersion = 'example.io/v1') => ({
  apiVersion,
  kind: 'Widget',
  metadata: { name, namespace: 'default' },
  spec,
});

const workspace = (name: string) => ({
  apiVersion: 'tenancy.kcp.io/v1alpha1',
  kind: 'Workspace',
  metadata: { name },
  spec: { type: { name: 'universal', path: 'root' } },
});

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-crd-'));
  admin = adminKubectlAt(platform, path.join(scratch, 'cache'));
  ok(await applyJson('root', workspace('crd-a'), workspace('crd-b')));
  for (const name of ['crd-a', 'crd-b'])
    ok(
      await at('root', 'wait', '--for=jsonpath={.status.phase}=Ready', `workspace/${name}`, '--timeout=10s'),
    );
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('CustomResourceDefinitions in a workspace', () => {
  it('installs real-world CRDs and a multi-version one, each Established at once', async () => {
    ok(await at(A, 'apply', '-f', APPLIED_WORKS, '-f', CLUSTER_CLAIMS));
    ok(await applyJson(A, widgetsCrd(widgetVersions)));
    const waited = await at(
      A,
      'wait',
      '--for',
      'condition=Established',
      'crd/widgets.example.io',
      'crd/clusterclaims.cluster.open-cluster-management.io',
      'crd/appliedmanifestworks.work.open-cluster-management.io',
      '--timeout=10s',
    );
    ok(waited);
    const crd = JSON.parse((await at(A, 'get', 'crd', 'widgets.example.io', '-o', 'json')).stdout);
    expect(crd.status.acceptedNames.kind).toBe('Widget');
    expect(crd.status.storedVersions).toEqual(['v1']);
    const conditions = Object.fromEntries(
      crd.status.conditions.map((c: { type: string; status: string }) => [c.type, c.status]),
    );
    expect(conditions).toMatchObject({ NamesAccepted: 'True', Established: 'True' });
  });

  it('serves objects of the real CRDs with their schemas', async () => {
    ok(
      await applyJson(A, {
        apiVersion: 'cluster.open-cluster-management.io/v1alpha1',
        kind: 'ClusterClaim',
        metadata: { name: 'id.k8s.io' },
        spec: { value: 'cluster-1' },
      }),
    );
    const got = await at(A, 'get', 'clusterclaims', 'id.k8s.io', '-o', 'jsonpath={.spec.value}');
    ok(got);
    expect(got.stdout).toBe('cluster-1');
    const tooLong = await applyJson(A, {
      apiVersion: 'cluster.open-cluster-management.io/v1alpha1',
      kind: 'ClusterClaim',
      metadata: { name: 'long' },
      spec: { value: 'x'.repeat(1025) },
    });
    expect(tooLong.code).not.toBe(0);
    expect(tooLong.stderr).toMatch(/spec\.value: .*1024/);
    const explained = await at(A, 'explain', 'appliedmanifestworks.spec');
    ok(explained);
    expect(explained.stdout).toContain('manifestWorkName');
  });

  it('validates, defaults and prunes custom objects, with kube-apiserver texts and field paths', async () => {
    // kubectl asks for strict field validation by default; unknown fields are then refused, and pruned otherwise.
    const strict = await applyJson(A, widget('w1', { color: 'red', unknown: 1 }));
    expect(strict.stderr).toContain('strict decoding error: unknown field "spec.unknown"');
    const w1Body = JSON.stringify(widget('w1', { color: 'red', port: 'http', tags: ['a', 'b'], unknown: 1 }));
    ok(await admin(`/clusters/${A}`, ['create', '--validate=false', '-f', '-'], w1Body));
    const w1 = JSON.parse((await at(A, 'get', 'widget', 'w1', '-o', 'json')).stdout);
    expect(w1.spec).toEqual({ color: 'red', port: 'http', tags: ['a', 'b'], replicas: 1, maxReplicas: 10 });

    const bad = await applyJson(
      A,
      widget('bad', { color: 'green', replicas: -1, port: 1.5, tags: ['a', 'a'] }),
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('is invalid');
    expect(bad.stderr).toContain('spec.color: Unsupported value: "green": supported values: "red", "blue"');
    expect(bad.stderr).toContain(
      'spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0',
    );
    expect(bad.stderr).toContain(
      'spec.port: Invalid value: 1.5: spec.port in body must be of type integer,string: "number"',
    );
    expect(bad.stderr).toContain('spec.tags[1]: Duplicate value: "a"');

    const rule = await applyJson(A, widget('rule', { color: 'blue', replicas: 20, maxReplicas: 5 }));
    expect(rule.code).not.toBe(0);
    expect(rule.stderr).toContain('spec: Invalid value: "object": too many');
    expect((await at(A, 'get', 'widget', 'bad')).code).not.toBe(0);
  });

  it('gets by short name and category with printer columns, in every served version', async () => {
    const table = await at(A, 'get', 'wd');
    ok(table);
    expect(table.stdout).toMatch(/NAME\s+COLOR\s+REPLICAS/);
    expect(table.stdout).toMatch(/w1\s+red\s+1/);
    const category = await at(A, 'get', 'gadgets', '-o', 'name');
    ok(category);
    expect(category.stdout).toContain('widget.example.io/w1');
    const all = await at(A, 'get', 'all', '-n', 'default', '-o', 'name');
    ok(all);
    expect(all.stdout).toContain('widget.example.io/w1');
    const beta = await at(A, 'get', 'widgets.v1beta1.example.io', 'w1', '-o', 'json');
    ok(beta);
    expect(JSON.parse(beta.stdout)).toMatchObject({
      apiVersion: 'example.io/v1beta1',
      spec: { color: 'red' },
    });
    const explained = await at(A, 'explain', 'widgets.spec.color');
    ok(explained);
    expect(explained.stdout).toContain('The colour of the widget.');
  });

  it('keeps status and spec apart under the status subresource, and scales', async () => {
    ok(await at(A, 'patch', 'widget', 'w1', '--type=merge', '-p', '{"status":{"phase":"Up"}}'));
    let w1 = JSON.parse((await at(A, 'get', 'widget', 'w1', '-o', 'json')).stdout);
    expect(w1.status).toBeUndefined();
    ok(
      await at(
        A,
        'patch',
        'widget',
        'w1',
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"phase":"Up","replicas":2},"spec":{"color":"blue"}}',
      ),
    );
    w1 = JSON.parse((await at(A, 'get', 'widget', 'w1', '-o', 'json')).stdout);
    expect(w1.status).toEqual({ phase: 'Up', replicas: 2 });
    expect(w1.spec.color).toBe('red');
    ok(await at(A, 'scale', 'widget', 'w1', '--replicas=3'));
    const scale = JSON.parse(
      (await at(A, 'get', '--raw', `/clusters/${A}/apis/example.io/v1/namespaces/default/widgets/w1/scale`))
        .stdout,
    );
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 3 }, status: { replicas: 2 } });
    const strategic = await at(
      A,
      'patch',
      'widget',
      'w1',
      '--type=strategic',
      '-p',
      '{"spec":{"color":"blue"}}',
    );
    expect(strategic.code).not.toBe(0);
    expect(strategic.stderr).toContain(
      'application/strategic-merge-patch+json is not supported by example.io/v1, Kind=Widget',
    );
  });

  it('is invisible in another workspace, which installs its own CRD of the same name', async () => {
    const crds = await at(B, 'get', 'crd', '-o', 'name');
    ok(crds);
    expect(crds.stdout).toBe('');
    expect((await at(B, 'get', 'widgets')).code).not.toBe(0);
    const other = widgetsCrd([
      {
        name: 'v2',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
          },
        },
      },
    ]);
    ok(await applyJson(B, other));
    ok(await at(B, 'wait', '--for', 'condition=Established', 'crd/widgets.example.io', '--timeout=10s'));
    ok(await applyJson(B, widget('b1', { size: 4 }, 'example.io/v2')));
    const inB = JSON.parse((await at(B, 'get', 'widgets', '-o', 'json')).stdout);
    expect(inB.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['b1']);
    expect(inB.items[0].apiVersion).toBe('example.io/v2');
    const inA = await at(A, 'get', 'widgets', '-o', 'name');
    expect(inA.stdout.trim()).toBe('widget.example.io/w1');
    expect((await at(A, 'get', 'widgets.v2.example.io')).code).not.toBe(0);
    // A changed schema is served from the next request on.
    const tightened = structuredClone(other);
    (
      tightened.spec.versions[0] as {
        schema: { openAPIV3Schema: { properties: { spec: { properties: { size: object } } } } };
      }
    ).schema.openAPIV3Schema.properties.spec.properties.size = { type: 'integer', maximum: 5 };
    ok(await applyJson(B, tightened));
    const big = await applyJson(B, widget('b2', { size: 9 }, 'example.io/v2'));
    expect(big.stderr).toContain(
      'spec.size: Invalid value: 9: spec.size in body should be less than or equal to 5',
    );
  });

  it('refuses a CRD that collides with a built-in kind with a NamesAccepted=False condition', async () => {
    ok(await at(A, 'apply', '-f', PLACEMENTS));
    const crd = await eventually(
      async () =>
        JSON.parse(
          (await at(A, 'get', 'crd', 'placements.cluster.open-cluster-management.io', '-o', 'json')).stdout,
        ),
      (object) => Array.isArray(object.status?.conditions),
    );
    const names = crd.status.conditions.find((c: { type: string }) => c.type === 'NamesAccepted');
    expect(names).toMatchObject({ status: 'False', reason: 'BuiltInResourceConflict' });
    expect(names.message).toContain('placements.cluster.open-cluster-management.io');
    const established = crd.status.conditions.find((c: { type: string }) => c.type === 'Established');
    expect(established.status).toBe('False');
    // The built-in Placement still answers with its own schema.
    const waited = await at(
      A,
      'wait',
      '--for',
      'condition=Established',
      'crd/placements.cluster.open-cluster-management.io',
      '--timeout=1s',
    );
    expect(waited.code).not.toBe(0);
    ok(await at(A, 'get', 'placements', '-n', 'default'));
  });

  it('refuses a CRD whose kind a bound APIExport already serves in the workspace', async () => {
    const schema = {
      apiVersion: 'apis.kcp.io/v1alpha1',
      kind: 'APIResourceSchema',
      metadata: { name: 'v1.gizmos.tools.example.io' },
      spec: {
        group: 'tools.example.io',
        names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo' },
        scope: 'Cluster',
        versions: [{ name: 'v1', served: true, storage: true, schema: { type: 'object' } }],
      },
    };
    const apiExport = {
      apiVersion: 'apis.kcp.io/v1alpha2',
      kind: 'APIExport',
      metadata: { name: 'gizmos' },
      spec: {
        resources: [
          { name: 'gizmos', group: 'tools.example.io', schema: schema.metadata.name, storage: { crd: {} } },
        ],
      },
    };
    ok(await applyJson(A, schema, apiExport));
    const binding = {
      apiVersion: 'apis.kcp.io/v1alpha2',
      kind: 'APIBinding',
      metadata: { name: 'gizmos' },
      spec: { reference: { export: { path: A, name: 'gizmos' } } },
    };
    ok(await applyJson(B, binding));
    ok(
      await at(
        B,
        'wait',
        '--for=jsonpath={.status.phase}=Bound',
        'apibindings.v1alpha2.apis.kcp.io/gizmos',
        '--timeout=10s',
      ),
    );
    const gizmos = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gizmos.tools.example.io' },
      spec: {
        group: 'tools.example.io',
        names: { plural: 'gizmos', kind: 'Gizmo' },
        scope: 'Namespaced',
        versions: [
          { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
        ],
      },
    };
    ok(await applyJson(B, gizmos));
    const crd = JSON.parse((await at(B, 'get', 'crd', 'gizmos.tools.example.io', '-o', 'json')).stdout);
    expect(crd.status.conditions.find((c: { type: string }) => c.type === 'NamesAccepted')).toMatchObject({
      status: 'False',
      reason: 'BoundResourceConflict',
      message: '"gizmos.tools.example.io" is bound into this workspace by APIBinding "gizmos"',
    });
    // The bound kind is still the one served (cluster-scoped, as the export says).
    const resources = await at(
      B,
      'api-resources',
      '--api-group=tools.example.io',
      '--namespaced=false',
      '-o',
      'name',
    );
    expect(resources.stdout).toBe('gizmos.tools.example.io\n');
    // Deleting the refused CRD leaves the bound kind's objects alone.
    ok(await applyJson(B, { apiVersion: 'tools.example.io/v1', kind: 'Gizmo', metadata: { name: 'g1' } }));
    ok(await at(B, 'delete', 'crd', 'gizmos.tools.example.io'));
    ok(await at(B, 'get', 'gizmo', 'g1'));
    // Once the API is unbound, the names are free and the CRD (installed again) is established.
    ok(await applyJson(B, gizmos));
    ok(await at(B, 'delete', 'apibindings.v1alpha2.apis.kcp.io', 'gizmos'));
    ok(await at(B, 'wait', '--for', 'condition=Established', 'crd/gizmos.tools.example.io', '--timeout=10s'));
  });

  it("checks embedded resources and explains the CRD kind from Kubernetes' published definition", async () => {
    const templated = widgetsCrd(
      [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    manifest: {
                      type: 'object',
                      'x-kubernetes-embedded-resource': true,
                      properties: { data: { type: 'object', additionalProperties: { type: 'string' } } },
                    },
                  },
                },
              },
            },
          },
        },
      ],
      'embed.example.io',
    );
    ok(await applyJson(A, templated));
    ok(
      await at(A, 'wait', '--for', 'condition=Established', 'crd/widgets.embed.example.io', '--timeout=10s'),
    );
    const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    ok(await applyJson(A, widget('e1', { manifest }, 'embed.example.io/v1')));
    const e1 = JSON.parse((await at(A, 'get', 'widgets.embed.example.io', 'e1', '-o', 'json')).stdout);
    expect(e1.spec.manifest).toEqual(manifest);
    const kindless = await applyJson(
      A,
      widget('e2', { manifest: { data: { a: 'b' } } }, 'embed.example.io/v1'),
    );
    expect(kindless.stderr).toContain('spec.manifest.apiVersion: Required value: must not be empty');
    expect(kindless.stderr).toContain('spec.manifest.kind: Required value: must not be empty');
    const explained = await at(A, 'explain', 'customresourcedefinitions.spec.versions.schema');
    ok(explained);
    expect(explained.stdout).toContain('openAPIV3Schema');
    expect(explained.stdout).toContain(
      'openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.',
    );
  });

  it('refuses bad CRDs with 422 and kube-apiserver texts, storing nothing', async () => {
    const before = (await at(A, 'get', 'crd', '-o', 'name')).stdout;
    const badName = { ...widgetsCrd(widgetVersions, 'gadgets.io'), metadata: { name: 'gizmos.gadgets.io' } };
    const named = await applyJson(A, badName);
    expect(named.stderr).toContain(
      'metadata.name: Invalid value: "gizmos.gadgets.io": must be spec.names.plural+"."+spec.group',
    );
    const noDot = await applyJson(A, widgetsCrd(widgetVersions, 'gadgets'));
    expect(noDot.stderr).toContain(
      'spec.group: Invalid value: "gadgets": should be a domain with at least one dot',
    );
    const nonStructural = widgetsCrd(
      [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { properties: { a: { type: 'string' } } } },
            },
          },
        },
      ],
      'shapes.io',
    );
    const shaped = await applyJson(A, nonStructural);
    expect(shaped.stderr).toContain(
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    );
    const twoStorage = widgetsCrd(
      widgetVersions.map((v) => ({ ...v, storage: true })),
      'stores.io',
    );
    const stored = await applyJson(A, twoStorage);
    expect(stored.stderr).toContain('must have exactly one version marked as storage version');
    for (const result of [named, noDot, shaped, stored]) expect(result.stderr).toContain('is invalid');
    expect((await at(A, 'get', 'crd', '-o', 'name')).stdout).toBe(before);
  });

  it('deletes the objects of a deleted CRD, then the CRD', async () => {
    ok(await at(A, 'delete', 'crd', 'widgets.example.io'));
    expect((await at(A, 'get', 'crd', 'widgets.example.io')).code).not.toBe(0);
    const crds = await at(A, 'get', 'crd', '-o', 'name');
    expect(crds.stdout).not.toContain('widgets.example.io');
    // Installed again, the kind starts empty: the old objects went with the old CRD.
    ok(await applyJson(A, widgetsCrd(widgetVersions)));
    ok(await at(A, 'wait', '--for', 'condition=Established', 'crd/widgets.example.io', '--timeout=10s'));
    const listed = await at(A, 'get', 'widgets.example.io', '-A', '-o', 'name');
    ok(listed);
    expect(listed.stdout).toBe('');
    // root:crd-b's objects of its own same-named CRD are untouched.
    expect((await at(B, 'get', 'widgets', '-o', 'name')).stdout.trim()).toBe('widget.example.io/b1');
  });
});
