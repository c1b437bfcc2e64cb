import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, workspaceKubeconfig, type AgentProcess } from './helpers/agent.js';
import { kplane, kplaneBin, type RunResult } from './helpers/cli.js';
import { adminKubectlAt, startPlatformProcess, type PlatformProcess } from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// `kplane deploy` end to end with real agents: root:compute is the hub, three workspaces of the same
// platform play member clusters (two in eu-west, one in us-east), each joined by `kplane agent`,
// and a tenant workspace deploys with the CLI. What landed where is checked with the real kubectl
// against the members, right after `--wait` returns: it must mean "every decided cluster runs THIS
// version", also after an update.

const MEMBERS = [
  { cluster: 'eu-1', workspace: 'member-eu-1', region: 'eu-west' },
  { cluster: 'eu-2', workspace: 'member-eu-2', region: 'eu-west' },
  { cluster: 'us-1', workspace: 'member-us-1', region: 'us-east' },
];
const TEAM = 'root:team';

let platform: PlatformProcess;
let scratch: string;
let at: ReturnType<typeof adminKubectlAt>;
let env: Record<string, string>;
const agents: AgentProcess[] = [];

const ok = (result: RunResult) => expect(`${result.code} ${result.stderr}`).toMatch(/^0 /);
const cli = (...args: string[]) => kplane([...args, '-n', 'shop'], { env, timeoutMs: 90_000 });

