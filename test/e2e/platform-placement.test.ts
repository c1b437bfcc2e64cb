import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  kubectl,
  kubectlInBackground,
  mintToken,
  rawRequest,
  startPlatformProcess,
  type PlatformProcess,
} from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// Place, on the platform side: compute registered in root:compute, seen read-only from a user's
// workspace through the sets bound there, and placements decided by the platform's scheduler. Real
// platform process, real kubectl, a user with a token from the owner's tool.

const GROUP = 'cluster.open-cluster-management.io';
const USER = 'pat';
const HOME = `root:users:${USER}`;
const PLACEMENT_LABEL = `${GROUP}/placement`;

interface Obj {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string }[];
    uid?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the server
}

let platform: PlatformProcess;
let scratch: string;
let ca: Buffer;
let caFile: string;
let token: string;
let demoClusters: Obj[];

const kubeOptions = (who: string) => ({
  kubeconfig: path.join(scratch, 'empty-kubeconfig'),
  cacheDir: path.join(scratch, `cache-${who}`),
});

/** kubectl as the platform admin, in one workspace. */
const admin = (workspace: string, ...args: string[]) =>
  kubectl(['--server', `${platform.url}/clusters/${workspace}`, ...args], {
    kubeconfig: platform.kubeconfig,
    cacheDir: path.join(scratch, 'cache-admin'),
  });
const inCompute = (...args: string[]) => admin('root:compute', ...args);
/** kubectl's flags to act as the user in `workspace`: no credentials come from the (empty) kubeconfig. */
const userFlags = (workspace: string) => [
  '--server',
  `${platform.url}/clusters/${workspace}`,
  '--token',
  token,
  '--certificate-authority',
  caFile,
];
/** kubectl as the user, in their home workspace. */
const user = (...args: string[]) => kubectl([...userFlags(HOME), ...args], kubeOptions(USER));

