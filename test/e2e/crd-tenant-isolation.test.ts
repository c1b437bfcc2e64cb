import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  rawRequest,
  startPlatformProcess,
  type PlatformProcess,
  type RawResponse,
} from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// Rule 7 of DESIGN.md §4 for per-workspace CRDs: a tenant's CRD (its patterns, its CEL rules, its
// names) cannot stall the one process every tenant shares, nor take names another CRD holds.

let platform: PlatformProcess;
let request: (rawPath: string, method?: string, body?: object) => Promise<RawResponse>;

const EVIL = 'root:crd-evil';
const CALM = 'root:crd-calm';
const crds = (workspace: string) =>
  `/clusters/${workspace}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`;

const crd = (group: string, names: object, schema: object) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${(names as { plural: string }).plural}.${group}` },
  spec: {
    group,
    names,
    scope: 'Cluster',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }],
  },
});

const specSchema = (spec: object) => ({ type: 'object', properties: { spec } });

beforeAll(async () => {
  platform = await startPlatformProcess();
  const token = adminToken(platform.dataDir);
  const ca = readFileSync(path.join(platform.dataDir, 'ca.crt'));
  request = (rawPath, method = 'GET', body) =>
    rawRequest(platform.url, rawPath, {
      token,
      ca,
      method,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  for (const name of ['crd-evil', 'crd-calm']) {
    const created = await request('/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces', 'POST', {
      apiVersion: 'tenancy.kcp.io/v1alpha1',
      kind: 'Workspace',
      metadata: { name },
      spec: { type: { name: 'universal', path: 'root' } },
    });
    expect(created.status, created.body).toBe(201);
  }
  for (const name of ['crd-evil', 'crd-calm']) {
    const phase = await eventually(
      async () => {
        const ws = await request(`/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/${name}`);
        return (JSON.parse(ws.body) as { status?: { phase?: string } }).status?.phase;
      },
      (value) => value === 'Ready',
    );
    expect(phase).toBe('Ready');
  }
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

/** Milliseconds `work` takes. */
async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await work();
  return { result, ms: performance.now() - start };
}

describe('a tenant cannot stall the platform through its CRDs', () => {
  it('matches schema patterns in linear time: a catastrophic pattern answers at once, and so does everyone else', async () => {
    const evil = crd(
      'regex.example.io',
      { plural: 'traps', singular: 'trap', kind: 'Trap' },
      specSchema({ type: 'object', properties: { word: { type: 'string', pattern: '^(a+)+$' } } }),
    );
    const created = await request(crds(EVIL), 'POST', evil);
    expect(created.status, created.body).toBe(201);
    const trap = {
      apiVersion: 'regex.example.io/v1',
      kind: 'Trap',
      metadata: { name: 'snap' },
      spec: { word: `${'a'.repeat(30)}!` },
    };
    const [write, neighbour] = await Promise.all([
      timed(() => request(`/clusters/${EVIL}/apis/regex.example.io/v1/traps`, 'POST', trap)),
      timed(() => request(`/clusters/${CALM}/api/v1/namespaces/default/configmaps`)),
    ]);
    expect(write.result.status, write.result.body).toBe(422);
    expect(write.result.body).toContain("spec.word in body should match '^(a+)+$'");
    expect(neighbour.result.status).toBe(200);
    // With a backtracking engine this write takes minutes and the neighbour waits as long.
    expect(write.ms).toBeLessThan(5_000);
    expect(neighbour.ms).toBeLessThan(5_000);
  });

  it('refuses a pattern Go RE2 cannot compile with 422 and kube-apiserver text, storing nothing', async () => {
    const lookbehind = crd(
      'lookbehind.example.io',
      { plural: 'peeks', singular: 'peek', kind: 'Peek' },
      specSchema({ type: 'object', properties: { x: { type: 'string', pattern: '(?<=a)b' } } }),
    );
    const refused = await request(crds(EVIL), 'POST', lookbehind);
    expect(refused.status, refused.body).toBe(422);
    expect(refused.body).toContain(
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[x].pattern: Invalid value: \\"(?<=a)b\\": must be a valid regular expression, but isn\'t: error parsing regexp: invalid named capture: `(?<=a)b`',
    );
    const stored = await request(`${crds(EVIL)}/peeks.lookbehind.example.io`);
    expect(stored.status).toBe(404);
  });

  it('refuses a CEL rule whose estimated cost is over budget, and accepts it once the list is bounded', async () => {
    const pairs = (bounds: object) =>
      crd(
        'cel.example.io',
        { plural: 'pairs', singular: 'pair', kind: 'Pair' },
        specSchema({
          type: 'object',
          'x-kubernetes-validations': [{ rule: 'self.names.all(a, self.names.all(b, a == b || a != b))' }],
          properties: { names: { type: 'array', ...bounds, items: { type: 'string', maxLength: 63 } } },
        }),
      );
    const refused = await request(crds(EVIL), 'POST', pairs({}));
    expect(refused.status, refused.body).toBe(422);
    expect(refused.body).toContain(
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x',
    );
    expect((await request(`${crds(EVIL)}/pairs.cel.example.io`)).status).toBe(404);
    const accepted = await request(crds(EVIL), 'POST', pairs({ maxItems: 50 }));
    expect(accepted.status, accepted.body).toBe(201);
  });
});

describe('names of CRDs in one workspace, as kube-apiserver’s naming controller decides them', () => {
  const conditions = async (name: string) => {
    const response = await request(`${crds(CALM)}/${name}`);
    const status = (JSON.parse(response.body) as { status?: { conditions?: Record<string, string>[] } })
      .status;
    return Object.fromEntries((status?.conditions ?? []).map((c) => [c.type, c]));
  };
  const schema = specSchema({ type: 'object', properties: { size: { type: 'integer' } } });

  it('refuses a kind or short name another CRD of the group holds, until that CRD goes away', async () => {
    const first = crd('names.example.io', { plural: 'widgets', kind: 'Widget', shortNames: ['wd'] }, schema);
    expect((await request(crds(CALM), 'POST', first)).status).toBe(201);
    // Another group may use every one of those names.
    const elsewhere = crd(
      'other.example.io',
      { plural: 'widgets', kind: 'Widget', shortNames: ['wd'] },
      schema,
    );
    expect((await request(crds(CALM), 'POST', elsewhere)).status).toBe(201);
    expect((await conditions('widgets.other.example.io')).NamesAccepted?.status).toBe('True');

    const sameKind = crd(
      'names.example.io',
      { plural: 'gizmos', kind: 'Widget', listKind: 'GizmoList' },
      schema,
    );
    expect((await request(crds(CALM), 'POST', sameKind)).status).toBe(201);
    const refused = await conditions('gizmos.names.example.io');
    expect(refused.NamesAccepted).toMatchObject({
      status: 'False',
      reason: 'KindConflict',
      message: '"Widget" is already in use',
    });
    expect(refused.Established?.status).toBe('False');
    expect((await request(`/clusters/${CALM}/apis/names.example.io/v1/gizmos`)).status).toBe(404);

    const shortName = crd(
      'names.example.io',
      { plural: 'doodads', kind: 'Doodad', shortNames: ['widgets'] },
      schema,
    );
    expect((await request(crds(CALM), 'POST', shortName)).status).toBe(201);
    expect((await conditions('doodads.names.example.io')).NamesAccepted).toMatchObject({
      status: 'False',
      reason: 'ShortNamesConflict',
      message: '"widgets" is already in use',
    });
    // The holder keeps its names and is served.
    expect((await conditions('widgets.names.example.io')).NamesAccepted?.status).toBe('True');
    expect((await request(`/clusters/${CALM}/apis/names.example.io/v1/widgets`)).status).toBe(200);

    expect((await request(`${crds(CALM)}/widgets.names.example.io`, 'DELETE')).status).toBe(200);
    const accepted = await eventually(
      async () => (await conditions('gizmos.names.example.io')).Established?.status,
      (status) => status === 'True',
    );
    expect(accepted).toBe('True');
    expect((await conditions('doodads.names.example.io')).NamesAccepted?.status).toBe('True');
    const served = await eventually(
      async () => (await request(`/clusters/${CALM}/apis/names.example.io/v1/gizmos`)).status,
      (status) => status === 200,
    );
    expect(served).toBe(200);
  });
});
