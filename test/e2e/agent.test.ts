import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, workspaceKubeconfig, type AgentProcess } from './helpers/agent.js';
import { kplane, repoRoot, type RunResult } from './helpers/cli.js';
import { adminKubectlAt, startPlatformProcess, type PlatformProcess } from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// `kplane agent` as a real process between two workspaces of one platform: root:compute is the hub (its
// ManagedClusters; ManifestWork from OCM's own CRD until the platform serves it; cluster namespace = the
// cluster's name) and root:agent-member plays the member cluster. The agent sees only two kubeconfigs, so it cannot tell them from
// two servers; one process keeps the shared 2-core machine free. Everything is checked with the real kubectl.

let platform: PlatformProcess;
let scratch: string;
let admin: ReturnType<typeof adminKubectlAt>;
let hubKubeconfig: string;
let memberKubeconfig: string;
let agent: AgentProcess | undefined;

const HUB = 'root:compute';
const MEMBER = 'root:agent-member';
const CLUSTER = 'member-1';
const OWNER_LABEL = 'work.kplane.io/manifestwork';
const at = (workspace: string, args: string[], input?: string) =>
  admin(`/clusters/${workspace}`, args, input);
const applyJson = (workspace: string, ...items: object[]) =>
  at(workspace, ['apply', '-f', '-'], items.map((item) => JSON.stringify(item)).join('\n'));
const ok = (result: RunResult) => expect(result.code, result.stderr).toBe(0);
const MANIFEST_WORKS = path.join(
  repoRoot,
  'test/e2e/fixtures/ocm/0000_00_work.open-cluster-management.io_manifestworks.crd.yaml',
);

const workspace = (name: string) => ({
  apiVersion: 'tenancy.kcp.io/v1alpha1',
  kind: 'Workspace',
  metadata: { name },
  spec: { type: { name: 'universal', path: 'root' } },
});
const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const configMap = (name: string, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'apps' },
  data,
});
const deployment = (name: string, image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'apps' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
  },
});
const manifestWork = (name: string, manifests: object[]) => ({
  apiVersion: 'work.open-cluster-management.io/v1',
  kind: 'ManifestWork',
  metadata: { name, namespace: CLUSTER },
  spec: { workload: { manifests } },
});

interface Condition {
  type: string;
  status: string;
  message?: string;
}
interface WorkStatus {
  metadata: { finalizers?: string[] };
  status?: {
    conditions?: Condition[];
    resourceStatus?: {
      manifests?: {
        resourceMeta: { kind: string; name: string };
        conditions: Condition[];
        statusFeedback?: { values?: unknown[] };
      }[];
    };
  };
}

async function readWork(name: string): Promise<WorkStatus | undefined> {
  const result = await at(HUB, ['get', 'manifestwork', name, '-n', CLUSTER, '-o', 'json']);
  return result.code === 0 ? (JSON.parse(result.stdout) as WorkStatus) : undefined;
}
const condition = (conditions: Condition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);
const manifestCondition = (work: WorkStatus | undefined, name: string, type: string) =>
  condition(
    work?.status?.resourceStatus?.manifests?.find((m) => m.resourceMeta.name === name)?.conditions,
    type,
  );

