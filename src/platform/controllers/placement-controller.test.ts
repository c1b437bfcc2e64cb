import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import type { RequestScope } from '../api/resource-service.js';
import { ResourceService } from '../api/resource-service.js';
import { builtinRegistry } from '../api/resources/index.js';
import { MATCH_ALL } from '../api/selectors/object-filter.js';
import { Authorizer } from '../auth/authorize.js';
import { SYSTEM_USER } from '../auth/user.js';
import { bootstrapCompute } from '../compute/bootstrap.js';
import {
  MANAGED_CLUSTER_SET_BINDINGS,
  MANAGED_CLUSTER_SETS,
  MANAGED_CLUSTERS,
  PLACEMENT_DECISIONS,
  PLACEMENTS,
} from '../compute/constants.js';
import { SqliteClusterIndex, type ClusterRef } from '../storage/cluster-index.js';
import { openDatabase, type Db } from '../storage/database.js';
import { EventLog } from '../storage/event-log.js';
import { ObjectStore } from '../storage/object-store.js';
import { PlacementController } from './placement-controller.js';
import { bootstrapRoot } from './root-bootstrap.js';
import { WorkspaceController } from './workspace-controller.js';

interface ClusterSpec {
  name: string;
  labels: Record<string, string>;
  available?: 'True' | 'False';
  cpu?: string;
}

async function boot(dir: string) {
  const db = openDatabase(join(dir, 'platform.db'));
  const store = new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db)));
  const clusters = new SqliteClusterIndex(db);
  const env = { baseUrl: 'https://127.0.0.1:1' };
  const registry = builtinRegistry({
    onCreated: (key) => workspaces.enqueue(key),
    authorizer: new Authorizer(store),
  });
  const service = new ResourceService(store, clusters, env);
  const workspaces = new WorkspaceController({ service, registry, clusters, env });
  await bootstrapRoot(service, registry, clusters, env.baseUrl);
  const compute = await bootstrapCompute({ service, registry, clusters, settle: () => workspaces.settle() });
  const root: ClusterRef = { id: 'root', path: 'root' };
  await service.create(
    registry.get('workspaces.tenancy.kcp.io'),
    { cluster: root, user: SYSTEM_USER },
    { metadata: { name: 'team' } },
  );
  await workspaces.settle();
  const team = clusters.resolve('root:team') as ClusterRef;
  const scheduler = new PlacementController({ service, registry, clusters, debounceMs: 5 });
  const computeScope: RequestScope = { cluster: compute, user: SYSTEM_USER };
  const teamScope: RequestScope = { cluster: team, user: SYSTEM_USER, namespace: 'default' };
  const def = (resource: string) => registry.get(resource);

  // No timer runs between the two writes, so the controller never sees the cluster without its status.
  const addCluster = async (c: ClusterSpec) => {
    const created = await service.create(def(MANAGED_CLUSTERS), computeScope, {
      metadata: { name: c.name, labels: c.labels },
    });
    await setClusterStatus(created, c.available ?? 'True', c.cpu ?? '8');
  };
  const setClusterStatus = (cluster: KubeObject, available: string, cpu = '8') =>
    service.update(
      def(MANAGED_CLUSTERS),
      computeScope,
      cluster.metadata.name ?? '',
      {
        ...cluster,
        status: {
          capacity: { cpu, memory: '32Gi' },
          allocatable: { cpu, memory: '32Gi' },
          conditions: [
            { type: 'ManagedClusterConditionAvailable', status: available, reason: 'Test', message: '' },
          ],
        },
      },
      { subresource: 'status' },
    );
  const markUnavailable = (name: string) =>
    setClusterStatus(service.get(def(MANAGED_CLUSTERS), computeScope, name), 'False');
  const bind = (set: string, namespace = 'default') =>
    service.create(
      def(MANAGED_CLUSTER_SET_BINDINGS),
      { ...teamScope, namespace },
      { metadata: { name: set }, spec: { clusterSet: set } },
    );
  const place = (name: string, spec: Record<string, unknown>, namespace = 'default') =>
    service.create(def(PLACEMENTS), { ...teamScope, namespace }, { metadata: { name }, spec });
  const placement = (name: string) => service.get(def(PLACEMENTS), teamScope, name);
  const decisions = (name: string): string[] =>
    service
      .list(def(PLACEMENT_DECISIONS), teamScope, MATCH_ALL)
      .items.filter((pd) => pd.metadata.labels?.['cluster.open-cluster-management.io/placement'] === name)
      .flatMap((pd) =>
        ((pd.status as { decisions: { clusterName: string }[] }).decisions ?? []).map((d) => d.clusterName),
      )
      .sort();
  const settle = async () => {
    // A change made now is seen after the debounce: wait for it, then for the queue to empty.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await scheduler.settle();
  };
  return {
    db,
    store,
    service,
    registry,
    scheduler,
    computeScope,
    teamScope,
    team,
    def,
    addCluster,
    markUnavailable,
    bind,
    place,
    placement,
    decisions,
    settle,
  };
}

