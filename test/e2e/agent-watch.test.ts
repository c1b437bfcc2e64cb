import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, workspaceKubeconfig, type AgentProcess } from './helpers/agent.js';
import type { RunResult } from './helpers/cli.js';
import { adminKubectlAt, startPlatformProcess, type PlatformProcess } from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// `kplane agent` between two platform processes, so each side can be stopped alone: the hub is root:compute of
// one (which serves OCM's work API), the member is root of the other. The agent's full resync is ten minutes
// away in every test here: whatever happens within one does so because the agent watched, and kept watching
// through the hub's and the member's restarts. Everything is checked with the real kubectl.

let hub: PlatformProcess;
let member: PlatformProcess;
let scratch: string;
let atHub: ReturnType<typeof adminKubectlAt>;
let atMember: ReturnType<typeof adminKubectlAt>;
let agent: AgentProcess | undefined;

const CLUSTER = 'watcher-1';
const OWNER_LABEL = 'work.kplane.io/manifestwork';
const ok = (result: RunResult) => expect(result.code, result.stderr).toBe(0);
const onHub = (args: string[], input?: string) => atHub('/clusters/root:compute', args, input);
const onMember = (args: string[], input?: string) => atMember('/clusters/root', args, input);
const apply = (object: object) => onHub(['apply', '-f', '-'], JSON.stringify(object));

const configMap = (name: string, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'apps' },
  data,
});
const manifestWork = (name: string, manifests: object[], deleteOption?: object) => ({
  apiVersion: 'work.open-cluster-management.io/v1',
  kind: 'ManifestWork',
  metadata: { name, namespace: CLUSTER },
  spec: { workload: { manifests }, ...(deleteOption ? { deleteOption } : {}) },
});

interface Condition {
  type: string;
  status: string;
  observedGeneration?: number;
}
interface Work {
  metadata: { generation: number };
  status?: { conditions?: Condition[] };
}
async function readWork(name: string): Promise<Work | undefined> {
  const result = await onHub(['get', 'manifestwork', name, '-n', CLUSTER, '-o', 'json']);
  return result.code === 0 ? (JSON.parse(result.stdout) as Work) : undefined;
}
/** Applied=True for the work's current generation. */
const appliedNow = (work: Work | undefined) =>
  work?.status?.conditions?.some(
    (c) => c.type === 'Applied' && c.status === 'True' && c.observedGeneration === work.metadata.generation,
  ) ?? false;

interface MemberObject {
  name: string;
  uid: string;
  data: Record<string, string>;
}
/** Every ConfigMap in the member's `apps` namespace, or only those the agent labelled for `work`. */
async function memberConfigMaps(work?: string): Promise<MemberObject[]> {
  const selector = work ? ['-l', `${OWNER_LABEL}=${CLUSTER}.${work}`] : [];
  const result = await onMember(['get', 'configmaps', '-n', 'apps', ...selector, '-o', 'json']);
  ok(result);
  type Item = { metadata: { name: string; uid: string }; data?: Record<string, string> };
  return (JSON.parse(result.stdout) as { items: Item[] }).items
    .filter((item) => item.metadata.name !== 'kube-root-ca.crt')
    .map((item) => ({ name: item.metadata.name, uid: item.metadata.uid, data: item.data ?? {} }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
const names = (objects: { name: string }[]) => objects.map((object) => object.name);

/** The same platform again: same data folder, same port, so every kubeconfig still points at it. */
function restart(platform: PlatformProcess): Promise<PlatformProcess> {
  return startPlatformProcess({ dataDir: platform.dataDir, args: ['--port', new URL(platform.url).port] });
}

beforeAll(async () => {
  [hub, member] = await Promise.all([startPlatformProcess(), startPlatformProcess()]);
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-agent-watch-'));
  atHub = adminKubectlAt(hub, path.join(scratch, 'hub-cache'));
  atMember = adminKubectlAt(member, path.join(scratch, 'member-cache'));
  ok(await onMember(['create', 'namespace', 'apps']));
  agent = startAgent([
    '--cluster-name',
    CLUSTER,
    '--hub-kubeconfig',
    workspaceKubeconfig(hub.kubeconfig, hub.url, 'root:compute', scratch),
    '--member-kubeconfig',
    workspaceKubeconfig(member.kubeconfig, member.url, 'root', scratch),
    '--resync-seconds',
    '600',
    '--auto-accept',
    '--lease-seconds',
    '60',
  ]);
  await agent.waitForStderr(/kplane agent for cluster watcher-1 is running/);
  await eventually(
    () => onHub(['get', 'namespace', CLUSTER]),
    (result) => result.code === 0,
    15_000,
  );
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await Promise.all([hub?.stop(), member?.stop()]);
  for (const folder of [scratch, hub?.dataDir, member?.dataDir])
    if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('kplane agent watches its works', () => {
  it('applies a new work at once, though its next full resync is ten minutes away', async () => {
    ok(await apply(manifestWork('first', [configMap('first', { v: '1' })])));
    const work = await eventually(() => readWork('first'), appliedNow, 15_000);
    expect(appliedNow(work)).toBe(true);
    expect(names(await memberConfigMaps('first'))).toEqual(['first']);

    ok(await apply(manifestWork('first', [configMap('first', { v: '2' })])));
    const changed = await eventually(
      () => memberConfigMaps('first'),
      (objects) => objects[0]?.data.v === '2',
      15_000,
    );
    expect(changed.map((object) => object.data.v)).toEqual(['2']);
    ok(await onHub(['delete', 'manifestwork', 'first', '-n', CLUSTER]));
    expect(
      await eventually(
        () => memberConfigMaps('first'),
        (objects) => objects.length === 0,
        15_000,
      ),
    ).toEqual([]);
  }, 60_000);
});

describe('statusFeedback follows the member', () => {
  it("reports a Deployment's ready replicas as they change on the member, without the work changing", async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'fed', namespace: 'apps' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'fed' } },
        template: {
          metadata: { labels: { app: 'fed' } },
          spec: { containers: [{ name: 'web', image: 'nginx' }] },
        },
      },
    };
    const work = manifestWork('fed', [deployment]);
    const manifestConfigs = [
      {
        resourceIdentifier: { group: 'apps', resource: 'deployments', name: 'fed', namespace: 'apps' },
        feedbackRules: [{ type: 'WellKnownStatus' }],
      },
    ];
    ok(await apply({ ...work, spec: { ...work.spec, manifestConfigs } }));
    await eventually(() => readWork('fed'), appliedNow, 15_000);

    ok(
      await onMember([
        'patch',
        'deployment',
        'fed',
        '-n',
        'apps',
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 } }),
      ]),
    );
    type Fed = {
      status?: { resourceStatus?: { manifests?: { statusFeedback?: { values?: unknown[] } }[] } };
    };
    const readyReplicas = (fed: Fed | undefined) =>
      fed?.status?.resourceStatus?.manifests?.[0]?.statusFeedback?.values?.find(
        (value) => (value as { name: string }).name === 'ReadyReplicas',
      );
    const fed = await eventually(
      async () => (await readWork('fed')) as Fed | undefined,
      (current) => readyReplicas(current) !== undefined,
      30_000,
    );
    expect(readyReplicas(fed)).toEqual({
      name: 'ReadyReplicas',
      fieldValue: { type: 'Integer', integer: 2 },
    });
    ok(await onHub(['delete', 'manifestwork', 'fed', '-n', CLUSTER]));
  }, 60_000);
});

