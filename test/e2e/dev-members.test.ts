import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kplane, kubectl, type RunResult } from './helpers/cli.js';
import { loggedInUser, type LoggedInUser } from './helpers/identity.js';
import { eventually } from './helpers/wait.js';

// `kplane dev up --demo` as a user meets it: the demo's clusters are real Kubernetes APIs, each joined by a
// kplane agent, so a deploy placed on two clusters of a region lands on exactly those members (seen with
// kubectl against each member), its Deployment simulated to ready, and a member refuses what exceeds its
// capacity with a message that reaches `kplane deploy`.

const DEMO_MEMBERS = [
  'aws-eu-west-1',
  'gcp-eu-west-1',
  'azure-eu-central-1',
  'gcp-eu-central-1',
  'aws-us-east-1',
  'gcp-us-east-1',
  'aws-ap-south-1',
  'azure-ap-south-1',
];
const EU_WEST = ['aws-eu-west-1', 'gcp-eu-west-1'];

interface Ready {
  url: string;
  pid: number;
  dataDir: string;
  kubeconfig: string;
  compute: {
    dir: string;
    membersPid: number;
    agentsPid: number;
    members: { name: string; server: string; kubeconfig: string }[];
  };
}

const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: "nginx:1.27"
        resources: {requests: {cpu: 500m, memory: 256Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
data: {color: blue}
`;

// 4 × 20 cores: more than any eu-west member has (60 and 28 allocatable).
const HUGE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: huge
spec:
  replicas: 4
  selector: {matchLabels: {app: huge}}
  template:
    metadata: {labels: {app: huge}}
    spec:
      containers:
      - name: huge
        image: "nginx:1.27"
        resources: {requests: {cpu: "20"}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: huge-settings
data: {size: large}
`;

let dataDir: string;
let ready: Ready;
let dana: LoggedInUser;
let appDir: string;

const memberKubectl = (member: string, ...args: string[]): Promise<RunResult> =>
  kubectl(['--kubeconfig', path.join(ready.compute.dir, `${member}.kubeconfig`), ...args], {
    env: { KUBECACHEDIR: path.join(dataDir, 'kubectl-cache') },
  });

/** The objects of kind on a member that belong to dana's namespace `default`, by name. */
async function tenantObjects(
  member: string,
  kind: string,
): Promise<
  {
    metadata: { name: string; namespace: string; annotations?: Record<string, string> };
    status?: Record<string, unknown>;
  }[]
> {
  const listed = await memberKubectl(
    member,
    'get',
    kind,
    '-A',
    '-l',
    'work.kplane.io/namespace=default',
    '-o',
    'json',
  );
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout).items;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  const { mkdtempSync } = await import('node:fs');
  const os = await import('node:os');
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kplane-dev-members-'));
  const up = await kplane(
    ['dev', 'up', '--detach', '--demo', '--port', '0', '--data-dir', dataDir, '-o', 'json'],
    {
      timeoutMs: 90_000,
    },
  );
  expect(up.code, up.stderr).toBe(0);
  ready = JSON.parse(up.stdout) as Ready;
  dana = await loggedInUser(
    { ...ready, adminKubeconfig: ready.kubeconfig, stop: async () => undefined },
    'dana',
  );
  expect((await dana.kplane('ws', 'use', '~')).code).toBe(0);
  const bound = await dana.kplane('bind', 'clusterset', 'global');
  expect(bound.code, bound.stderr).toBe(0);
  appDir = path.join(dana.sandbox.dir, 'app');
  mkdirSync(appDir);
  writeFileSync(path.join(appDir, 'app.yaml'), APP);
  writeFileSync(path.join(dana.sandbox.dir, 'huge.yaml'), HUGE);
}, 150_000);

afterAll(async () => {
  await kplane(['dev', 'down', '--data-dir', dataDir]);
  for (const pid of [ready?.pid, ready?.compute?.membersPid, ready?.compute?.agentsPid]) {
    if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
  }
  dana?.sandbox.cleanup();
});