async function apply(run: typeof user, yaml: string) {
  const file = path.join(scratch, `apply-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return run('apply', '-f', file);
}

async function json<T = Obj>(run: Promise<{ code: number; stdout: string; stderr: string }>): Promise<T> {
  const result = await run;
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** Fast reads for polling: one HTTPS request, no kubectl start-up. */
async function decidedClusters(placement: string, namespace = 'default'): Promise<string[]> {
  const selector = encodeURIComponent(`${PLACEMENT_LABEL}=${placement}`);
  const res = await rawRequest(
    platform.url,
    `/clusters/${HOME}/apis/${GROUP}/v1beta1/namespaces/${namespace}/placementdecisions?labelSelector=${selector}`,
    { token, ca },
  );
  const list = JSON.parse(res.body) as { items: Obj[] };
  return list.items
    .flatMap((pd) => (pd.status?.decisions ?? []) as { clusterName: string }[])
    .map((d) => d.clusterName)
    .sort();
}

const placementYaml = (name: string, spec: string, namespace = 'default') => `apiVersion: ${GROUP}/v1beta1
kind: Placement
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${spec}`;

/** Registers a cluster in root:compute as the admin would: the object, then its status. */
async function registerCluster(name: string, labels: Record<string, string>, cpu: string) {
  const created = await apply(
    inCompute,
    `apiVersion: ${GROUP}/v1
kind: ManagedCluster
metadata:
  name: ${name}
  labels: ${JSON.stringify(labels)}
spec:
  hubAcceptsClient: true
`,
  );
  expect(created.code, created.stderr).toBe(0);
  const status = {
    status: {
      capacity: { cpu, memory: '64Gi' },
      allocatable: { cpu, memory: '64Gi' },
      conditions: [
        {
          type: 'ManagedClusterConditionAvailable',
          status: 'True',
          reason: 'ManagedClusterAvailable',
          message: 'up',
        },
      ],
    },
  };
  const patched = await admin(
    'root:compute',
    'patch',
    'managedcluster',
    name,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify(status),
  );
  expect(patched.code, patched.stderr).toBe(0);
}

beforeAll(async () => {
  platform = await startPlatformProcess({ demo: true });
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-placement-'));
  caFile = path.join(platform.dataDir, 'ca.crt');
  ca = readFileSync(caFile);
  writeFileSync(path.join(scratch, 'empty-kubeconfig'), 'apiVersion: v1\nkind: Config\n');
  token = await mintToken(platform.dataDir, USER);
  const home = await rawRequest(platform.url, '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~', {
    token,
    ca,
  });
  expect(home.status, home.body).toBe(200);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('compute in root:compute', () => {
  it('holds the demo clusters over several regions and providers, and the sets global and eu', async () => {
    const table = await admin('root:compute', 'get', 'managedclusters');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+REGION\s+PROVIDER\s+AVAILABLE\s+CPU\s+AGE\n/);
    expect(table.stdout).toMatch(/aws-us-east-1\s+us-east\s+aws\s+True\s+90\s/);

    demoClusters = (
      await json<{ items: Obj[] }>(admin('root:compute', 'get', 'managedclusters', '-o', 'json'))
    ).items;
    expect(demoClusters.length).toBeGreaterThanOrEqual(6);
    const labels = (key: string) => new Set(demoClusters.map((c) => c.metadata.labels?.[key]));
    expect(labels('region').size).toBeGreaterThanOrEqual(3);
    expect(labels('provider').size).toBeGreaterThanOrEqual(2);
    for (const cluster of demoClusters) {
      expect(cluster.metadata.labels).toMatchObject({
        zone: expect.any(String),
        tier: expect.stringMatching(/^(gold|silver)$/),
      });
      expect(cluster.status).toMatchObject({
        capacity: { cpu: expect.any(String), memory: expect.any(String) },
        allocatable: { cpu: expect.any(String), memory: expect.any(String) },
      });
      expect(cluster.status?.conditions).toContainEqual(
        expect.objectContaining({ type: 'ManagedClusterConditionAvailable', status: 'True' }),
      );
    }
    const effects = demoClusters.flatMap((c) =>
      ((c.spec?.taints ?? []) as { effect: string }[]).map((t) => t.effect),
    );
    expect(effects).toEqual(expect.arrayContaining(['NoSelect', 'PreferNoSelect']));

    const sets = await json<{ items: Obj[] }>(
      admin('root:compute', 'get', 'managedclustersets', '-o', 'json'),
    );
    expect(sets.items.map((s) => [s.metadata.name, s.spec])).toEqual([
      [
        'eu',
        {
          clusterSelector: {
            selectorType: 'LabelSelector',
            labelSelector: {
              matchExpressions: [{ key: 'region', operator: 'In', values: ['eu-west', 'eu-central'] }],
            },
          },
        },
      ],
      ['global', { clusterSelector: { selectorType: 'LabelSelector', labelSelector: {} } }],
    ]);
    // The user does not enter root:compute at all.
    const denied = await rawRequest(platform.url, `/clusters/root:compute/apis/${GROUP}/v1/managedclusters`, {
      token,
      ca,
    });
    expect([denied.status, JSON.parse(denied.body).message]).toEqual([403, 'workspace access not permitted']);
  });
});

describe("a user's workspace", () => {
  it('sees every set, but no cluster until a set is bound, then the clusters of that set, live', async () => {
    const sets = await user('get', 'managedclustersets');
    expect(sets.code, sets.stderr).toBe(0);
    expect(sets.stdout).toMatch(/^NAME\s+SELECTOR TYPE\s+SELECTOR\s+AGE\n/);
    expect(sets.stdout).toMatch(/eu\s+LabelSelector\s+region in \(eu-west,eu-central\)/);
    expect(sets.stdout).toMatch(/global\s+LabelSelector\s+<all>/);
    expect((await json<{ items: Obj[] }>(user('get', 'managedclusters', '-o', 'json'))).items).toEqual([]);

    const watch = kubectlInBackground(
      [...userFlags(HOME), 'get', 'managedclusters', '-w'],
      kubeOptions(USER),
    );
    try {
      // The view cannot replay clusters that joined it between kubectl's list and its watch (a documented
      // limit), so bind only once the (empty) list is done and the watch had time to open.
      const listed = Date.now() + 5_000;
      while (!watch.stderr().includes('No resources found') && Date.now() < listed) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const bound = await apply(
        user,
        `apiVersion: ${GROUP}/v1beta2
kind: ManagedClusterSetBinding
metadata:
  name: global
  namespace: default
spec:
  clusterSet: global
`,
      );
      expect(bound.code, bound.stderr).toBe(0);
      await watch.waitFor('aws-us-east-1');
    } finally {
      await watch.stop();
    }
    const binding = await json(
      user('get', 'managedclustersetbinding', 'global', '-n', 'default', '-o', 'json'),
    );
    expect(binding.status?.conditions).toEqual([
      expect.objectContaining({ type: 'Bound', status: 'True', reason: 'ClusterSetBound' }),
    ]);
    const seen = (await json<{ items: Obj[] }>(user('get', 'managedclusters', '-o', 'json'))).items;
    expect(seen.map((c) => c.metadata.name)).toEqual(demoClusters.map((c) => c.metadata.name));
  });

  it('may not change compute from there: writes answer 405 and point at root:compute', async () => {
    const result = await user('label', 'managedcluster', 'aws-us-east-1', 'mine=true');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/MethodNotAllowed.*registered in root:compute/);
    const set = await user('delete', 'managedclusterset', 'eu');
    expect(set.stderr).toMatch(/MethodNotAllowed.*registered in root:compute/);
  });

  it('binds a set only with create on managedclustersets/bind for it in root:compute', async () => {
    const gpu = await apply(
      inCompute,
      `apiVersion: ${GROUP}/v1beta2
kind: ManagedClusterSet
metadata:
  name: gpu
`,
    );
    expect(gpu.code, gpu.stderr).toBe(0);
    const bindGpu = `apiVersion: ${GROUP}/v1beta2
kind: ManagedClusterSetBinding
metadata:
  name: gpu
  namespace: default
spec:
  clusterSet: gpu
`;
    const denied = await apply(user, bindGpu);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Error from server (Forbidden)');
    expect(denied.stderr).toContain(
      `managedclustersets.${GROUP} "gpu" is forbidden: User "${USER}" cannot create resource "managedclustersets/bind" in API group "${GROUP}" at the cluster scope`,
    );

    // The platform owner grants it in root:compute; the user's own workspace RBAC has no say.
    for (const args of [
      [
        'create',
        'clusterrole',
        'bind-gpu',
        '--verb=create',
        `--resource=managedclustersets.${GROUP}/bind`,
        '--resource-name=gpu',
      ],
      ['create', 'clusterrolebinding', 'pat-binds-gpu', '--clusterrole=bind-gpu', `--user=${USER}`],
    ]) {
      const made = await admin('root:compute', ...args);
      expect(made.code, made.stderr).toBe(0);
    }
    const allowed = await apply(user, bindGpu);
    expect(allowed.code, allowed.stderr).toBe(0);
  });
});

describe('placements, decided by the platform', () => {
  it('chooses the clusters a label predicate and numberOfClusters ask for, with OCM objects and columns', async () => {
    const applied = await apply(
      user,
      placementYaml(
        'aws-gold',
        `  numberOfClusters: 2
  predicates:
  - requiredClusterSelector:
      labelSelector:
        matchLabels: {provider: aws, tier: gold}
`,
      ),
    );
    expect(applied.code, applied.stderr).toBe(0);
    const expected = demoClusters
      .filter((c) => c.metadata.labels?.provider === 'aws' && c.metadata.labels?.tier === 'gold')
      .map((c) => c.metadata.name)
      .sort();
    expect(expected).toHaveLength(2);
    expect(
      await eventually(
        () => decidedClusters('aws-gold'),
        (d) => d.length === 2,
        2000,
      ),
    ).toEqual(expected);

    const placement = await json(user('get', 'placement', 'aws-gold', '-n', 'default', '-o', 'json'));
    expect(placement.status).toMatchObject({
      numberOfSelectedClusters: 2,
      decisionGroups: [
        { decisionGroupIndex: 0, decisionGroupName: '', decisions: ['aws-gold-decision-1'], clusterCount: 2 },
      ],
    });
    expect(placement.status?.conditions).toEqual([
      expect.objectContaining({
        type: 'PlacementMisconfigured',
        status: 'False',
        reason: 'Succeedconfigured',
      }),
      expect.objectContaining({
        type: 'PlacementSatisfied',
        status: 'True',
        reason: 'AllDecisionsScheduled',
        observedGeneration: 1,
      }),
    ]);
    const pds = await json<{ items: Obj[] }>(
      user('get', 'placementdecisions', '-n', 'default', '-l', `${PLACEMENT_LABEL}=aws-gold`, '-o', 'json'),
    );
    expect(pds.items).toHaveLength(1);
    expect(pds.items[0]?.metadata).toMatchObject({
      name: 'aws-gold-decision-1',
      labels: {
        [PLACEMENT_LABEL]: 'aws-gold',
        [`${GROUP}/decision-group-index`]: '0',
        [`${GROUP}/decision-index`]: '1',
      },
      ownerReferences: [{ kind: 'Placement', name: 'aws-gold', uid: placement.metadata.uid }],
    });

    const table = await user('get', 'placements', '-n', 'default');
    expect(table.stdout).toMatch(/^NAME\s+SUCCEEDED\s+REASON\s+SELECTEDCLUSTERS\s+AGE\n/);
    expect(table.stdout).toMatch(/aws-gold\s+True\s+AllDecisionsScheduled\s+2\s/);
  });

  it('spreads by region: never two in one region while another region qualifies', async () => {
    const applied = await apply(
      user,
      placementYaml(
        'spread',
        `  numberOfClusters: 4
  predicates:
  - requiredClusterSelector:
      labelSelector:
        matchExpressions: [{key: provider, operator: Exists}]
  spreadPolicy:
    spreadConstraints:
    - {topologyKey: region, topologyKeyType: Label, maxSkew: 1, whenUnsatisfiable: ScheduleAnyway}
`,
      ),
    );
    expect(applied.code, applied.stderr).toBe(0);
    const chosen = await eventually(
      () => decidedClusters('spread'),
      (d) => d.length === 4,
      2000,
    );
    const regionOf = (name: string) =>
      demoClusters.find((c) => c.metadata.name === name)?.metadata.labels?.region;
    expect(chosen).toHaveLength(4);
    expect(new Set(chosen.map(regionOf)).size).toBe(4);
  });

  it('moves a decision within 2 s when a chosen cluster becomes unavailable, and when one is deleted', async () => {
    for (const i of [1, 2, 3, 4]) await registerCluster(`pool-${i}`, { pool: 'move' }, String(8 * i));
    const applied = await apply(
      user,
      placementYaml(
        'movable',
        `  numberOfClusters: 2
  predicates:
  - requiredClusterSelector:
      labelSelector:
        matchLabels: {pool: move}
`,
      ),
    );
    expect(applied.code, applied.stderr).toBe(0);
    const first = await eventually(
      () => decidedClusters('movable'),
      (d) => d.length === 2,
      2000,
    );
    expect(first).toHaveLength(2);

    const lost = first[0] as string;
    const patch = [{ op: 'replace', path: '/status/conditions/0/status', value: 'False' }];
    const marked = await admin(
      'root:compute',
      'patch',
      'managedcluster',
      lost,
      '--subresource=status',
      '--type=json',
      '-p',
      JSON.stringify(patch),
    );
    expect(marked.code, marked.stderr).toBe(0);
    let started = Date.now();
    const second = await eventually(
      () => decidedClusters('movable'),
      (d) => d.length === 2 && !d.includes(lost),
      2000,
    );
    const movedAfterUnavailable = Date.now() - started;
    expect(second).not.toContain(lost);
    expect(second).toHaveLength(2);
    expect(movedAfterUnavailable).toBeLessThan(2000);

    const deleted = second.find((name) => first.includes(name)) as string;
    const removed = await admin('root:compute', 'delete', 'managedcluster', deleted);
    expect(removed.code, removed.stderr).toBe(0);
    started = Date.now();
    const third = await eventually(
      () => decidedClusters('movable'),
      (d) => d.length === 2 && !d.includes(deleted),
      2000,
    );
    const movedAfterDelete = Date.now() - started;
    expect(third).not.toContain(deleted);
    expect(third).not.toContain(lost);
    expect(third).toHaveLength(2);
    expect(movedAfterDelete).toBeLessThan(2000);
    process.stderr.write(
      `decision moved ${movedAfterUnavailable} ms after unavailable, ${movedAfterDelete} ms after delete\n`,
    );
  });

  it('keeps its choices (Steady) when a better but unrelated cluster is added', async () => {
    const spec = `  numberOfClusters: 2
  predicates:
  - requiredClusterSelector:
      labelSelector:
        matchLabels: {tier: gold}
  prioritizerPolicy:
    configurations:
    - scoreCoordinate: {type: BuiltIn, builtIn: ResourceAllocatableCPU}
      weight: 1
`;
    expect((await apply(user, placementYaml('steady', spec))).code).toBe(0);
    const before = await eventually(
      () => decidedClusters('steady'),
      (d) => d.length === 2,
      2000,
    );
    expect(before).toHaveLength(2);

    await registerCluster('gold-huge', { tier: 'gold', region: 'eu-west', provider: 'aws' }, '512');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await decidedClusters('steady')).toEqual(before);
    // A placement deciding afresh takes the newcomer: the old one stayed put on purpose.
    expect((await apply(user, placementYaml('fresh', spec))).code).toBe(0);
    expect(
      await eventually(
        () => decidedClusters('fresh'),
        (d) => d.length === 2,
        2000,
      ),
    ).toContain('gold-huge');
  });

  it('says NoManagedClusterSetBindings in a namespace with no set bound', async () => {
    expect((await user('create', 'namespace', 'unbound')).code).toBe(0);
    expect((await apply(user, placementYaml('lonely', '  numberOfClusters: 1\n', 'unbound'))).code).toBe(0);
    const placement = await eventually(
      () => json(user('get', 'placement', 'lonely', '-n', 'unbound', '-o', 'json')),
      (p) => p.status?.conditions !== undefined,
      2000,
    );
    expect(placement.status).toMatchObject({ numberOfSelectedClusters: 0 });
    expect(placement.status?.conditions).toContainEqual(
      expect.objectContaining({
        type: 'PlacementSatisfied',
        status: 'False',
        reason: 'NoManagedClusterSetBindings',
        message: 'No valid ManagedClusterSetBindings found in placement namespace',
      }),
    );
    expect(await decidedClusters('lonely', 'unbound')).toEqual([]);
  });

  it('takes its PlacementDecisions along when a placement is deleted', async () => {
    const deleted = await user('delete', 'placement', 'aws-gold', '-n', 'default');
    expect(deleted.code, deleted.stderr).toBe(0);
    const left = await json<{ items: Obj[] }>(
      user('get', 'placementdecisions', '-n', 'default', '-l', `${PLACEMENT_LABEL}=aws-gold`, '-o', 'json'),
    );
    expect(left.items).toEqual([]);
  });
});
