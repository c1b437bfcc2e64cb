import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKubectlAt,
  adminToken,
  rawWatch,
  startPlatformProcess,
  type PlatformProcess,
} from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// What the owner of a deploy sees of its per-cluster ManifestWorks: a user cannot read root:compute,
// so each workspace serves, read-only, the works its own replica sets own, in the cluster's namespace
// as an OCM hub keeps them. Two tenants with the same namespace and deploy name see only their own.

const GROUP = 'cluster.open-cluster-management.io';
const WORK = 'work.open-cluster-management.io';
const TENANTS = ['root:view-a', 'root:view-b'];
const SELECTOR = `${WORK}/manifestworkreplicaset=shop.web`;

interface Work {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
  };
  spec: { workload: { manifests: { kind: string; metadata: { name: string; namespace?: string } }[] } };
}

let platform: PlatformProcess;
let scratch: string;
let at: ReturnType<typeof adminKubectlAt>;

async function ok(run: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const result = await run;
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}
const worksIn = async (workspace: string, ...args: string[]): Promise<Work[]> =>
  (
    JSON.parse(await ok(at(`/clusters/${workspace}`, ['get', 'manifestworks', ...args, '-o', 'json']))) as {
      items: Work[];
    }
  ).items;

const tenant = (color: string) => `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: ${GROUP}/v1beta2
kind: ManagedClusterSetBinding
metadata: {name: global, namespace: shop}
spec: {clusterSet: global}
---
apiVersion: ${GROUP}/v1beta1
kind: Placement
metadata: {name: two, namespace: shop}
spec: {numberOfClusters: 2}
---
apiVersion: ${WORK}/v1alpha1
kind: ManifestWorkReplicaSet
metadata: {name: web, namespace: shop}
spec:
  placementRefs: [{name: two}]
  manifestWorkTemplate:
    workload:
      manifests:
      - apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {color: ${color}}
`;

