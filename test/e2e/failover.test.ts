import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, workspaceKubeconfig, type AgentProcess } from './helpers/agent.js';
import { kplane, startDevPlatform, type DevPlatform, type RunResult } from './helpers/cli.js';
import { adminKubectl, loggedInUser, type LoggedInUser } from './helpers/identity.js';
import { eventually } from './helpers/wait.js';

// Failover as a user lives it, with real processes: one platform (no demo inventory), three member
// clusters that are workspaces of it (root:m-eu-1..3, which the agents cannot tell from separate
// servers), one `kplane agent` per member with a 1 s lease (grace 5 s), and users deploying from their
// home workspaces. SIGKILL an agent: the hub marks its cluster Unknown and unreachable, the placement
// moves, the app comes up on the third member; the dead agent, back, removes what it had applied.
// Two tenants deploying the same names onto the same members never meet. Checked with the real kubectl.

const CLUSTERS = ['eu-1', 'eu-2', 'eu-3'];
const member = (cluster: string) => `root:m-${cluster}`;
const AVAILABLE = 'ManagedClusterConditionAvailable';
const UNREACHABLE = 'cluster.open-cluster-management.io/unreachable';
const TENANT_NAMESPACE_LABEL = 'work.kplane.io/namespace';
const TENANT_WORKSPACE_LABEL = 'work.kplane.io/workspace';

let platform: DevPlatform;
let scratch: string;
let hubKubeconfig: string;
const memberKubeconfigs = new Map<string, string>();
const agents = new Map<string, AgentProcess>();

const ok = (result: RunResult) => {
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
};
const admin = (workspace: string, ...args: string[]) => adminKubectl(platform, workspace, ...args);

const app = (color: string) => `apiVersion: apps/v1
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
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data: {color: ${color}}
`;

function runAgent(cluster: string): AgentProcess {
  const agent = startAgent([
    '--cluster-name',
    cluster,
    '--hub-kubeconfig',
    hubKubeconfig,
    '--member-kubeconfig',
    memberKubeconfigs.get(cluster)!,
    '--label',
    'region=eu-west',
    '--capacity',
    'cpu=4',
    '--auto-accept',
    '--lease-seconds',
    '1',
    '--resync-seconds',
    '1',
  ]);
  agents.set(cluster, agent);
  return agent;
}

/** The clusters a user's placement decided, sorted. */
async function decided(user: LoggedInUser, placement: string): Promise<string[]> {
  const listed = await user.kubectl('get', 'placementdecisions', '-o', 'json');
  if (listed.code !== 0) return [];
  const items = (
    JSON.parse(listed.stdout) as {
      items: {
        metadata: { labels?: Record<string, string> };
        status?: { decisions?: { clusterName: string }[] };
      }[];
    }
  ).items;
  return items
    .filter((pd) => pd.metadata.labels?.['cluster.open-cluster-management.io/placement'] === placement)
    .flatMap((pd) => pd.status?.decisions ?? [])
    .map((d) => d.clusterName)
    .sort();
}

