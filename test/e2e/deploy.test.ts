import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevPlatform, type DevPlatform } from './helpers/cli.js';
import { adminKubectl, loggedInUser, type LoggedInUser } from './helpers/identity.js';

// `kplane deploy` as a user runs it: against the dev platform, in the user's home workspace with
// the global cluster set bound and a placement of two clusters. A deploy is stored as an OCM
// ManifestWorkReplicaSet, and everything a user can get wrong is refused before anything is stored.

let platform: DevPlatform;
let dana: LoggedInUser;
let appDir: string;

const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
`;

beforeAll(async () => {
  platform = await startDevPlatform({ demo: true });
  dana = await loggedInUser(platform, 'dana');
  expect((await dana.kplane('ws', 'use', '~')).code).toBe(0);
  const bound = await dana.kplane('bind', 'clusterset', 'global');
  expect(bound.code, bound.stderr).toBe(0);
  const placed = await dana.kplane('place', 'two', '--clusters', '2');
  expect(placed.code, placed.stderr).toBe(0);
  appDir = path.join(dana.sandbox.dir, 'app');
  mkdirSync(appDir);
  writeFileSync(path.join(appDir, 'app.yaml'), APP);
  writeFileSync(
    path.join(appDir, 'settings.json'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings' },
      data: { color: 'blue' },
    }),
  );
  writeFileSync(path.join(dana.sandbox.dir, 'empty.yaml'), '# nothing here\n');
  writeFileSync(
    path.join(dana.sandbox.dir, 'cluster-scoped.yaml'),
    `${APP}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: everything\n`,
  );
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  dana?.sandbox.cleanup();
});

const notStored = async (name: string) => {
  const status = await dana.kplane('deploy', 'status', name);
  expect(status.code).toBe(3);
  expect(status.stderr).toContain(`deploy "${name}" not found`);
};

describe('kplane deploy', () => {
  it('stores a folder of manifests as a ManifestWorkReplicaSet the platform delivers to the decided clusters', async () => {
    const result = await dana.kplane('deploy', 'web', '-f', appDir, '--placement', 'two');
    expect(result.code, result.stderr).toBe(0);
    const stored = await dana.kubectl('get', 'manifestworkreplicaset', 'web', '-o', 'json');
    expect(stored.code, stored.stderr).toBe(0);
    const rs = JSON.parse(stored.stdout);
    expect(rs.spec.placementRefs).toEqual([{ name: 'two', rolloutStrategy: { type: 'All' } }]);
    expect(rs.spec.manifestWorkTemplate.workload.manifests.map((m: { kind: string }) => m.kind)).toEqual([
      'Deployment',
      'Service',
      'ConfigMap',
    ]);

    let status = await dana.kplane('deploy', 'status', 'web', '-o', 'json');
    for (let i = 0; i < 50 && JSON.parse(status.stdout || '{}').summary?.total !== 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await dana.kplane('deploy', 'status', 'web', '-o', 'json');
    }
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).summary).toMatchObject({ total: 2, desiredTotal: 2 });

    const placement = await dana.kplane('place', 'get', 'two', '-o', 'json');
    expect(placement.code, placement.stderr).toBe(0);
    expect(JSON.parse(placement.stdout).deploys).toEqual(['web']);
    expect((await dana.kplane('place', 'get', 'two')).stderr).toContain('Deploys following it: web');
  });

  it('updates the same deploy, and --wait gives up with exit 8 (timed out) when no agent reports', async () => {
    const waited = await dana.kplane(
      'deploy',
      'web',
      '-f',
      path.join(appDir, 'app.yaml'),
      '--placement',
      'two',
      '--wait',
      '--timeout',
      '1s',
    );
    expect(waited.code).toBe(8);
    expect(waited.stderr).toContain('not available everywhere within 1s');
  });

  it("--wait exits 1 with the member's message when a cluster refuses a manifest", async () => {
    const badApp = path.join(dana.sandbox.dir, 'bad-app.yaml');
    writeFileSync(badApp, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad-settings}\ndata: {a: b}\n');
    const waiting = dana.kplane(
      'deploy',
      'bad',
      '-f',
      badApp,
      '--placement',
      'two',
      '--wait',
      '--timeout',
      '20s',
    );
    let works: { metadata: { name: string; namespace: string } }[] = [];
    for (let i = 0; i < 100 && works.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const listed = await adminKubectl(platform, 'root:compute', 'get', 'manifestworks', '-A', '-o', 'json');
      works = (JSON.parse(listed.stdout || '{"items":[]}').items as typeof works).filter((w) =>
        w.metadata.name.startsWith('bad-'),
      );
    }
    expect(works.length).toBeGreaterThan(0);
    const refused = {
      status: {
        conditions: [
          {
            type: 'Applied',
            status: 'False',
            reason: 'AppliedManifestFailed',
            message: 'ConfigMap "bad-settings" is invalid: data: Invalid value: "a"',
            lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          },
        ],
      },
    };
    const patched = await adminKubectl(
      platform,
      'root:compute',
      'patch',
      'manifestwork',
      works[0]!.metadata.name,
      '-n',
      works[0]!.metadata.namespace,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(refused),
    );
    expect(patched.code, patched.stderr).toBe(0);
    const result = await waiting;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${works[0]!.metadata.namespace}: ConfigMap "bad-settings" is invalid`);
    const deleted = await dana.kplane('deploy', 'delete', 'bad', '-o', 'json');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ deleted: 'bad', namespace: 'default' });
  });

  it('lists the deploys, and delete --wait removes one', async () => {
    const listed = await dana.kplane('deploy', 'list', '-o', 'json');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).map((rs: { metadata: { name: string } }) => rs.metadata.name)).toEqual([
      'web',
    ]);
    const table = await dana.kplane('deploy', 'list');
    expect(table.stdout).toMatch(/^web\ttwo\t2\t/m);

    const deleted = await dana.kplane('deploy', 'delete', 'web', '--wait');
    expect(deleted.code, deleted.stderr).toBe(0);
    await notStored('web');
    const again = await dana.kplane('deploy', 'delete', 'web');
    expect(again.code).toBe(3);
  });

  it('refuses an empty file, an unknown placement and a cluster-scoped kind, storing nothing', async () => {
    const empty = await dana.kplane(
      'deploy',
      'a',
      '-f',
      path.join(dana.sandbox.dir, 'empty.yaml'),
      '--placement',
      'two',
    );
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('holds no Kubernetes objects to deploy');
    await notStored('a');

    const unknown = await dana.kplane('deploy', 'b', '-f', appDir, '--placement', 'nowhere');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('placement "nowhere" not found');
    expect(unknown.stderr).toContain('kplane place nowhere');
    await notStored('b');

    const scoped = await dana.kplane(
      'deploy',
      'c',
      '-f',
      path.join(dana.sandbox.dir, 'cluster-scoped.yaml'),
      '--placement',
      'two',
    );
    expect(scoped.code).toBe(2);
    expect(scoped.stderr).toContain('ClusterRole everything is cluster-scoped');
    await notStored('c');

    const elsewhere = path.join(dana.sandbox.dir, 'other-namespace.yaml');
    writeFileSync(
      elsewhere,
      APP.replace('name: web\nspec:\n  replicas', 'name: web\n  namespace: kube-system\nspec:\n  replicas'),
    );
    const other = await dana.kplane('deploy', 'd', '-f', elsewhere, '--placement', 'two');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('Deployment web names namespace "kube-system"');
    await notStored('d');
  });

  it('takes -f more than once, in order, as kubectl apply does', async () => {
    const one = path.join(dana.sandbox.dir, 'one.yaml');
    const two = path.join(dana.sandbox.dir, 'two.json');
    writeFileSync(one, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\ndata: {n: "1"}\n');
    writeFileSync(two, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'two' } }));
    const result = await dana.kplane('deploy', 'pair', '-f', one, '-f', two, '--placement', 'two');
    expect(result.code, result.stderr).toBe(0);
    const stored = await dana.kubectl('get', 'manifestworkreplicaset', 'pair', '-o', 'json');
    const manifests = JSON.parse(stored.stdout).spec.manifestWorkTemplate.workload.manifests;
    expect(manifests.map((m: { metadata: { name: string } }) => m.metadata.name)).toEqual(['one', 'two']);
  });

  it('refuses a second deploy of an object another deploy carries (exit 7): they would fight over it', async () => {
    const first = await dana.kplane('deploy', 'owner', '-f', appDir, '--placement', 'two');
    expect(first.code, first.stderr).toBe(0);
    const second = await dana.kplane('deploy', 'copycat', '-f', appDir, '--placement', 'two');
    expect(second.code).toBe(7);
    expect(second.stderr).toContain('Deployment web is already deployed by "owner"');
    await notStored('copycat');
    // The same deploy again is an update, not a conflict.
    expect((await dana.kplane('deploy', 'owner', '-f', appDir, '--placement', 'two')).code).toBe(0);
  });
});