describe('deleteOption SelectivelyOrphan', () => {
  it('leaves on the member exactly the objects its orphaning rules name when the work goes', async () => {
    const orphanRules = {
      propagationPolicy: 'SelectivelyOrphan',
      selectivelyOrphans: {
        orphaningRules: [{ group: '', resource: 'configmaps', namespace: 'apps', name: 'keep-me' }],
      },
    };
    ok(
      await apply(
        manifestWork(
          'selective',
          [configMap('keep-me', { v: '1' }), configMap('drop-me', { v: '1' })],
          orphanRules,
        ),
      ),
    );
    await eventually(() => readWork('selective'), appliedNow, 15_000);
    expect(names(await memberConfigMaps('selective'))).toEqual(['drop-me', 'keep-me']);

    ok(await onHub(['delete', 'manifestwork', 'selective', '-n', CLUSTER]));
    expect(await readWork('selective')).toBeUndefined();
    const left = await eventually(
      () => memberConfigMaps(),
      (objects) => !names(objects).includes('drop-me'),
      15_000,
    );
    expect(names(left)).toContain('keep-me');
    expect(names(left)).not.toContain('drop-me');
  }, 60_000);
});

describe('kplane agent survives restarts without duplicating or dropping anything', () => {
  it('keeps what it applied while the hub is down, and takes up the watch when the hub is back', async () => {
    ok(await apply(manifestWork('steady', [configMap('steady', { v: '1' })])));
    await eventually(() => readWork('steady'), appliedNow, 15_000);
    const before = await memberConfigMaps('steady');
    expect(before.map((object) => object.data.v)).toEqual(['1']);

    // Network loss, the hard way: the hub's process dies mid-watch.
    await hub.kill9();
    await agent!.waitForStderr(/cannot watch the works of watcher-1/);
    // An unreachable hub never deletes anything.
    expect(await memberConfigMaps('steady')).toEqual(before);

    hub = await restart(hub);
    ok(await apply(manifestWork('steady', [configMap('steady', { v: '2' })])));
    ok(await apply(manifestWork('after', [configMap('after', { v: '1' })])));
    const steady = await eventually(
      () => memberConfigMaps('steady'),
      (objects) => objects[0]?.data.v === '2',
      30_000,
    );
    // Updated in place: the same object, not a second one.
    expect(steady).toEqual([{ ...before[0], data: { v: '2' } }]);
    expect(
      names(
        await eventually(
          () => memberConfigMaps('after'),
          (objects) => objects.length === 1,
          15_000,
        ),
      ),
    ).toEqual(['after']);
    expect(appliedNow(await eventually(() => readWork('steady'), appliedNow, 15_000))).toBe(true);
  }, 90_000);

  it('applies what changed while the member was down once it is back, and reports it', async () => {
    const before = await memberConfigMaps('steady');
    await member.kill9();
    ok(await apply(manifestWork('steady', [configMap('steady', { v: '3' })])));
    ok(await onHub(['delete', 'manifestwork', 'after', '-n', CLUSTER, '--wait=false']));
    await agent!.waitForStderr(/work (steady|after): cannot reach the platform/);

    member = await restart(member);
    const steady = await eventually(
      () => memberConfigMaps('steady'),
      (objects) => objects[0]?.data.v === '3',
      30_000,
    );
    expect(steady).toEqual([{ ...before[0], data: { v: '3' } }]);
    expect(
      await eventually(
        () => memberConfigMaps('after'),
        (objects) => objects.length === 0,
        15_000,
      ),
    ).toEqual([]);
    expect(
      await eventually(
        () => readWork('after'),
        (work) => work === undefined,
        15_000,
      ),
    ).toBeUndefined();
    expect(appliedNow(await eventually(() => readWork('steady'), appliedNow, 15_000))).toBe(true);
    // Nothing the agent applied exists twice, and nothing of a deleted work is left.
    expect(names(await memberConfigMaps())).toEqual(['keep-me', 'steady']);
  }, 90_000);
});