describe('kplane dev up --demo runs its clusters as members joined by agents', () => {
  it('serves each demo cluster as a Kubernetes API with its capacity on a Node, kubeconfigs owner-only', async () => {
    expect(ready.compute.members.map((m) => m.name)).toEqual(DEMO_MEMBERS);
    for (const member of ready.compute.members) {
      expect(member.kubeconfig).toBe(path.join(dataDir, 'members', `${member.name}.kubeconfig`));
      expect(statSync(member.kubeconfig).mode & 0o777).toBe(0o600);
      // The token stays in its file: the kubeconfig names it.
      expect(readFileSync(member.kubeconfig, 'utf8')).toContain('tokenFile:');
    }
    const node = await memberKubectl('gcp-eu-west-1', 'get', 'nodes', '-o', 'json');
    expect(node.code, node.stderr).toBe(0);
    expect(
      JSON.parse(node.stdout).items.map((n: { status: { allocatable: unknown } }) => n.status.allocatable),
    ).toEqual([{ cpu: '28', memory: '112Gi', pods: '110' }]);
  });

  it('keeps the demo ManagedClusters as they were (taints), now reported by their agents', async () => {
    const admin = (...args: string[]) =>
      kubectl(['--kubeconfig', ready.kubeconfig, '--server', `${ready.url}/clusters/root:compute`, ...args]);
    const leases = await eventually(
      () => admin('get', 'leases', '-A', '-o', 'json'),
      (r) => r.code === 0 && JSON.parse(r.stdout).items.length === DEMO_MEMBERS.length,
      20_000,
    );
    expect(
      JSON.parse(leases.stdout)
        .items.map((l: { metadata: { namespace: string } }) => l.metadata.namespace)
        .sort(),
    ).toEqual([...DEMO_MEMBERS].sort());
    const clusters = JSON.parse((await admin('get', 'managedclusters', '-o', 'json')).stdout).items as {
      metadata: { name: string; labels: Record<string, string> };
      spec: { taints?: { key: string; effect: string }[] };
      status: { allocatable: Record<string, string> };
    }[];
    const byName = new Map(clusters.map((c) => [c.metadata.name, c]));
    expect(byName.get('azure-ap-south-1')!.spec.taints).toMatchObject([
      { key: 'kplane.dev/maintenance', effect: 'NoSelect' },
    ]);
    expect(byName.get('gcp-us-east-1')!.spec.taints).toMatchObject([
      { key: 'kplane.dev/spot', effect: 'PreferNoSelect' },
    ]);
    expect(byName.get('aws-eu-west-1')!.metadata.labels).toMatchObject({
      region: 'eu-west',
      provider: 'aws',
      tier: 'gold',
    });
    expect(byName.get('aws-eu-west-1')!.status.allocatable).toMatchObject({ cpu: '60', memory: '240Gi' });
  });

  it('delivers a placed app to exactly the two members of the region, simulated to ready', async () => {
    const placed = await dana.kplane('place', 'eu-west', '--where', 'region=eu-west');
    expect(placed.code, placed.stderr).toBe(0);
    const deployed = await dana.kplane(
      'deploy',
      'web',
      '-f',
      appDir,
      '--placement',
      'eu-west',
      '--wait',
      '--timeout',
      '60s',
    );
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain('is available on every cluster (2/2 available');

    const status = await dana.kplane('deploy', 'status', 'web', '-o', 'json');
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).summary).toMatchObject({ desiredTotal: 2, applied: 2, available: 2 });

    for (const member of DEMO_MEMBERS) {
      const deployments = await tenantObjects(member, 'deployments');
      const services = await tenantObjects(member, 'services');
      const configMaps = await tenantObjects(member, 'configmaps');
      if (!EU_WEST.includes(member)) {
        expect([deployments, services, configMaps], member).toEqual([[], [], []]);
        continue;
      }
      expect(
        deployments.map((d) => d.metadata.name),
        member,
      ).toEqual(['web']);
      expect(
        services.map((s) => s.metadata.name),
        member,
      ).toEqual(['web']);
      expect(
        configMaps.map((c) => c.metadata.name),
        member,
      ).toEqual(['web-settings']);
      const web = deployments[0]!;
      expect(web.metadata.namespace).toMatch(/^default-[0-9a-f]{10}$/);
      expect(web.metadata.annotations).toMatchObject({ 'kplane.dev/simulated': 'true' });
      expect(web.status).toMatchObject({
        replicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
        updatedReplicas: 2,
      });
    }
  });

  it("shows a member's capacity refusal in deploy status, while the deploy's other manifests still apply", async () => {
    const placed = await dana.kplane('place', 'eu-west-huge', '--where', 'region=eu-west');
    expect(placed.code, placed.stderr).toBe(0);
    const file = path.join(dana.sandbox.dir, 'huge.yaml');
    const waited = await dana.kplane(
      'deploy',
      'huge',
      '-f',
      file,
      '--placement',
      'eu-west-huge',
      '--wait',
      '--timeout',
      '60s',
    );
    expect(waited.code).toBe(1);
    expect(waited.stderr).toMatch(
      /exceeded capacity of member cluster (aws|gcp)-eu-west-1: requested: cpu=80/,
    );

    // The table shortens long messages; -o json carries each cluster's in full.
    const status = await dana.kplane('deploy', 'status', 'huge', '-o', 'json');
    expect(status.code, status.stderr).toBe(0);
    const said = (JSON.parse(status.stdout) as { clusters: { error?: string }[] }).clusters
      .map((row) => row.error ?? '')
      .join('\n');
    expect(said).toContain(
      'deployments.apps "huge" is forbidden: exceeded capacity of member cluster aws-eu-west-1: requested: cpu=80, used: cpu=1, allocatable: cpu=60',
    );
    expect(said).toContain(
      'exceeded capacity of member cluster gcp-eu-west-1: requested: cpu=80, used: cpu=1, allocatable: cpu=28',
    );

    for (const member of EU_WEST) {
      expect(
        (await tenantObjects(member, 'deployments')).map((d) => d.metadata.name),
        member,
      ).toEqual(['web']);
      const configMaps = await eventually(
        () => tenantObjects(member, 'configmaps'),
        (items) => items.length === 2,
      );
      expect(configMaps.map((c) => c.metadata.name).sort(), member).toEqual([
        'huge-settings',
        'web-settings',
      ]);
    }
  });

  it('leaves no member or agent behind when the platform is killed outright', async () => {
    expect([alive(ready.compute.membersPid), alive(ready.compute.agentsPid)]).toEqual([true, true]);
    process.kill(ready.pid, 'SIGKILL');
    const gone = await eventually(
      async () => [alive(ready.compute.membersPid), alive(ready.compute.agentsPid)],
      (state) => state.every((up) => !up),
      15_000,
    );
    expect(gone).toEqual([false, false]);
  });
});