const REGIONS = ['eu', 'us', 'ap'];

describe('PlacementController', () => {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  const schedulers: PlacementController[] = [];
  afterEach(async () => {
    for (const s of schedulers.splice(0)) s.stop();
    for (const db of dbs.splice(0)) if (db.open) db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const start = async (clusters: ClusterSpec[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'kplane-scheduler-'));
    dirs.push(dir);
    const p = await boot(dir);
    dbs.push(p.db);
    for (const c of clusters) await p.addCluster(c);
    p.scheduler.start();
    schedulers.push(p.scheduler);
    return p;
  };
  const six = (): ClusterSpec[] =>
    ['a', 'b', 'c', 'd', 'e', 'f'].map((name, i) => ({
      name,
      labels: { region: REGIONS[i % 3] as string, tier: i < 4 ? 'gold' : 'silver' },
    }));

  it('says NoManagedClusterSetBindings until a set is bound, then decides', async () => {
    const p = await start(six());
    await p.place('web', {
      numberOfClusters: 2,
      predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { tier: 'silver' } } } }],
    });
    await p.settle();
    expect(p.placement('web').status).toMatchObject({
      numberOfSelectedClusters: 0,
      conditions: [
        { type: 'PlacementMisconfigured', status: 'False', reason: 'Succeedconfigured' },
        {
          type: 'PlacementSatisfied',
          status: 'False',
          reason: 'NoManagedClusterSetBindings',
          observedGeneration: 1,
        },
      ],
    });
    expect(p.decisions('web')).toEqual([]);

    await p.bind('global');
    await p.settle();
    expect(p.decisions('web')).toEqual(['e', 'f']);
    const status = p.placement('web').status as Record<string, unknown>;
    expect(status).toMatchObject({
      numberOfSelectedClusters: 2,
      decisionGroups: [
        { decisionGroupIndex: 0, decisionGroupName: '', decisions: ['web-decision-1'], clusterCount: 2 },
      ],
      conditions: [
        { type: 'PlacementMisconfigured' },
        { type: 'PlacementSatisfied', status: 'True', reason: 'AllDecisionsScheduled' },
      ],
    });
    const pd = p.service.get(p.def(PLACEMENT_DECISIONS), p.teamScope, 'web-decision-1');
    expect(pd.metadata).toMatchObject({
      labels: {
        'cluster.open-cluster-management.io/placement': 'web',
        'cluster.open-cluster-management.io/decision-group-index': '0',
        'cluster.open-cluster-management.io/decision-group-name': '',
        'cluster.open-cluster-management.io/decision-index': '1',
      },
      ownerReferences: [
        { kind: 'Placement', name: 'web', uid: p.placement('web').metadata.uid, controller: true },
      ],
    });
  });

  it('spreads over regions, and replaces a chosen cluster that goes unavailable or away', async () => {
    const p = await start(six());
    await p.bind('global');
    await p.place('spread', {
      numberOfClusters: 3,
      spreadPolicy: { spreadConstraints: [{ topologyKey: 'region' }] },
    });
    await p.settle();
    const first = p.decisions('spread');
    expect(first).toHaveLength(3);
    const regionOf = (name: string) => REGIONS['abcdef'.indexOf(name) % 3];
    expect(new Set(first.map(regionOf)).size).toBe(3);

    const victim = first[0] as string;
    await p.markUnavailable(victim);
    await p.settle();
    const second = p.decisions('spread');
    expect(second).toHaveLength(3);
    expect(second).not.toContain(victim);
    // Only the lost choice moves; the region it leaves is refilled from the same region.
    expect(second.filter((n) => first.includes(n))).toHaveLength(2);
    expect(new Set(second.map(regionOf)).size).toBe(3);

    const gone = second[0] as string;
    await p.service.delete(p.def(MANAGED_CLUSTERS), p.computeScope, gone);
    await p.settle();
    const third = p.decisions('spread');
    expect(third).not.toContain(gone);
    expect(third).toHaveLength(3);
  });

  it('keeps a full placement as it is when an unrelated cluster arrives (Steady)', async () => {
    const p = await start(six());
    await p.bind('global');
    await p.place('steady', {
      numberOfClusters: 2,
      prioritizerPolicy: {
        configurations: [{ scoreCoordinate: { builtIn: 'ResourceAllocatableCPU' }, weight: 1 }],
      },
    });
    await p.settle();
    const before = p.decisions('steady');
    const decided = p.scheduler.decisionsMade;
    await p.addCluster({ name: 'big', labels: { region: 'eu', tier: 'gold' }, cpu: '512' });
    await p.settle();
    expect(p.decisions('steady')).toEqual(before);
    expect(p.scheduler.decisionsMade).toBe(decided);
  });

  it('takes a placement without numberOfClusters to every new cluster', async () => {
    const p = await start(six());
    await p.bind('global');
    await p.place('all', {});
    await p.settle();
    expect(p.decisions('all')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    await p.addCluster({ name: 'g', labels: {} });
    await p.settle();
    expect(p.decisions('all')).toContain('g');
  });

  it('puts back a decision someone else deleted, and deletes decisions with their placement', async () => {
    const p = await start(six());
    await p.bind('global');
    await p.place('web', { numberOfClusters: 1 });
    await p.settle();
    const chosen = p.decisions('web');
    await p.service.delete(p.def(PLACEMENT_DECISIONS), p.teamScope, 'web-decision-1');
    await p.settle();
    expect(p.decisions('web')).toEqual(chosen);
    await p.service.delete(p.def(PLACEMENTS), p.teamScope, 'web');
    await p.settle();
    expect(p.service.list(p.def(PLACEMENT_DECISIONS), p.teamScope, MATCH_ALL).items).toEqual([]);
  });

  it('splits more than 100 decisions over several PlacementDecisions', async () => {
    const many = Array.from({ length: 150 }, (_, i) => ({
      name: `c${String(i).padStart(3, '0')}`,
      labels: {},
    }));
    const p = await start(many);
    await p.bind('global');
    await p.place('wide', {});
    await p.settle();
    const pds = p.service.list(p.def(PLACEMENT_DECISIONS), p.teamScope, MATCH_ALL).items;
    expect(
      pds.map((pd) => [pd.metadata.name, (pd.status as { decisions: unknown[] }).decisions.length]),
    ).toEqual([
      ['wide-decision-1', 100],
      ['wide-decision-2', 50],
    ]);
    expect(p.placement('wide').status).toMatchObject({
      numberOfSelectedClusters: 150,
      decisionGroups: [{ decisions: ['wide-decision-1', 'wide-decision-2'], clusterCount: 150 }],
    });
  });

  it('marks bindings Bound as their set comes and goes', async () => {
    const p = await start(six());
    await p.bind('later');
    await p.settle();
    const bound = () =>
      (
        p.service.get(p.def(MANAGED_CLUSTER_SET_BINDINGS), p.teamScope, 'later').status as {
          conditions: { status: string }[];
        }
      ).conditions[0]?.status;
    expect(bound()).toBe('False');
    await p.service.create(p.def(MANAGED_CLUSTER_SETS), p.computeScope, { metadata: { name: 'later' } });
    await p.settle();
    expect(bound()).toBe('True');
    await p.service.delete(p.def(MANAGED_CLUSTER_SETS), p.computeScope, 'later');
    await p.settle();
    expect(bound()).toBe('False');
  });

  it('keeps a tolerated unavailable cluster for tolerationSeconds, then moves on', async () => {
    const p = await start(six());
    await p.bind('global');
    await p.place('patient', {
      numberOfClusters: 1,
      predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { region: 'eu' } } } }],
      tolerations: [
        { key: 'cluster.open-cluster-management.io/unavailable', operator: 'Exists', tolerationSeconds: 2 },
      ],
    });
    await p.settle();
    const [chosen] = p.decisions('patient');
    await p.markUnavailable(chosen as string);
    await p.settle();
    expect(p.decisions('patient')).toEqual([chosen]);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    await p.settle();
    const now = p.decisions('patient');
    expect(now).toHaveLength(1);
    expect(now).not.toContain(chosen);
  });

  it('decides 1,000 placements in slices, never holding the event loop for long', async () => {
    const p = await start(six());
    await p.bind('global');
    await p.store.transact((tx) => {
      const writes = p.service.within(tx);
      for (let i = 0; i < 1000; i++)
        writes.create(p.def(PLACEMENTS), p.teamScope, {
          metadata: { name: `p${i}` },
          spec: { numberOfClusters: 2 },
        });
    });
    let longest = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 1);
    const started = performance.now();
    await p.settle();
    const took = performance.now() - started;
    clearInterval(ticker);
    expect(p.scheduler.decisionsMade).toBe(1000);
    expect(p.decisions('p999')).toHaveLength(2);
    // Balance spreads the load: each of the six clusters carries about a third of the decisions.
    const counts = p.scheduler.world.decisionCountsWithout('none');
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) expect(counts[name]).toBeGreaterThan(200);
    // Undivided, the work would hold the loop for seconds; in slices the pauses stay short (loose for busy CI).
    expect(longest).toBeLessThan(500);
    // Losing a cluster re-decides only the placements that chose it.
    await p.service.delete(p.def(MANAGED_CLUSTERS), p.computeScope, 'a');
    const before = p.scheduler.decisionsMade;
    await p.settle();
    const redecided = p.scheduler.decisionsMade - before;
    expect(redecided).toBeGreaterThan(0);
    expect(redecided).toBeLessThan(1000);
    process.stderr.write(
      `1,000 placements: decided in ${Math.round(took)} ms, longest pause ${Math.round(longest)} ms, ${redecided} re-decided after a cluster went away\n`,
    );
  }, 60_000);
});