const app = (image: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "${image}"}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: blue}
${extra}`;

function file(name: string, text: string): string {
  const target = path.join(scratch, name);
  writeFileSync(target, text);
  return target;
}

/** The tenant's namespace on a member (found by its labels), or undefined when nothing landed there. */
async function memberNamespace(workspace: string): Promise<string | undefined> {
  const result = await at(`/clusters/root:${workspace}`, [
    'get',
    'namespaces',
    '-l',
    'work.kplane.io/workspace=root.team,work.kplane.io/namespace=shop',
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  ok(result);
  return result.stdout.trim() || undefined;
}

async function memberGet(workspace: string, ...args: string[]): Promise<RunResult> {
  const namespace = (await memberNamespace(workspace)) ?? 'none';
  return at(`/clusters/root:${workspace}`, ['get', ...args, '-n', namespace]);
}

interface StatusJson {
  clusters: {
    cluster: string;
    applied: string;
    available: string;
    current: boolean;
    error?: string;
    desiredReplicas?: number;
  }[];
  progress: { state: string };
}

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-deploy-agent-'));
  at = adminKubectlAt(platform, path.join(scratch, 'cache'));
  const workspaces = [...MEMBERS.map((m) => m.workspace), 'team']
    .map(
      (name) =>
        `apiVersion: tenancy.kcp.io/v1alpha1\nkind: Workspace\nmetadata: {name: ${name}}\nspec: {type: {name: universal, path: root}}`,
    )
    .join('\n---\n');
  ok(await at('/clusters/root', ['apply', '-f', '-'], workspaces));
  for (const name of [...MEMBERS.map((m) => m.workspace), 'team'])
    ok(await at('/clusters/root', ['wait', '--for=jsonpath={.status.phase}=Ready', `workspace/${name}`]));
  // OCM's hub makes a cluster's namespace when it accepts the cluster; here the test makes them.
  ok(
    await at(
      '/clusters/root:compute',
      ['apply', '-f', '-'],
      MEMBERS.map((m) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${m.cluster}}`).join('\n---\n'),
    ),
  );
  const hub = workspaceKubeconfig(platform.kubeconfig, platform.url, 'root:compute', scratch);
  for (const member of MEMBERS) {
    const agent = startAgent([
      '--cluster-name',
      member.cluster,
      '--hub-kubeconfig',
      hub,
      '--member-kubeconfig',
      workspaceKubeconfig(platform.kubeconfig, platform.url, `root:${member.workspace}`, scratch),
      '--auto-accept',
      '--label',
      `region=${member.region}`,
      '--resync-seconds',
      '1',
    ]);
    agents.push(agent);
    await agent.waitForStderr(new RegExp(`kplane agent for cluster ${member.cluster} is running`));
  }
  ok(
    await at(
      `/clusters/${TEAM}`,
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: cluster.open-cluster-management.io/v1beta2
kind: ManagedClusterSetBinding
metadata: {name: global, namespace: shop}
spec: {clusterSet: global}
---
apiVersion: cluster.open-cluster-management.io/v1beta1
kind: Placement
metadata: {name: eu, namespace: shop}
spec:
  numberOfClusters: 2
  predicates:
  - requiredClusterSelector:
      labelSelector: {matchLabels: {region: eu-west}}
`,
    ),
  );
  env = {
    HOME: scratch,
    KUBECONFIG: workspaceKubeconfig(platform.kubeconfig, platform.url, TEAM, scratch),
    KUBECACHEDIR: path.join(scratch, 'cache'),
  };
  // The placement decides once the agents' clusters are registered and available.
  await eventually(
    () =>
      at(`/clusters/${TEAM}`, ['get', 'placementdecisions', '-n', 'shop', '-o', 'jsonpath={..clusterName}']),
    (result) => result.stdout.split(' ').filter(Boolean).length === 2,
    20_000,
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('kplane deploy with agents on real member clusters', () => {
  it('--wait returns once both eu-west members run the app, and nothing lands in us-east', async () => {
    const deployed = await cli(
      'deploy',
      'web',
      '-f',
      file('v1.yaml', app('nginx:1.25')),
      '--placement',
      'eu',
      '--wait',
      '--timeout',
      '25s',
    );
    ok(deployed);
    expect(deployed.stderr).toContain('deploy "web" is available on every cluster');
    for (const member of MEMBERS.slice(0, 2)) {
      const image = await memberGet(
        member.workspace,
        'deployment',
        'web',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image}',
      );
      ok(image);
      expect(image.stdout).toBe('nginx:1.25');
      ok(await memberGet(member.workspace, 'service', 'web'));
      ok(await memberGet(member.workspace, 'configmap', 'settings'));
    }
    expect(await memberNamespace('member-us-1')).toBeUndefined();

    const status = await cli('deploy', 'status', 'web', '-o', 'json');
    ok(status);
    const parsed = JSON.parse(status.stdout) as StatusJson;
    expect(parsed.progress).toEqual({ state: 'done' });
    expect(
      parsed.clusters.map((c) => [c.cluster, c.applied, c.available, c.current, c.desiredReplicas]),
    ).toEqual([
      ['eu-1', 'True', 'True', true, 2],
      ['eu-2', 'True', 'True', true, 2],
    ]);
    const table = await cli('deploy', 'status', 'web');
    ok(table);
    // In a pipe: tab-separated rows, no header; the summary on stderr.
    expect(table.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^eu-1\tTrue\tTrue\t/),
      expect.stringMatching(/^eu-2\tTrue\tTrue\t/),
    ]);
    expect(table.stderr).toContain('deploy web: 2/2 clusters available');
  }, 120_000);

  it('after an image change, --wait returns only when every member has the new image', async () => {
    const updated = await cli(
      'deploy',
      'web',
      '-f',
      file('v2.yaml', app('nginx:1.27')),
      '--placement',
      'eu',
      '--wait',
      '--timeout',
      '25s',
    );
    ok(updated);
    // No waiting here: --wait promised that every decided member already has it.
    for (const member of MEMBERS.slice(0, 2)) {
      const image = await memberGet(
        member.workspace,
        'deployment',
        'web',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image}',
      );
      expect(image.stdout).toBe('nginx:1.27');
    }
  }, 120_000);

  it("shows a manifest the member refuses as Applied=False with the member's message; --wait exits 1; the rest applies", async () => {
    const refused = `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: Not_A_Name}\ndata: {a: "1"}\n`;
    const waited = await cli(
      'deploy',
      'web',
      '-f',
      file('bad.yaml', app('nginx:1.27', refused)),
      '--placement',
      'eu',
      '--wait',
      '--timeout',
      '25s',
    );
    expect(waited.code, waited.stderr).toBe(1);
    expect(waited.stderr).toMatch(/deploy "web" failed: eu-\d: .*Not_A_Name/);

    // --wait stopped at the first refusal; the other member reports within its next pass.
    const parsed = await eventually(
      async () => JSON.parse((await cli('deploy', 'status', 'web', '-o', 'json')).stdout) as StatusJson,
      (s) => s.clusters.every((c) => c.applied === 'False'),
      15_000,
    );
    expect(parsed.clusters).toHaveLength(2);
    for (const cluster of parsed.clusters) {
      expect(cluster.applied).toBe('False');
      expect(cluster.error).toMatch(/Not_A_Name/);
    }
    const table = await cli('deploy', 'status', 'web');
    expect(table.stdout).toMatch(/^eu-1\tFalse\t.*Not_A_Name/m);
    for (const member of MEMBERS.slice(0, 2)) {
      ok(await memberGet(member.workspace, 'deployment', 'web'));
      ok(await memberGet(member.workspace, 'configmap', 'settings'));
    }
  }, 120_000);

  it('--watch in a pipe prints one line per changed cluster', async () => {
    const child = spawn(process.execPath, [kplaneBin, 'deploy', 'status', 'web', '--watch', '-n', 'shop'], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const lines = () => out.split('\n').filter(Boolean);
      await eventually(
        async () => lines(),
        (l) => l.length >= 2,
        20_000,
      );
      expect(lines()).toEqual([
        expect.stringMatching(/^\S+Z\teu-1\tFalse\t/),
        expect.stringMatching(/^\S+Z\teu-2\tFalse\t/),
      ]);
      ok(await cli('deploy', 'web', '-f', file('v3.yaml', app('nginx:1.27')), '--placement', 'eu'));
      const after = await eventually(
        async () => lines(),
        (l) =>
          l.some((line) => /\teu-1\tTrue\tTrue\t/.test(line)) &&
          l.some((line) => /\teu-2\tTrue\tTrue\t/.test(line)),
        30_000,
      );
      expect(after.some((line) => /\teu-1\tTrue\tTrue\t/.test(line))).toBe(true);
    } finally {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  }, 120_000);

  it('delete --wait returns when the works are gone, and the agents then clean the members', async () => {
    ok(await cli('deploy', 'delete', 'web', '--wait', '--timeout', '60s'));
    // The platform does not hold a deleted object for its finalizers yet, so the agent's cleanup
    // finalizer cannot keep the work until the member is clean (as on an OCM hub): the agents
    // remove what a vanished work applied on their next pass.
    for (const member of MEMBERS.slice(0, 2)) {
      const left = await eventually(
        () => memberGet(member.workspace, 'deployment', 'web'),
        (result) => result.code !== 0,
        15_000,
      );
      expect(left.code).not.toBe(0);
    }
    const works = await at('/clusters/root:compute', [
      'get',
      'manifestworks',
      '-A',
      '-l',
      'work.kplane.io/namespace=shop',
      '-o',
      'name',
    ]);
    ok(works);
    expect(works.stdout.trim()).toBe('');
  }, 120_000);
});