/** The names of every object of `kind` the agent labelled for `work` on the member. */
async function memberObjects(kind: string, work: string): Promise<{ name: string; uid: string }[]> {
  const result = await at(MEMBER, [
    'get',
    kind,
    '-n',
    'apps',
    '-l',
    `${OWNER_LABEL}=${CLUSTER}.${work}`,
    '-o',
    'json',
  ]);
  ok(result);
  const items = (JSON.parse(result.stdout) as { items: { metadata: { name: string; uid: string } }[] }).items;
  return items
    .map((item) => ({ name: item.metadata.name, uid: item.metadata.uid }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
const names = (objects: { name: string }[]) => objects.map((object) => object.name);

function runAgent(cluster = CLUSTER, ...flags: string[]): AgentProcess {
  return startAgent([
    '--cluster-name',
    cluster,
    '--hub-kubeconfig',
    hubKubeconfig,
    '--member-kubeconfig',
    memberKubeconfig,
    '--resync-seconds',
    '1',
    ...(flags.length > 0
      ? flags
      : ['--auto-accept', '--label', 'region=eu-west', '--capacity', 'cpu=4', '--lease-seconds', '4']),
  ]);
}

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-agent-'));
  admin = adminKubectlAt(platform, path.join(scratch, 'cache'));
  ok(await applyJson('root', workspace('agent-hub'), workspace('agent-member')));
  for (const name of ['agent-hub', 'agent-member'])
    ok(
      await at('root', [
        'wait',
        '--for=jsonpath={.status.phase}=Ready',
        `workspace/${name}`,
        '--timeout=10s',
      ]),
    );
  ok(await at(HUB, ['apply', '-f', MANIFEST_WORKS]));
  ok(await applyJson(HUB, namespace(CLUSTER)));
  ok(await applyJson(MEMBER, namespace('apps')));
  hubKubeconfig = workspaceKubeconfig(platform.kubeconfig, platform.url, HUB, scratch);
  memberKubeconfig = workspaceKubeconfig(platform.kubeconfig, platform.url, MEMBER, scratch);
  agent = runAgent();
  await agent.waitForStderr(/kplane agent for cluster member-1 is running/);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await platform?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

interface ManagedCluster {
  metadata: { labels?: Record<string, string> };
  spec?: { hubAcceptsClient?: boolean };
  status?: { conditions?: Condition[]; allocatable?: Record<string, string> };
}
async function readJson<T>(workspace: string, ...args: string[]): Promise<T | undefined> {
  const result = await at(workspace, ['get', ...args, '-o', 'json']);
  return result.code === 0 ? (JSON.parse(result.stdout) as T) : undefined;
}

describe('kplane agent registers its cluster with the hub', () => {
  it('registers a ManagedCluster with its labels, capacity and Available, and renews its lease', async () => {
    const cluster = await eventually(
      () => readJson<ManagedCluster>(HUB, 'managedcluster', CLUSTER),
      (c) => condition(c?.status?.conditions, 'ManagedClusterConditionAvailable')?.status === 'True',
    );
    expect(cluster?.metadata.labels?.region).toBe('eu-west');
    expect(cluster?.spec?.hubAcceptsClient).toBe(true);
    expect(cluster?.status?.allocatable?.cpu).toBe('4');
    type Lease = { spec: { renewTime: string } };
    const first = await readJson<Lease>(HUB, 'lease', 'managed-cluster-lease', '-n', CLUSTER);
    expect(first?.spec.renewTime).toBeTruthy();
    const renewed = await eventually(
      () => readJson<Lease>(HUB, 'lease', 'managed-cluster-lease', '-n', CLUSTER),
      (lease) => lease !== undefined && lease.spec.renewTime !== first?.spec.renewTime,
    );
    expect(renewed?.spec.renewTime).not.toBe(first?.spec.renewTime);
  }, 30_000);

  it('applies nothing until the compute owner runs kplane cluster accept', async () => {
    const waiting = runAgent('member-2', '--label', 'region=us-east');
    try {
      await waiting.waitForStderr(/waits for the hub to accept it: kplane cluster accept member-2/);
      const registered = await readJson<ManagedCluster>(HUB, 'managedcluster', 'member-2');
      expect(registered).toBeDefined();
      expect(registered?.spec?.hubAcceptsClient ?? false).toBe(false);
      ok(await applyJson(HUB, namespace('member-2')));
      ok(
        await applyJson(HUB, {
          ...manifestWork('early', [configMap('early', { v: '1' })]),
          metadata: { name: 'early', namespace: 'member-2' },
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const early = await at(MEMBER, ['get', 'configmap', 'early', '-n', 'apps']);
      expect(early.code).not.toBe(0);

      const env = {
        HOME: scratch,
        KUBECONFIG: platform.kubeconfig,
        KUBECACHEDIR: path.join(scratch, 'cache'),
      };
      const accepted = await kplane(['cluster', 'accept', 'member-2'], { env });
      ok(accepted);
      expect(accepted.stderr).toContain('cluster member-2 accepted');
      const applied = await eventually(
        () => at(MEMBER, ['get', 'configmap', 'early', '-n', 'apps', '-o', 'jsonpath={.data.v}']),
        (result) => result.code === 0,
        15_000,
      );
      expect(applied.stdout).toBe('1');
      const unknown = await kplane(['cluster', 'accept', 'nobody'], { env });
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toMatch(/cluster "nobody" has not registered/);
    } finally {
      await waiting.stop();
    }
  }, 60_000);
});

describe('kplane agent refuses bad input before it touches hub or member', () => {
  it.each([
    [['--cluster-name', 'Bad_Name'], /invalid cluster name "Bad_Name"/],
    [['--cluster-name', 'member-9', '--label', 'region'], /--label region: expected KEY=VALUE/],
  ])('%j', async (flags, message) => {
    const result = await kplane(
      ['agent', '--hub-kubeconfig', hubKubeconfig, '--member-kubeconfig', memberKubeconfig, ...flags],
      { env: { HOME: scratch } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await readJson(HUB, 'managedcluster', 'member-9')).toBeUndefined();
  });
});

describe('kplane agent applies ManifestWorks to its member', () => {
  it('applies a work by server-side apply and reports Applied and Available on the hub', async () => {
    const web = manifestWork('web', [
      deployment('web', 'nginx:1.25'),
      configMap('web-config', { greeting: 'hello' }),
    ]);
    const feedback = {
      resourceIdentifier: { group: 'apps', resource: 'deployments', name: 'web', namespace: 'apps' },
      feedbackRules: [
        { type: 'WellKnownStatus' },
        {
          type: 'JSONPaths',
          jsonPaths: [{ name: 'image', path: '.spec.template.spec.containers[0].image' }],
        },
      ],
    };
    ok(await applyJson(HUB, { ...web, spec: { ...web.spec, manifestConfigs: [feedback] } }));
    const work = await eventually(
      () => readWork('web'),
      (w) => condition(w?.status?.conditions, 'Available')?.status === 'True',
      15_000,
    );
    expect(condition(work?.status?.conditions, 'Applied')?.status).toBe('True');
    const deploymentStatus = work?.status?.resourceStatus?.manifests?.find(
      (m) => m.resourceMeta.name === 'web',
    );
    expect(deploymentStatus?.statusFeedback?.values).toContainEqual({
      name: 'image',
      fieldValue: { type: 'String', string: 'nginx:1.25' },
    });
    for (const name of ['web', 'web-config']) {
      expect(manifestCondition(work, name, 'Applied')?.status).toBe('True');
      expect(manifestCondition(work, name, 'Available')?.status).toBe('True');
    }
    const image = await at(MEMBER, [
      'get',
      'deployment',
      'web',
      '-n',
      'apps',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
    ok(image);
    expect(image.stdout).toBe('nginx:1.25');
    const managers = await at(MEMBER, [
      'get',
      'configmap',
      'web-config',
      '-n',
      'apps',
      '--show-managed-fields',
      '-o',
      'jsonpath={.metadata.managedFields[*].manager}',
    ]);
    expect(managers.stdout).toContain('kplane-agent');
    expect(work?.metadata.finalizers).toContain('cluster.open-cluster-management.io/manifest-work-cleanup');
  }, 30_000);

  it("applies what the member takes and reports the member's message for what it refuses", async () => {
    const refused = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'Not_A_Name', namespace: 'apps' },
    };
    ok(await applyJson(HUB, manifestWork('mixed', [refused, configMap('mixed-ok', { a: '1' })])));
    const work = await eventually(
      () => readWork('mixed'),
      (w) => condition(w?.status?.conditions, 'Applied')?.status === 'False',
      15_000,
    );
    const failed = manifestCondition(work, 'Not_A_Name', 'Applied');
    expect(failed?.status).toBe('False');
    expect(failed?.message).toMatch(/Not_A_Name/);
    expect(manifestCondition(work, 'mixed-ok', 'Applied')?.status).toBe('True');
    expect(names(await memberObjects('configmaps', 'mixed'))).toEqual(['mixed-ok']);
    ok(await at(HUB, ['delete', 'manifestwork', 'mixed', '-n', CLUSTER]));
    expect(
      await eventually(
        () => memberObjects('configmaps', 'mixed'),
        (objects) => objects.length === 0,
      ),
    ).toEqual([]);
  }, 40_000);

  it('deletes from the member what a work no longer holds', async () => {
    ok(await applyJson(HUB, manifestWork('web', [deployment('web', 'nginx:1.25')])));
    const left = await eventually(
      () => memberObjects('configmaps', 'web'),
      (objects) => objects.length === 0,
    );
    expect(left).toEqual([]);
    expect(names(await memberObjects('deployments', 'web'))).toEqual(['web']);
  }, 30_000);

  it('a restart with another --lease-seconds changes the lease the hub judges it by', async () => {
    await agent!.stop();
    agent = runAgent(
      CLUSTER,
      '--auto-accept',
      '--label',
      'region=eu-west',
      '--capacity',
      'cpu=4',
      '--lease-seconds',
      '7',
    );
    const cluster = await eventually(
      () => readJson<{ spec?: { leaseDurationSeconds?: number } }>(HUB, 'managedcluster', CLUSTER),
      (c) => c?.spec?.leaseDurationSeconds === 7,
    );
    expect(cluster?.spec?.leaseDurationSeconds).toBe(7);
  }, 30_000);

  it('after kill -9 and a restart, catches up without duplicating or leaking anything', async () => {
    ok(
      await applyJson(
        HUB,
        manifestWork('web', [deployment('web', 'nginx:1.25'), configMap('web-a', { v: '1' })]),
      ),
    );
    ok(await applyJson(HUB, manifestWork('batch', [configMap('batch-a', { v: '1' })])));
    await eventually(
      () => memberObjects('configmaps', 'batch'),
      (objects) => objects.length === 1,
      15_000,
    );
    const before = await eventually(
      () => memberObjects('configmaps', 'web'),
      (objects) => objects.length === 1,
      15_000,
    );
    const deploymentBefore = await memberObjects('deployments', 'web');

    await agent!.kill9();
    // While the agent is dead: a manifest swapped for another, a whole work deleted (its finalizer keeps it).
    ok(
      await applyJson(
        HUB,
        manifestWork('web', [deployment('web', 'nginx:1.26'), configMap('web-b', { v: '2' })]),
      ),
    );
    ok(await at(HUB, ['delete', 'manifestwork', 'batch', '-n', CLUSTER, '--wait=false']));
    agent = runAgent();

    const after = await eventually(
      () => memberObjects('configmaps', 'web'),
      (objects) => names(objects).join() === 'web-b',
      15_000,
    );
    expect(names(after)).toEqual(['web-b']);
    expect(before.map((o) => o.name)).toEqual(['web-a']);
    expect(
      await eventually(
        () => memberObjects('configmaps', 'batch'),
        (objects) => objects.length === 0,
      ),
    ).toEqual([]);
    expect(
      await eventually(
        () => readWork('batch'),
        (work) => work === undefined,
      ),
    ).toBeUndefined();
    // The Deployment was updated in place, not recreated or duplicated.
    expect(await memberObjects('deployments', 'web')).toEqual(deploymentBefore);
    const image = await eventually(
      () =>
        at(MEMBER, [
          'get',
          'deployment',
          'web',
          '-n',
          'apps',
          '-o',
          'jsonpath={.spec.template.spec.containers[0].image}',
        ]),
      (result) => result.stdout === 'nginx:1.26',
    );
    expect(image.stdout).toBe('nginx:1.26');
  }, 60_000);
});
