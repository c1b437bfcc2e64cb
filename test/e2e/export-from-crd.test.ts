import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kplane, repoRoot, type RunResult } from './helpers/cli.js';
import { adminKubectlAt, startPlatformProcess, type PlatformProcess } from './helpers/platform.js';

// `kplane export create NAME --from-crd CRD`: a provider who installed an operator's CRDs in their
// workspace turns them into APIResourceSchemas and an APIExport without a file in hand.

let platform: PlatformProcess;
let scratch: string;
let admin: ReturnType<typeof adminKubectlAt>;
let providerKubeconfig: string;

const PROVIDER = 'root:crd-provider';
const ok = (result: RunResult) => expect(result.code, result.stderr).toBe(0);
const asProvider = (...args: string[]) => kplane([...args, '--kubeconfig', providerKubeconfig]);
const CLAIMS = path.join(
  repoRoot,
  'test',
  'e2e',
  'fixtures',
  'ocm',
  '0000_02_clusters.open-cluster-management.io_clusterclaims.crd.yaml',
);
const POSTGRES = path.join(repoRoot, 'test', 'e2e', 'fixtures', 'postgres-crd.yaml');

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-from-crd-'));
  admin = adminKubectlAt(platform, path.join(scratch, 'cache'));
  const workspace = {
    apiVersion: 'tenancy.kcp.io/v1alpha1',
    kind: 'Workspace',
    metadata: { name: 'crd-provider' },
    spec: { type: { name: 'universal', path: 'root' } },
  };
  ok(await admin('/clusters/root', ['apply', '-f', '-'], JSON.stringify(workspace)));
  ok(
    await admin('/clusters/root', [
      'wait',
      '--for=jsonpath={.status.phase}=Ready',
      'workspace/crd-provider',
      '--timeout=10s',
    ]),
  );
  providerKubeconfig = path.join(scratch, 'provider.kubeconfig');
  writeFileSync(
    providerKubeconfig,
    readFileSync(platform.kubeconfig, 'utf8').replace(/\/clusters\/root$/m, `/clusters/${PROVIDER}`),
  );
  ok(await admin(`/clusters/${PROVIDER}`, ['apply', '-f', CLAIMS, '-f', POSTGRES]));
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('export create --from-crd', () => {
  it('turns CRDs installed in the workspace into schemas and an export', async () => {
    const result = await asProvider(
      'export',
      'create',
      'claims',
      '--from-crd',
      'clusterclaims.cluster.open-cluster-management.io',
      '--from-crd',
      'databases.db.example.io',
    );
    ok(result);
    expect(result.stdout).toMatch(
      /apiresourceschema v[0-9a-f]{8}\.clusterclaims\.cluster\.open-cluster-management\.io created\./,
    );
    expect(result.stdout).toMatch(/apiresourceschema v[0-9a-f]{8}\.databases\.db\.example\.io created\./);
    expect(result.stdout).toContain('apiexport claims created.');
    const exported = JSON.parse(
      (
        await admin(`/clusters/${PROVIDER}`, [
          'get',
          'apiexports.v1alpha2.apis.kcp.io',
          'claims',
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect(
      exported.spec.resources.map((r: { name: string; group: string }) => `${r.name}.${r.group}`),
    ).toEqual(['clusterclaims.cluster.open-cluster-management.io', 'databases.db.example.io']);
    // The same schema a file gives: the CRD's spec, named by its content.
    const fromFile = await asProvider('export', 'create', 'from-file', '--schema', POSTGRES, '-o', 'json');
    ok(fromFile);
    expect(JSON.parse(fromFile.stdout).spec.resources[0].schema).toBe(exported.spec.resources[1].schema);
  });

  it('refuses a CRD the workspace does not have, creating nothing', async () => {
    const result = await asProvider(
      'export',
      'create',
      'ghost',
      '--from-crd',
      'ghosts.example.io',
      '--from-crd',
      'databases.db.example.io',
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`customresourcedefinition "ghosts.example.io" not found in ${PROVIDER}`);
    const exports = await admin(`/clusters/${PROVIDER}`, [
      'get',
      'apiexports.v1alpha2.apis.kcp.io',
      '-o',
      'name',
    ]);
    expect(exports.stdout).not.toContain('ghost');
  });

  it('asks for a schema when given neither --schema nor --from-crd', async () => {
    const result = await asProvider('export', 'create', 'empty');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--schema FILE or --from-crd NAME');
  });
});
