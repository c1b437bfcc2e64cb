import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevPlatform, type DevPlatform } from './helpers/cli.js';
import { adminKubectl, loggedInUser, type LoggedInUser } from './helpers/identity.js';
import { eventually } from './helpers/wait.js';

interface Cluster {
  metadata: { name: string; labels: Record<string, string> };
  spec?: { taints?: { key: string; effect: string }[] };
}

let platform: DevPlatform;
let dana: LoggedInUser;
let erin: LoggedInUser;
let clusters: Cluster[];

beforeAll(async () => {
  platform = await startDevPlatform({ demo: true });
  [dana, erin] = (await Promise.all([loggedInUser(platform, 'dana'), loggedInUser(platform, 'erin')])) as [
    LoggedInUser,
    LoggedInUser,
  ];
  for (const user of [dana, erin]) expect((await user.kplane('ws', 'use', '~')).code).toBe(0);
  const bound = await dana.kplane('bind', 'clusterset', 'global');
  expect(bound.code, bound.stderr).toBe(0);
  const listed = await dana.kplane('place', 'clusters', '-o', 'json');
  expect(listed.code, listed.stderr).toBe(0);
  clusters = JSON.parse(listed.stdout);
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  dana?.sandbox.cleanup();
  erin?.sandbox.cleanup();
});

const regionOf = (name: string) => clusters.find((c) => c.metadata.name === name)!.metadata.labels.region!;
const untainted = (c: Cluster) => !(c.spec?.taints ?? []).some((t) => t.effect === 'NoSelect');

async function place(user: LoggedInUser, ...args: string[]): Promise<string[]> {
  const result = await user.kplane('place', ...args, '-o', 'json');
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout).decisions as string[]).sort();
}

async function decided(user: LoggedInUser, name: string): Promise<string[]> {
  const result = await user.kplane('place', 'get', name, '-o', 'json');
  return (JSON.parse(result.stdout).decisions as { clusterName: string }[]).map((d) => d.clusterName).sort();
}

describe('the demo compute', () => {
  it('has at least 6 clusters across 3 regions and 2 providers, visible once a set is bound', () => {
    expect(clusters.length).toBeGreaterThanOrEqual(6);
    expect(new Set(clusters.map((c) => c.metadata.labels.region)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(clusters.map((c) => c.metadata.labels.provider)).size).toBeGreaterThanOrEqual(2);
  });

  it('a user without a binding gets the clear error, naming the sets to bind', async () => {
    const result = await erin.kplane('place', 'web', '--clusters', '1');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /no cluster set is bound to namespace "default" of root:users:erin\. Bind one with: kplane bind clusterset NAME \(sets: .*global/,
    );
    const none = await erin.kplane('place', 'clusters');
    expect(none.stderr).toContain('kplane bind clusterset');
  });
});

describe('-w into a workspace the user may not enter', () => {
  it('names the workspace, exits 4 and changes nothing', async () => {
    const result = await erin.kplane('place', 'list', '-w', ':root:acme:web');
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('access to workspace "root:acme:web" denied');
  });
});

describe('placements decide as asked', () => {
  it('label predicates, ORed across --where', async () => {
    const region = clusters[0]!.metadata.labels.region!;
    const expected = clusters
      .filter((c) => c.metadata.labels.region === region && untainted(c))
      .map((c) => c.metadata.name)
      .sort();
    expect(await place(dana, 'by-region', '--where', `region=${region}`)).toEqual(expected);
    const provider = clusters.find((c) => c.metadata.labels.region !== region)!.metadata.labels.provider!;
    const either = clusters
      .filter(
        (c) =>
          (c.metadata.labels.region === region || c.metadata.labels.provider === provider) && untainted(c),
      )
      .map((c) => c.metadata.name)
      .sort();
    expect(
      await place(dana, 'either', '--where', `region=${region}`, '--where', `provider=${provider}`),
    ).toEqual(either);
  });

  it('a number of clusters, spread across regions: never two in one region while others qualify', async () => {
    const regions = new Set(clusters.filter(untainted).map((c) => c.metadata.labels.region));
    const chosen = await place(dana, 'spread', '--clusters', String(regions.size), '--spread', 'region');
    expect(chosen).toHaveLength(regions.size);
    expect(new Set(chosen.map(regionOf)).size).toBe(regions.size);
  });

  it('prefer cpu picks the clusters with the most allocatable CPU', async () => {
    const listed = JSON.parse((await dana.kplane('place', 'clusters', '-o', 'json')).stdout) as (Cluster & {
      status: { allocatable: { cpu: string } };
    })[];
    const cpu = (c: (typeof listed)[number]) => Number(c.status.allocatable.cpu);
    const best = listed
      .filter(untainted)
      .sort((a, b) => cpu(b) - cpu(a) || a.metadata.name.localeCompare(b.metadata.name))[0]!;
    expect(await place(dana, 'big', '--clusters', '1', '--prefer', 'cpu')).toEqual([best.metadata.name]);
  });

  it('a NoSelect taint keeps a cluster out until it is tolerated', async () => {
    const tainted = clusters.find((c) => (c.spec?.taints ?? []).some((t) => t.effect === 'NoSelect'));
    expect(tainted, 'the demo has a NoSelect-tainted cluster').toBeDefined();
    const taint = tainted!.spec!.taints!.find((t) => t.effect === 'NoSelect')!;
    const name = tainted!.metadata.name;
    expect(await place(dana, 'no-tol')).not.toContain(name);
    expect(await place(dana, 'tol', '--tolerate', `${taint.key}:NoSelect`)).toContain(name);
  });

  it('a selector that matches nothing says which label values exist', async () => {
    const result = await dana.kplane('place', 'nowhere', '--where', 'region=atlantis');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no cluster matches placement "nowhere": region has: ');
    const explained = await dana.kplane('place', 'explain', 'nowhere');
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toContain('rejected');
    expect(explained.stdout).toContain('region');
  });

  it('the table says which clusters are new on the first run and which were kept on the next', async () => {
    const first = await dana.kplane('place', 'reasons', '--clusters', '2');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/newly chosen/);
    expect(first.stdout).not.toMatch(/kept from the last decision/);
    const again = await dana.kplane('place', 'reasons', '--clusters', '2');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/kept from the last decision/);
    expect(again.stdout).not.toMatch(/newly chosen/);
  });

  it('--dry-run shows the decision without storing anything', async () => {
    const result = await dana.kplane('place', 'trial', '--clusters', '2', '--dry-run');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Dry run');
    const get = await dana.kplane('place', 'get', 'trial');
    expect(get.code).toBe(3);
  });
});

