import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKubectlAt, startPlatformProcess, type PlatformProcess } from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// The hub's side of delivery, through real kubectl: a ManifestWorkReplicaSet in a user's namespace
// becomes one ManifestWork per cluster its placement decided, in that cluster's namespace of
// root:compute, holding the tenant's manifests moved into the tenant's own member namespace; works
// follow the decision, refused manifests show as a condition, and two tenants never collide.

const GROUP = 'cluster.open-cluster-management.io';
const WORK = 'work.open-cluster-management.io';
const WS = '/clusters/root';
const COMPUTE = '/clusters/root:compute';

interface Obj {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the server
  status?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the server
}

let platform: PlatformProcess;
let scratch: string;
let at: ReturnType<typeof adminKubectlAt>;

async function ok(run: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const result = await run;
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}
const json = async <T = Obj>(urlPath: string, ...args: string[]): Promise<T> =>
  JSON.parse(await ok(at(urlPath, [...args, '-o', 'json']))) as T;

/** A namespace with the global set bound and a placement of `clusters` clusters in it. */
async function tenantNamespace(namespace: string, clusters: number): Promise<void> {
  await ok(
    at(
      WS,
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
---
apiVersion: ${GROUP}/v1beta2
kind: ManagedClusterSetBinding
metadata:
  name: global
  namespace: ${namespace}
spec:
  clusterSet: global
---
apiVersion: ${GROUP}/v1beta1
kind: Placement
metadata:
  name: two
  namespace: ${namespace}
spec:
  numberOfClusters: ${clusters}
`,
    ),
  );
}

const app = (namespace: string, extra = '') => `apiVersion: ${WORK}/v1alpha1
kind: ManifestWorkReplicaSet
metadata:
  name: web
  namespace: ${namespace}
spec:
  placementRefs:
  - name: two
  manifestWorkTemplate:
    workload:
      manifests:
      - apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
      - apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector: {app: web}
          ports: [{port: 80}]
      - apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data: {color: blue}
${extra}`;

const decided = async (namespace: string): Promise<string[]> => {
  const list = await json<{ items: Obj[] }>(WS, 'get', 'placementdecisions', '-n', namespace);
  return list.items
    .flatMap((pd) => (pd.status?.decisions ?? []) as { clusterName: string }[])
    .map((d) => d.clusterName)
    .sort();
};
const worksOf = async (tenantNamespace: string): Promise<Obj[]> =>
  (
    await json<{ items: Obj[] }>(
      COMPUTE,
      'get',
      'manifestworks',
      '-A',
      '-l',
      `work.kplane.io/workspace=root,work.kplane.io/namespace=${tenantNamespace}`,
    )
  ).items;

beforeAll(async () => {
  platform = await startPlatformProcess({ demo: true });
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-work-replicaset-'));
  at = adminKubectlAt(platform, path.join(scratch, 'cache'));
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('ManifestWorkReplicaSet', () => {
  it('writes one ManifestWork per decided cluster, with the manifests in the tenant namespace', async () => {
    await tenantNamespace('shop', 2);
    const clusters = await eventually(
      () => decided('shop'),
      (names) => names.length === 2,
    );
    expect(clusters).toHaveLength(2);
    await ok(at(WS, ['apply', '-f', '-'], app('shop')));

    const works = await eventually(
      () => worksOf('shop'),
      (items) => items.length === 2,
    );
    expect(works.map((w) => w.metadata.namespace).sort()).toEqual(clusters);
    for (const work of works) {
      expect(work.metadata.labels?.[`${WORK}/manifestworkreplicaset`]).toBe('shop.web');
      const manifests = work.spec?.workload.manifests as (Obj & { kind: string })[];
      expect(manifests.map((m) => m.kind)).toEqual(['Namespace', 'Deployment', 'Service', 'ConfigMap']);
      const memberNs = manifests[0]!.metadata.name;
      expect(memberNs).toMatch(/^shop-[0-9a-f]{10}$/);
      for (const manifest of manifests.slice(1)) {
        expect(manifest.metadata.namespace).toBe(memberNs);
        expect(manifest.metadata.labels).toMatchObject({
          'work.kplane.io/workspace': 'root',
          'work.kplane.io/namespace': 'shop',
        });
      }
    }

    const replicaSet = await eventually(
      () => json(WS, 'get', 'manifestworkreplicaset', 'web', '-n', 'shop'),
      (rs) => rs.status?.summary?.total === 2,
    );
    expect(replicaSet.status?.summary).toMatchObject({ total: 2, desiredTotal: 2, applied: 0 });
    expect(replicaSet.status?.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'PlacementVerified', status: 'True', reason: 'AsExpected' }),
        expect.objectContaining({ type: 'PlacementRolledOut', status: 'True' }),
        expect.objectContaining({ type: 'ManifestworkApplied', status: 'False', reason: 'Processing' }),
      ]),
    );
    const table = await ok(at(WS, ['get', 'manifestworkreplicasets', '-n', 'shop']));
    expect(table).toMatch(/^web\s+AsExpected\s+True\s+Processing\s+False/m);
  });

  it('removes the work of a cluster that leaves the decision', async () => {
    await ok(
      at(WS, [
        'patch',
        'placement',
        'two',
        '-n',
        'shop',
        '--type=merge',
        '-p',
        '{"spec":{"numberOfClusters":1}}',
      ]),
    );
    const clusters = await eventually(
      () => decided('shop'),
      (names) => names.length === 1,
    );
    const works = await eventually(
      () => worksOf('shop'),
      (items) => items.length === 1,
    );
    expect(works.map((w) => w.metadata.namespace)).toEqual(clusters);
  });

  it('counts what the agents report on its works', async () => {
    const [work] = await worksOf('shop');
    const conditions = ['Applied', 'Available'].map((type) => ({
      type,
      status: 'True',
      reason: 'AppliedManifestWorkComplete',
      message: 'done',
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    }));
    await ok(
      at(COMPUTE, [
        'patch',
        'manifestwork',
        work!.metadata.name,
        '-n',
        work!.metadata.namespace!,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status: { conditions } }),
      ]),
    );
    const replicaSet = await eventually(
      () => json(WS, 'get', 'manifestworkreplicaset', 'web', '-n', 'shop'),
      (rs) => rs.status?.summary?.available === 1,
    );
    expect(replicaSet.status?.summary).toMatchObject({ total: 1, desiredTotal: 1, applied: 1, available: 1 });
    expect(replicaSet.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'ManifestworkApplied', status: 'True', reason: 'AsExpected' }),
    );
  });

  it('keeps two tenants deploying the same name onto the same cluster apart', async () => {
    await tenantNamespace('other', 1);
    await eventually(
      () => decided('other'),
      (names) => names.length === 1,
    );
    await ok(at(WS, ['apply', '-f', '-'], app('other')));
    const [mine] = await eventually(
      () => worksOf('shop'),
      (items) => items.length === 1,
    );
    const [theirs] = await eventually(
      () => worksOf('other'),
      (items) => items.length === 1,
    );
    expect(mine && theirs).toBeTruthy();
    expect(theirs!.metadata.name).not.toBe(mine!.metadata.name);
    const memberNs = (work: Obj) => (work.spec?.workload.manifests[0] as Obj).metadata.name;
    expect(memberNs(theirs!)).not.toBe(memberNs(mine!));
  });

  it('refuses a cluster-scoped manifest with a clear condition and writes no work for it', async () => {
    await tenantNamespace('rogue', 1);
    await ok(
      at(
        WS,
        ['apply', '-f', '-'],
        app(
          'rogue',
          `      - apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: everything
`,
        ),
      ),
    );
    const replicaSet = await eventually(
      () => json(WS, 'get', 'manifestworkreplicaset', 'web', '-n', 'rogue'),
      (rs) => Array.isArray(rs.status?.conditions),
    );
    expect(replicaSet.status?.conditions).toContainEqual(
      expect.objectContaining({
        type: 'ManifestworkApplied',
        status: 'False',
        reason: 'InvalidManifests',
        message: expect.stringContaining('manifest 4 (ClusterRole everything) is cluster-scoped'),
      }),
    );
    expect(await worksOf('rogue')).toEqual([]);
  });

  it('rolls out progressively: the next cluster only once the last one is available', async () => {
    await tenantNamespace('slow', 2);
    await eventually(
      () => decided('slow'),
      (names) => names.length === 2,
    );
    const progressive = app('slow').replace(
      '  - name: two\n',
      '  - name: two\n    rolloutStrategy: {type: Progressive, progressive: {maxConcurrency: 1}}\n',
    );
    await ok(at(WS, ['apply', '-f', '-'], progressive));
    const first = await eventually(
      () => worksOf('slow'),
      (items) => items.length === 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await worksOf('slow')).toHaveLength(1);
    const rolling = await json(WS, 'get', 'manifestworkreplicaset', 'web', '-n', 'slow');
    expect(rolling.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'PlacementRolledOut', status: 'False', reason: 'Progressing' }),
    );
    await ok(
      at(COMPUTE, [
        'patch',
        'manifestwork',
        first[0]!.metadata.name,
        '-n',
        first[0]!.metadata.namespace!,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({
          status: {
            conditions: [
              {
                type: 'Available',
                status: 'True',
                reason: 'ResourcesAvailable',
                message: 'up',
                observedGeneration: 1,
                lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
              },
            ],
          },
        }),
      ]),
    );
    const both = await eventually(
      () => worksOf('slow'),
      (items) => items.length === 2,
    );
    expect(both).toHaveLength(2);
  });

  it('deletes its works when it is deleted', async () => {
    await ok(at(WS, ['delete', 'manifestworkreplicaset', 'web', '-n', 'shop']));
    const works = await eventually(
      () => worksOf('shop'),
      (items) => items.length === 0,
    );
    expect(works).toEqual([]);
    expect(await worksOf('other')).toHaveLength(1);
  });
});
