import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { repoRoot, run, type RunResult } from './helpers/cli.js';
import { kubectl as runKubectl, startPlatformProcess, type PlatformProcess } from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// The platform server's member mode, as a user of a dev member cluster sees it with kubectl: an ordinary
// Kubernetes API per member (one process for all), with a Node that carries the member's capacity,
// workloads whose status moves to ready without any container running, and a 403 for what does not fit.

interface Member {
  name: string;
  server: string;
  kubeconfig: string;
  labels: Record<string, string>;
}

let dir: string;
let members: PlatformProcess;
let ready: { members: Member[] };

/** kubectl with the member's own kubeconfig, as its owner would use it; `input` goes to stdin. */
const kubectlWithInput = (member: string, input: string, ...args: string[]): Promise<RunResult> =>
  runKubectl(args, {
    kubeconfig: path.join(members.dataDir, `${member}.kubeconfig`),
    cacheDir: path.join(dir, 'cache'),
    input,
  });
const kubectl = (member: string, ...args: string[]) => kubectlWithInput(member, '', ...args);

const deployment = (name: string, replicas: number, cpu: string) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu } } }] },
      },
    },
  });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-members-'));
  const file = path.join(dir, 'members.json');
  writeFileSync(
    file,
    JSON.stringify([
      { name: 'small', labels: { region: 'eu-west' }, capacity: { cpu: '4', memory: '8Gi' } },
      {
        name: 'large',
        capacity: { cpu: '64', memory: '256Gi' },
        allocatable: { cpu: '60', memory: '240Gi' },
      },
    ]),
  );
  members = await startPlatformProcess({ dataDir: path.join(dir, 'data'), args: ['--members', file] });
  ready = JSON.parse(members.stdout().split('\n')[0]!) as { members: Member[] };
}, 60_000);

afterAll(async () => {
  await members?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the platform server in member mode', () => {
  it('announces each member with its own server URL and an owner-only kubeconfig', () => {
    expect(ready.members.map((m) => m.name)).toEqual(['small', 'large']);
    for (const member of ready.members) {
      expect(member.server).toBe(`${members.url}/clusters/${member.name}`);
      expect(statSync(member.kubeconfig).mode & 0o777).toBe(0o600);
    }
    expect(ready.members[0]!.labels).toEqual({ region: 'eu-west' });
  });

  it('serves an ordinary cluster per member: system namespaces, a Node, no platform APIs', async () => {
    const namespaces = await kubectl('small', 'get', 'namespaces', '-o', 'name');
    expect(namespaces.code, namespaces.stderr).toBe(0);
    expect(namespaces.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'namespace/default',
      'namespace/kube-node-lease',
      'namespace/kube-public',
      'namespace/kube-system',
    ]);
    const node = await kubectl('large', 'get', 'node', 'large-node', '-o', 'json');
    expect(node.code, node.stderr).toBe(0);
    expect(JSON.parse(node.stdout).status).toMatchObject({
      capacity: { cpu: '64', memory: '256Gi', pods: '110' },
      allocatable: { cpu: '60', memory: '240Gi', pods: '110' },
    });
    expect((await kubectl('small', 'get', 'nodes', '-o', 'name')).stdout.trim()).toBe('node/small-node');
    const resources = await kubectl('small', 'api-resources', '-o', 'name');
    expect(resources.code, resources.stderr).toBe(0);
    const names = resources.stdout.split('\n');
    for (const kind of [
      'deployments.apps',
      'jobs.batch',
      'roles.rbac.authorization.k8s.io',
      'customresourcedefinitions.apiextensions.k8s.io',
    ])
      expect(names).toContain(kind);
    expect(names.filter((name) => /kcp\.io|open-cluster-management\.io/.test(name))).toEqual([]);
  });

  it('keeps members apart: what one holds the other does not', async () => {
    expect((await kubectl('small', 'create', 'configmap', 'only-here', '--from-literal=a=b')).code).toBe(0);
    expect((await kubectl('large', 'get', 'configmap', 'only-here')).stderr).toContain('NotFound');
  });

  it('moves a Deployment to ready after each spec change and marks it simulated', async () => {
    const applied = await kubectlWithInput('small', deployment('web', 2, '500m'), 'apply', '-f', '-');
    expect(applied.code, applied.stderr).toBe(0);
    const read = async () =>
      JSON.parse((await kubectl('small', 'get', 'deploy', 'web', '-o', 'json')).stdout);
    let web = await eventually(read, (d) => d.status?.readyReplicas === 2);
    expect(web.metadata.annotations).toMatchObject({ 'kplane.dev/simulated': 'true' });
    expect(web.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(web.status.conditions.map((c: { type: string; status: string }) => [c.type, c.status])).toEqual([
      ['Available', 'True'],
      ['Progressing', 'True'],
    ]);
    expect((await kubectl('small', 'scale', 'deploy', 'web', '--replicas', '3')).code).toBe(0);
    web = await eventually(read, (d) => d.status?.availableReplicas === 3);
    expect(web.status).toMatchObject({ observedGeneration: 2, readyReplicas: 3 });
    const rollout = await kubectl('small', 'rollout', 'status', 'deploy/web', '--timeout', '10s');
    expect(rollout.code, rollout.stderr).toBe(0);
  });

  it("refuses with 403 a workload beyond the member's remaining capacity, naming member and numbers", async () => {
    // 3 × 500m are in use on the 4 cores of small: 2 × 1.5 cores more do not fit.
    const refused = await kubectlWithInput('small', deployment('big', 2, '1500m'), 'apply', '-f', '-');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'deployments.apps "big" is forbidden: exceeded capacity of member cluster small: requested: cpu=3, used: cpu=1500m, allocatable: cpu=4',
    );
    expect((await kubectl('small', 'get', 'deploy', 'big')).stderr).toContain('NotFound');
    // The same fits on the large member, and a smaller one still fits beside web on small.
    const elsewhere = await kubectlWithInput('large', deployment('big', 2, '1500m'), 'apply', '-f', '-');
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    const fits = await kubectlWithInput('small', deployment('fits', 1, '2500m'), 'apply', '-f', '-');
    expect(fits.code, fits.stderr).toBe(0);
  });

  it.each([
    ['a members file that is not there', ['--members', '/nonexistent/members.json'], 'cannot read'],
    ['an argument that is neither demo nor a file', ['--members', 'demos'], 'cannot read demos'],
    ['members and the demo tree at once', ['--members', 'demo', '--demo'], 'it takes no --demo'],
  ])('refuses %s with exit 2, creating nothing', async (_, args, message) => {
    const dataDir = path.join(dir, `refused-${args.length}-${args[1]!.length}`);
    const main = path.join(repoRoot, 'dist', 'platform', 'main.js');
    const result = await run(process.execPath, [main, ...args, '--port', '0', '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
    expect(existsSync(dataDir)).toBe(false);
  });
});
