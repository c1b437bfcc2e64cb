import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKubectlAt, startPlatformProcess, type PlatformProcess } from './helpers/platform.js';

// Open Cluster Management's work API on the platform, seen through real kubectl: ManifestWork in a
// cluster's namespace of root:compute, ManifestWorkReplicaSet in a user's namespace, with OCM's own
// schemas (validation, defaults, explain), so a client written for an OCM hub works unchanged.

const WORK = 'work.open-cluster-management.io';

let platform: PlatformProcess;
let scratch: string;
let at: ReturnType<typeof adminKubectlAt>;

const manifestWork = (name: string, extra = '') => `apiVersion: ${WORK}/v1
kind: ManifestWork
metadata:
  name: ${name}
  namespace: aws-eu-west-1
spec:
  workload:
    manifests:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
        namespace: app
      data:
        color: blue
${extra}`;

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-work-api-'));
  at = adminKubectlAt(platform, path.join(scratch, 'cache'));
  const ns = await at('/clusters/root:compute', ['create', 'namespace', 'aws-eu-west-1']);
  expect(ns.code, ns.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the work API', () => {
  it('stores a ManifestWork in a cluster namespace of root:compute with its manifests and OCM defaults', async () => {
    const applied = await at(
      '/clusters/root:compute',
      ['apply', '-f', '-'],
      manifestWork('web', '  deleteOption: {}\n'),
    );
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('manifestwork.work.open-cluster-management.io/web created');

    const got = await at('/clusters/root:compute', [
      'get',
      'manifestwork',
      'web',
      '-n',
      'aws-eu-west-1',
      '-o',
      'json',
    ]);
    expect(got.code, got.stderr).toBe(0);
    const work = JSON.parse(got.stdout) as { spec: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the server
    expect(work.spec.workload.manifests[0]).toMatchObject({ kind: 'ConfigMap', data: { color: 'blue' } });
    // OCM's CRD defaults a delete option's policy to Foreground.
    expect(work.spec.deleteOption).toEqual({ propagationPolicy: 'Foreground' });

    const explained = await at('/clusters/root:compute', ['explain', 'manifestwork.spec.deleteOption']);
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toContain('propagationPolicy');
  });

  it('refuses what OCM refuses, naming the field, and stores nothing', async () => {
    const bad = await at(
      '/clusters/root:compute',
      ['apply', '-f', '-'],
      manifestWork('bad', '  deleteOption:\n    propagationPolicy: Sometimes\n'),
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.deleteOption.propagationPolicy');
    const got = await at('/clusters/root:compute', ['get', 'manifestwork', 'bad', '-n', 'aws-eu-west-1']);
    expect(got.code).not.toBe(0);
    expect(got.stderr).toContain('NotFound');
  });

  it("serves ManifestWorkReplicaSet in a user's namespace with OCM's printer columns", async () => {
    const ws = await at('/clusters/root', ['create', 'namespace', 'shop']);
    expect(ws.code, ws.stderr).toBe(0);
    const applied = await at(
      '/clusters/root',
      ['apply', '-f', '-'],
      `apiVersion: ${WORK}/v1alpha1
kind: ManifestWorkReplicaSet
metadata:
  name: web
  namespace: shop
spec:
  placementRefs:
  - name: eu
  manifestWorkTemplate:
    workload:
      manifests:
      - apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          color: blue
`,
    );
    expect(applied.code, applied.stderr).toBe(0);
    const table = await at('/clusters/root', ['get', 'manifestworkreplicasets', '-n', 'shop']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+PLACEMENT\s+FOUND\s+MANIFESTWORKS\s+APPLIED\n/);
    expect(table.stdout).toMatch(/^web\s/m);
  });
});