describe('the platform re-decides', () => {
  it('moves a placement off a cluster that becomes unavailable, and off a deleted one, within 2 s', async () => {
    const first = await place(dana, 'mover', '--clusters', '1', '--prefer', 'cpu');
    const gone = first[0]!;
    const patch = await adminKubectl(
      platform,
      'root:compute',
      'patch',
      'managedcluster',
      gone,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          conditions: [
            {
              type: 'ManagedClusterConditionAvailable',
              status: 'False',
              reason: 'Lost',
              message: 'lost',
              lastTransitionTime: new Date().toISOString(),
            },
          ],
        },
      }),
    );
    expect(patch.code, patch.stderr).toBe(0);
    const after = await eventually(
      () => decided(dana, 'mover'),
      (d) => d.length === 1 && d[0] !== gone,
      2_000,
    );
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(gone);

    const next = after[0]!;
    const deleted = await adminKubectl(platform, 'root:compute', 'delete', 'managedcluster', next);
    expect(deleted.code, deleted.stderr).toBe(0);
    const third = await eventually(
      () => decided(dana, 'mover'),
      (d) => d.length === 1 && d[0] !== next,
      2_000,
    );
    expect(third[0]).not.toBe(next);
    expect(third[0]).not.toBe(gone);
  });

  it('with Steady, keeps its choices when an unrelated cluster is added', async () => {
    const before = await place(dana, 'steady', '--clusters', '2', '--prefer', 'steady');
    const manifest = path.join(dana.sandbox.dir, 'new-cluster.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        apiVersion: 'cluster.open-cluster-management.io/v1',
        kind: 'ManagedCluster',
        metadata: { name: 'brand-new', labels: { region: 'eu-west', provider: 'aws' } },
        spec: { hubAcceptsClient: true },
      }),
    );
    const added = await adminKubectl(platform, 'root:compute', 'apply', '-f', manifest);
    expect(added.code, added.stderr).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await decided(dana, 'steady')).toEqual(before);
  });

  it('lists and deletes placements', async () => {
    const list = await dana.kplane('place', 'list', '-o', 'json');
    expect(JSON.parse(list.stdout).map((p: { metadata: { name: string } }) => p.metadata.name)).toContain(
      'steady',
    );
    const removed = await dana.kplane('place', 'delete', 'steady');
    expect(removed.code, removed.stderr).toBe(0);
    expect((await dana.kplane('place', 'get', 'steady')).code).toBe(3);
  });
});