beforeAll(async () => {
  platform = await startPlatformProcess({ demo: true });
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-work-view-'));
  at = adminKubectlAt(platform, path.join(scratch, 'cache'));
  const workspaces = TENANTS.map(
    (full) => `apiVersion: tenancy.kcp.io/v1alpha1
kind: Workspace
metadata: {name: ${full.split(':')[1]}}
spec: {type: {name: universal, path: root}}`,
  ).join('\n---\n');
  await ok(at('/clusters/root', ['apply', '-f', '-'], workspaces));
  for (const full of TENANTS)
    await ok(
      at('/clusters/root', [
        'wait',
        '--for=jsonpath={.status.phase}=Ready',
        `workspace/${full.split(':')[1]}`,
        '--timeout=10s',
      ]),
    );
  await ok(at(`/clusters/${TENANTS[0]}`, ['apply', '-f', '-'], tenant('blue')));
  await ok(at(`/clusters/${TENANTS[1]}`, ['apply', '-f', '-'], tenant('green')));
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("a workspace's view of the ManifestWorks its replica sets own", () => {
  it('lists, by OCM’s replica-set label, only the works of this workspace, in the cluster namespaces', async () => {
    const [a, b] = await Promise.all(
      TENANTS.map((ws) =>
        eventually(
          () => worksIn(ws, '-A', '-l', SELECTOR),
          (items) => items.length === 2,
        ),
      ),
    );
    const colorOf = (work: Work) =>
      (work.spec.workload.manifests.find((m) => m.kind === 'ConfigMap') as { data?: { color?: string } })
        ?.data?.color;
    expect(a!.map(colorOf)).toEqual(['blue', 'blue']);
    expect(b!.map(colorOf)).toEqual(['green', 'green']);
    const compute = await worksIn('root:compute', '-A', '-l', SELECTOR);
    expect(compute).toHaveLength(4);
    // Namespaces are the clusters', as on an OCM hub; names differ between tenants.
    const clusters = new Set(compute.map((w) => w.metadata.namespace));
    for (const work of a!) expect(clusters.has(work.metadata.namespace)).toBe(true);
    expect(new Set(a!.map((w) => w.metadata.name)).size).toBe(1);
    expect(a![0]!.metadata.name).not.toBe(b![0]!.metadata.name);

    // One work by cluster namespace and name; another tenant's name is not found here.
    const one = a![0]!;
    const got = await ok(
      at(`/clusters/${TENANTS[0]}`, [
        'get',
        'manifestwork',
        one.metadata.name,
        '-n',
        one.metadata.namespace,
        '-o',
        'name',
      ]),
    );
    expect(got.trim()).toBe(`manifestwork.${WORK}/${one.metadata.name}`);
    const foreign = await at(`/clusters/${TENANTS[0]}`, [
      'get',
      'manifestwork',
      b![0]!.metadata.name,
      '-n',
      b![0]!.metadata.namespace,
    ]);
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toMatch(/NotFound|not found/);
    // A namespace narrows the list to that cluster.
    expect(await worksIn(TENANTS[0]!, '-n', one.metadata.namespace)).toHaveLength(1);
    expect(await worksIn(TENANTS[0]!, '-n', 'no-such-cluster')).toEqual([]);
  });

  it('refuses writes, naming the replica set to change instead', async () => {
    const [one] = await worksIn(TENANTS[0]!, '-A');
    const deleted = await at(`/clusters/${TENANTS[0]}`, [
      'delete',
      'manifestwork',
      one!.metadata.name,
      '-n',
      one!.metadata.namespace,
    ]);
    expect(deleted.code).not.toBe(0);
    expect(deleted.stderr).toContain('ManifestWorkReplicaSet web in namespace shop');
    const created = await at(
      `/clusters/${TENANTS[0]}`,
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: `${WORK}/v1`,
        kind: 'ManifestWork',
        metadata: { name: 'sneaky', namespace: one!.metadata.namespace },
        spec: { workload: { manifests: [] } },
      }),
    );
    expect(created.code).not.toBe(0);
    expect(created.stderr).toMatch(/read-only/);
    expect(
      await worksIn(
        'root:compute',
        '-n',
        one!.metadata.namespace,
        '--field-selector',
        'metadata.name=sneaky',
      ),
    ).toEqual([]);
  });

  it('watches: a change of the replica set reaches the watcher of its workspace only', async () => {
    const ca = readFileSync(path.join(platform.dataDir, 'ca.crt'));
    const token = adminToken(platform.dataDir);
    const watchOf = (ws: string) =>
      rawWatch(
        platform.url,
        `/clusters/${ws}/apis/${WORK}/v1/manifestworks?labelSelector=${encodeURIComponent(SELECTOR)}`,
        {
          token,
          ca,
        },
      );
    const [a, b] = await Promise.all(TENANTS.map(watchOf));
    try {
      await a!.waitFor((e) => e.type === 'ADDED');
      await b!.waitFor((e) => e.type === 'ADDED');
      const before = b!.events().length;
      await ok(at(`/clusters/${TENANTS[0]}`, ['apply', '-f', '-'], tenant('red')));
      const modified = await a!.waitFor(
        (e) =>
          e.type === 'MODIFIED' &&
          JSON.stringify((e.object as unknown as Work).spec.workload.manifests).includes('"red"'),
      );
      expect((modified.object as unknown as Work).metadata.labels?.[`${WORK}/manifestworkreplicaset`]).toBe(
        'shop.web',
      );
      expect(b!.events().length).toBe(before);
    } finally {
      a!.stop();
      b!.stop();
    }
  });

  it("refuses anyone but the platform rewriting a work's owner, so no tenant's work shows in another's view", async () => {
    const [mine] = await worksIn(TENANTS[0]!, '-A');
    const [theirs] = await worksIn(TENANTS[1]!, '-A');
    const owner = 'work.kplane.io/replicaset';
    const inCompute = (...args: string[]) =>
      at('/clusters/root:compute', [...args, '-n', mine!.metadata.namespace]);
    // Not even the compute owner may move a work to another tenant (an agent may update its works for
    // finalizers, so RBAC alone cannot stop it).
    const moved = await inCompute(
      'annotate',
      'manifestwork',
      mine!.metadata.name,
      '--overwrite',
      `${owner}=${theirs!.metadata.annotations?.[owner]}`,
    );
    expect(moved.code).not.toBe(0);
    expect(moved.stderr).toMatch(/written only by the platform/);
    const relabelled = await inCompute(
      'label',
      'manifestwork',
      mine!.metadata.name,
      '--overwrite',
      `${WORK}/manifestworkreplicaset=other.web`,
    );
    expect(relabelled.code).not.toBe(0);
    const respec = await inCompute(
      'patch',
      'manifestwork',
      mine!.metadata.name,
      '--type=merge',
      '-p',
      '{"spec":{"workload":{"manifests":[]}}}',
    );
    expect(respec.code).not.toBe(0);
    expect(respec.stderr).toMatch(/written only by the platform/);
    const forged = await at(
      '/clusters/root:compute',
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: `${WORK}/v1`,
        kind: 'ManifestWork',
        metadata: {
          name: 'forged',
          namespace: mine!.metadata.namespace,
          annotations: { [owner]: theirs!.metadata.annotations?.[owner] },
        },
        spec: { workload: { manifests: [] } },
      }),
    );
    expect(forged.code).not.toBe(0);
    expect((await worksIn(TENANTS[1]!, '-A')).every((w) => w.metadata.name === theirs!.metadata.name)).toBe(
      true,
    );

    // What an agent needs still works: a finalizer, and status.
    await ok(
      inCompute(
        'patch',
        'manifestwork',
        mine!.metadata.name,
        '--type=merge',
        '-p',
        '{"metadata":{"finalizers":["cluster.open-cluster-management.io/manifest-work-cleanup"]}}',
      ),
    );
    await ok(
      inCompute(
        'patch',
        'manifestwork',
        mine!.metadata.name,
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"conditions":[{"type":"Applied","status":"True","reason":"AppliedManifestWorkComplete","message":"","lastTransitionTime":"2026-12-07T04:00:00Z"}]}}',
      ),
    );
    await ok(
      inCompute(
        'patch',
        'manifestwork',
        mine!.metadata.name,
        '--type=json',
        '-p',
        '[{"op":"remove","path":"/metadata/finalizers"}]',
      ),
    );
  });
});