interface MemberObject {
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

/** The app objects a tenant (its home workspace as a label value, namespace `default`) holds on a member. */
async function tenantObjects(cluster: string, workspaceLabel: string): Promise<MemberObject[]> {
  const result = await admin(
    member(cluster),
    'get',
    'deployments,services,configmaps',
    '-A',
    '-l',
    `${TENANT_WORKSPACE_LABEL}=${workspaceLabel},${TENANT_NAMESPACE_LABEL}=default`,
    '-o',
    'json',
  );
  if (result.code !== 0) throw new Error(`kubectl against ${member(cluster)}: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { items: MemberObject[] }).items;
}
const summary = (objects: MemberObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const APP_OBJECTS = ['ConfigMap/settings', 'Deployment/web', 'Service/web'];

interface ClusterState {
  spec?: { taints?: { key: string; effect: string }[] };
  status?: { conditions?: { type: string; status: string; reason?: string }[] };
}
async function managedCluster(name: string): Promise<ClusterState> {
  return JSON.parse(
    ok(await admin('root:compute', 'get', 'managedcluster', name, '-o', 'json')),
  ) as ClusterState;
}
const availability = (cluster: ClusterState) =>
  cluster.status?.conditions?.find((c) => c.type === AVAILABLE)?.status;

async function deploySummary(user: LoggedInUser, name: string) {
  const status = await user.kplane('deploy', 'status', name, '-o', 'json');
  if (status.code !== 0) return undefined;
  return (JSON.parse(status.stdout) as { summary: { total?: number; available?: number } }).summary;
}

/** The member label value of the user's home workspace (`root:users:x` is written `root.users.x`). */
async function homeLabel(user: LoggedInUser): Promise<string> {
  return ok(await user.kplane('ws', 'current', '--short'))
    .trim()
    .replaceAll(':', '.');
}

/** A user in their home workspace with the `eu` set bound, a placement, and an app folder. */
async function tenant(name: string, color: string, placeFlags: string[]) {
  const user = await loggedInUser(platform, name);
  ok(await user.kplane('ws', 'use', '~'));
  ok(await user.kplane('bind', 'clusterset', 'eu'));
  ok(await user.kplane('place', 'web', '--where', 'region=eu-west', ...placeFlags));
  const dir = path.join(user.sandbox.dir, 'app');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'app.yaml'), app(color));
  return { user, dir, label: await homeLabel(user) };
}

beforeAll(async () => {
  platform = await startDevPlatform();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-failover-'));
  const setup = path.join(scratch, 'members.yaml');
  writeFileSync(
    setup,
    CLUSTERS.map(
      (cluster) => `apiVersion: tenancy.kcp.io/v1alpha1
kind: Workspace
metadata: {name: m-${cluster}}
spec: {type: {name: universal, path: root}}
`,
    ).join('---\n'),
  );
  ok(await admin('root', 'apply', '-f', setup));
  // The set users may bind (kplane's default grant names `eu`): every cluster that reports an EU region.
  const set = path.join(scratch, 'eu-set.yaml');
  writeFileSync(
    set,
    `apiVersion: cluster.open-cluster-management.io/v1beta2
kind: ManagedClusterSet
metadata: {name: eu}
spec:
  clusterSelector:
    selectorType: LabelSelector
    labelSelector: {matchLabels: {region: eu-west}}
`,
  );
  ok(await admin('root:compute', 'apply', '-f', set));
  hubKubeconfig = workspaceKubeconfig(platform.adminKubeconfig, platform.url, 'root:compute', scratch);
  for (const cluster of CLUSTERS) {
    ok(
      await admin(
        'root',
        'wait',
        '--for=jsonpath={.status.phase}=Ready',
        `workspace/m-${cluster}`,
        '--timeout=20s',
      ),
    );
    memberKubeconfigs.set(
      cluster,
      workspaceKubeconfig(platform.adminKubeconfig, platform.url, member(cluster), scratch),
    );
  }
  for (const cluster of CLUSTERS) runAgent(cluster);
  for (const cluster of CLUSTERS)
    await agents.get(cluster)!.waitForStderr(new RegExp(`kplane agent for cluster ${cluster} is running`));
}, 120_000);

afterAll(async () => {
  for (const agent of agents.values()) await agent.stop();
  await platform?.stop();
  for (const user of [dana, erin]) user?.user.sandbox.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

let dana: Awaited<ReturnType<typeof tenant>>;
let erin: Awaited<ReturnType<typeof tenant>>;

describe('failover: a dead agent moves the app to a cluster that still satisfies the placement', () => {
  let chosen: string[] = [];
  let dead = '';
  let replacement = '';

  it('deploys a Deployment, a Service and a ConfigMap to the two clusters the placement decided, and nowhere else', async () => {
    dana = await tenant('dana', 'blue', ['--clusters', '2']);
    const deployed = await dana.user.kplane(
      'deploy',
      'web',
      '-f',
      dana.dir,
      '--placement',
      'web',
      '--wait',
      '--timeout',
      '60s',
    );
    expect(deployed.code, deployed.stderr).toBe(0);
    chosen = await decided(dana.user, 'web');
    expect(chosen).toHaveLength(2);
    for (const cluster of CLUSTERS) {
      const objects = await tenantObjects(cluster, dana.label);
      expect(summary(objects), cluster).toEqual(chosen.includes(cluster) ? APP_OBJECTS : []);
    }
    expect(await deploySummary(dana.user, 'web')).toMatchObject({ total: 2, available: 2 });
  }, 120_000);

  it('after SIGKILL of one agent: Unknown and unreachable on the hub, the decision and the app move to the third cluster', async () => {
    [dead = ''] = chosen;
    replacement = CLUSTERS.find((cluster) => !chosen.includes(cluster)) ?? '';
    await agents.get(dead)!.kill9();

    const cluster = await eventually(
      () => managedCluster(dead),
      (c) => availability(c) === 'Unknown' && (c.spec?.taints ?? []).some((t) => t.key === UNREACHABLE),
      30_000,
    );
    expect(cluster.status?.conditions?.find((c) => c.type === AVAILABLE)).toMatchObject({
      status: 'Unknown',
      reason: 'ManagedClusterLeaseUpdateStopped',
    });
    expect(cluster.spec?.taints).toContainEqual(
      expect.objectContaining({ key: UNREACHABLE, effect: 'NoSelect' }),
    );

    const moved = await eventually(
      () => decided(dana.user, 'web'),
      (clusters) => clusters.includes(replacement) && !clusters.includes(dead),
      15_000,
    );
    expect(moved).toEqual(
      chosen
        .filter((c) => c !== dead)
        .concat(replacement)
        .sort(),
    );
    const onReplacement = await eventually(
      () => tenantObjects(replacement, dana.label),
      (objects) => objects.length === 3,
      20_000,
    );
    expect(summary(onReplacement)).toEqual(APP_OBJECTS);
    expect(
      await eventually(
        () => deploySummary(dana.user, 'web'),
        (s) => s?.available === 2 && s.total === 2,
        20_000,
      ),
    ).toMatchObject({ total: 2, available: 2 });
  }, 90_000);

  it('the dead member, back, has its stale objects removed and nothing is duplicated anywhere', async () => {
    runAgent(dead);
    await agents.get(dead)!.waitForStderr(new RegExp(`kplane agent for cluster ${dead} is running`));
    expect(
      summary(
        await eventually(
          () => tenantObjects(dead, dana.label),
          (objects) => objects.length === 0,
          20_000,
        ),
      ),
    ).toEqual([]);
    // Back and Available again: the hub takes the taint off (the placement keeps its healthy choices).
    const back = await eventually(
      () => managedCluster(dead),
      (c) => availability(c) === 'True' && !(c.spec?.taints ?? []).some((t) => t.key === UNREACHABLE),
      15_000,
    );
    expect(availability(back)).toBe('True');
    expect(await decided(dana.user, 'web')).toEqual(
      chosen
        .filter((c) => c !== dead)
        .concat(replacement)
        .sort(),
    );
    for (const cluster of CLUSTERS) {
      const objects = await tenantObjects(cluster, dana.label);
      expect(summary(objects), cluster).toEqual(cluster === dead ? [] : APP_OBJECTS);
    }
    expect(await deploySummary(dana.user, 'web')).toMatchObject({ total: 2, available: 2 });
  }, 60_000);
});

describe('two tenants deploying the same names onto the same members', () => {
  it('both land, each in its own namespace, neither overwrites nor sees the other', async () => {
    erin = await tenant('erin', 'red', []);
    const deployed = await erin.user.kplane(
      'deploy',
      'web',
      '-f',
      erin.dir,
      '--placement',
      'web',
      '--wait',
      '--timeout',
      '60s',
    );
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(await decided(erin.user, 'web')).toEqual(CLUSTERS);
    expect(erin.label).not.toBe(dana.label);
    const shared = await decided(dana.user, 'web');
    for (const cluster of shared) {
      const mine = await tenantObjects(cluster, dana.label);
      const theirs = await tenantObjects(cluster, erin.label);
      expect(summary(mine)).toEqual(APP_OBJECTS);
      expect(summary(theirs)).toEqual(APP_OBJECTS);
      const namespaceOf = (objects: MemberObject[]) => [...new Set(objects.map((o) => o.metadata.namespace))];
      expect(namespaceOf(mine)).toHaveLength(1);
      expect(namespaceOf(theirs)).toHaveLength(1);
      expect(namespaceOf(mine)[0]).not.toBe(namespaceOf(theirs)[0]);
      const color = (objects: MemberObject[]) => objects.find((o) => o.kind === 'ConfigMap')?.data?.color;
      expect(color(mine)).toBe('blue');
      expect(color(theirs)).toBe('red');
    }
    expect(await deploySummary(dana.user, 'web')).toMatchObject({ total: 2, available: 2 });
    expect(await deploySummary(erin.user, 'web')).toMatchObject({ total: 3, available: 3 });
    // Each sees only their own deploy.
    for (const [who, other] of [
      [dana, erin],
      [erin, dana],
    ] as const) {
      const listed = ok(await who.user.kplane('deploy', 'list', '-o', 'json'));
      const deploys = JSON.parse(listed) as { metadata: { name: string; namespace: string } }[];
      expect(deploys.map((d) => d.metadata.name)).toEqual(['web']);
      const peek = await who.user.kubectl(
        '--server',
        `${platform.url}/clusters/${other.label.replaceAll('.', ':')}`,
        'get',
        'manifestworkreplicasets',
      );
      expect(peek.code).not.toBe(0);
    }
  }, 120_000);
});

describe('a cluster the owner denies', () => {
  it('turns unschedulable (HubAccepted False, Unknown, unreachable) and the deploys move off it', async () => {
    const [denied = ''] = await decided(erin.user, 'web');
    const owner = {
      HOME: scratch,
      KUBECONFIG: platform.adminKubeconfig,
      KUBECACHEDIR: path.join(scratch, 'cache'),
    };
    // These agents run with --auto-accept and the owner's credential, so a running one would accept its
    // cluster again; a joined agent's token is revoked on deny. Stop it first: its lease is still fresh.
    await agents.get(denied)!.kill9();
    ok(await kplane(['cluster', 'deny', denied], { env: owner }));
    const condition = (c: ClusterState, type: string) => c.status?.conditions?.find((x) => x.type === type);
    const cluster = await eventually(
      () => managedCluster(denied),
      (c) =>
        (c.spec?.taints ?? []).some((t) => t.key === UNREACHABLE) &&
        condition(c, 'HubAcceptedManagedCluster')?.status === 'False' &&
        condition(c, AVAILABLE)?.status === 'Unknown',
      15_000,
    );
    expect(condition(cluster, 'HubAcceptedManagedCluster')).toMatchObject({
      status: 'False',
      reason: 'HubClusterAdminDenied',
    });
    expect(condition(cluster, AVAILABLE)).toMatchObject({
      status: 'Unknown',
      reason: 'HubClusterAdminDenied',
    });
    expect(
      await eventually(
        () => decided(erin.user, 'web'),
        (clusters) => !clusters.includes(denied),
        15_000,
      ),
    ).toEqual(CLUSTERS.filter((c) => c !== denied));
    expect(await decided(dana.user, 'web')).not.toContain(denied);
    expect(
      await eventually(
        () => deploySummary(erin.user, 'web'),
        (s) => s?.total === 2,
        20_000,
      ),
    ).toMatchObject({ total: 2, available: 2 });
  }, 60_000);
});
