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
  MANAGED_CLUSTERS,
  PLACEMENT_DECISIONS,
  PLACEMENTS,
} from '../compute/constants.js';
import { SqliteClusterIndex, type ClusterRef } from '../storage/cluster-index.js';
import { openDatabase } from '../storage/database.js';
import { EventLog } from '../storage/event-log.js';
import { ObjectStore } from '../storage/object-store.js';
import { ClusterLeaseController, LEASES } from './cluster-lease-controller.js';
import { PlacementController } from './placement-controller.js';
import { bootstrapRoot } from './root-bootstrap.js';
import { WorkspaceController } from './workspace-controller.js';

// The hub's lease and taint controllers against a real store, beside the real scheduler: a cluster whose
// agent stopped renewing turns Unknown, is tainted unreachable and leaves the placements that chose it;
// one whose agent is back loses the taint. Leases are written with renewTimes in the past, so the
// controller's timer is exercised without waiting out a grace period.

const AVAILABLE = 'ManagedClusterConditionAvailable';
const UNREACHABLE = 'cluster.open-cluster-management.io/unreachable';
const GRACE_MS = 5_000; // leaseDurationSeconds 1

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
  const computeScope: RequestScope = { cluster: compute, user: SYSTEM_USER };
  const teamScope: RequestScope = { cluster: root, user: SYSTEM_USER, namespace: 'default' };
  const def = (resource: string) => registry.get(resource);
  const leases = new ClusterLeaseController({ service, registry, clusters });
  const scheduler = new PlacementController({ service, registry, clusters, debounceMs: 5 });

  const cluster = (name: string): KubeObject => service.get(def(MANAGED_CLUSTERS), computeScope, name);
  /** What an agent reports: Available, on an accepted cluster with a 1 s lease. */
  const report = (name: string, available: 'True' | 'False') =>
    service.update(
      def(MANAGED_CLUSTERS),
      computeScope,
      name,
      {
        ...cluster(name),
        status: {
          allocatable: { cpu: '4', memory: '8Gi' },
          conditions: [
            { type: AVAILABLE, status: available, reason: 'ManagedClusterAvailable', message: '' },
          ],
        },
      },
      { subresource: 'status' },
    );
  const joinCluster = async (name: string, renewedAt?: number, leaseDurationSeconds = 1) => {
    await service.create(def(MANAGED_CLUSTERS), computeScope, {
      metadata: { name, labels: { region: 'eu-west' } },
      spec: { hubAcceptsClient: true, leaseDurationSeconds },
    });
    await report(name, 'True');
    await service.create(def('namespaces'), computeScope, { metadata: { name } });
    if (renewedAt !== undefined) await renew(name, renewedAt);
  };
  /** Writes the agent's lease as renewed at `renewedAt` (ms since epoch). */
  const renew = async (name: string, renewedAt: number | string = Date.now()) => {
    const scope = { ...computeScope, namespace: name };
    const renewTime = typeof renewedAt === 'string' ? renewedAt : micro(renewedAt);
    const spec = { holderIdentity: name, leaseDurationSeconds: 1, renewTime };
    const current = service.find(def(LEASES), scope, 'managed-cluster-lease');
    if (current) await service.update(def(LEASES), scope, 'managed-cluster-lease', { ...current, spec });
    else await service.create(def(LEASES), scope, { metadata: { name: 'managed-cluster-lease' }, spec });
  };
  const available = (name: string) =>
    (
      cluster(name).status as { conditions: { type: string; status: string; reason: string }[] }
    ).conditions.find((c) => c.type === AVAILABLE);
  const taints = (name: string) =>
    ((cluster(name).spec as { taints?: { key: string }[] }).taints ?? []).map((t) => t.key);
  const decisions = (placement: string) =>
    service
      .list(def(PLACEMENT_DECISIONS), teamScope, MATCH_ALL)
      .items.filter(
        (pd) => pd.metadata.labels?.['cluster.open-cluster-management.io/placement'] === placement,
      )
      .flatMap((pd) =>
        (pd.status as { decisions: { clusterName: string }[] }).decisions.map((d) => d.clusterName),
      )
      .sort();
  const place = async (name: string, numberOfClusters: number) => {
    await service.create(def(MANAGED_CLUSTER_SET_BINDINGS), teamScope, {
      metadata: { name: 'global' },
      spec: { clusterSet: 'global' },
    });
    await service.create(def(PLACEMENTS), teamScope, { metadata: { name }, spec: { numberOfClusters } });
  };
  /** `kplane cluster deny NAME`: the owner sets hubAcceptsClient false. */
  const deny = (name: string) =>
    service.update(def(MANAGED_CLUSTERS), computeScope, name, {
      ...cluster(name),
      spec: { ...(cluster(name).spec as object), hubAcceptsClient: false },
    });
  return { db, leases, scheduler, joinCluster, deny, renew, report, available, taints, decisions, place };
}

const micro = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

/** Polls `read` until `ok` or 3 s; returns the last value so the assertion shows it. */
async function eventually<T>(read: () => T, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 3_000;
  let value = read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = read();
  }
  return value;
}

describe('ClusterLeaseController', () => {
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  const start = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kplane-lease-'));
    const p = await boot(dir);
    cleanups.push(() => {
      p.leases.stop();
      p.scheduler.stop();
      p.db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return p;
  };

  it('marks a cluster whose lease ran out Unknown and unreachable, and the placement moves off it', async () => {
    const p = await start();
    for (const name of ['eu-1', 'eu-2', 'eu-3']) await p.joinCluster(name, Date.now());
    await p.place('web', 2);
    p.scheduler.start();
    p.leases.start();
    const before = await eventually(
      () => p.decisions('web'),
      (d) => d.length === 2,
    );
    expect(before).toHaveLength(2);
    const [dead] = before as [string];

    await p.renew(dead, Date.now() - GRACE_MS - 1);
    expect(
      await eventually(
        () => p.available(dead)?.status,
        (s) => s === 'Unknown',
      ),
    ).toBe('Unknown');
    expect(p.available(dead)).toMatchObject({
      reason: 'ManagedClusterLeaseUpdateStopped',
      message: 'Registration agent stopped updating its lease.',
    });
    expect(p.taints(dead)).toEqual([UNREACHABLE]);
    const after = await eventually(
      () => p.decisions('web'),
      (d) => !d.includes(dead) && d.length === 2,
    );
    expect(after).toEqual(['eu-1', 'eu-2', 'eu-3'].filter((name) => name !== dead));
  });

  it('wakes up when the earliest fresh lease runs out, not before and not for clusters without a lease', async () => {
    const p = await start();
    const renewedAt = Date.now() - GRACE_MS + 1_000;
    p.leases.start();
    await p.joinCluster('never-joined');
    await p.joinCluster('eu-1', renewedAt);
    await p.joinCluster('eu-2', Date.now());
    await p.leases.settle();
    expect(p.leases.nextWakeUp()).toBe(renewedAt + GRACE_MS);
    expect(p.available('eu-1')?.status).toBe('True');
    expect(
      await eventually(
        () => p.available('eu-1')?.status,
        (s) => s === 'Unknown',
      ),
    ).toBe('Unknown');
    expect(p.taints('eu-1')).toEqual([UNREACHABLE]);
    // eu-2 is next; the cluster no agent joined keeps what it has.
    expect(p.available('eu-2')?.status).toBe('True');
    expect(p.available('never-joined')?.status).toBe('True');
    expect(p.taints('never-joined')).toEqual([]);
    p.leases.stop();
    expect(p.leases.nextWakeUp()).toBeUndefined();
  });

  it('keeps the taint while only the lease is back, and removes it once the agent reports Available', async () => {
    const p = await start();
    p.leases.start();
    await p.joinCluster('eu-1', Date.now() - GRACE_MS - 1);
    expect(
      await eventually(
        () => p.taints('eu-1'),
        (t) => t.length === 1,
      ),
    ).toEqual([UNREACHABLE]);

    await p.renew('eu-1');
    await p.leases.settle();
    expect(p.taints('eu-1')).toEqual([UNREACHABLE]);
    expect(p.available('eu-1')?.status).toBe('Unknown');

    await p.report('eu-1', 'True');
    expect(
      await eventually(
        () => p.taints('eu-1'),
        (t) => t.length === 0,
      ),
    ).toEqual([]);
    expect(p.leases.nextWakeUp()).toBeDefined();
  });

  it('taints unavailable a cluster whose agent reports its member API down', async () => {
    const p = await start();
    await p.joinCluster('eu-1', Date.now());
    p.leases.start();
    await p.report('eu-1', 'False');
    expect(
      await eventually(
        () => p.taints('eu-1'),
        (t) => t.length === 1,
      ),
    ).toEqual(['cluster.open-cluster-management.io/unavailable']);
  });

  it('gives a lease found on starting a full grace from the start: a hub restart fails no cluster over', async () => {
    const p = await start();
    await p.joinCluster('eu-1', Date.now() - GRACE_MS - 60_000);
    const startedAt = Date.now();
    p.leases.start();
    await p.leases.settle();
    expect(p.available('eu-1')?.status).toBe('True');
    expect(p.taints('eu-1')).toEqual([]);
    expect(p.leases.nextWakeUp()).toBeGreaterThanOrEqual(startedAt + GRACE_MS);
  });

  it('moves placements off a denied cluster and keeps it unschedulable while its agent still reports', async () => {
    const p = await start();
    for (const name of ['eu-1', 'eu-2']) await p.joinCluster(name, Date.now());
    await p.place('web', 1);
    p.scheduler.start();
    p.leases.start();
    const [chosen] = await eventually(
      () => p.decisions('web'),
      (d) => d.length === 1,
    );
    await p.deny(chosen as string);
    expect(
      await eventually(
        () => p.decisions('web'),
        (d) => d.length === 1 && !d.includes(chosen as string),
      ),
    ).toEqual(['eu-1', 'eu-2'].filter((name) => name !== chosen));
    expect(p.available(chosen as string)).toMatchObject({
      status: 'Unknown',
      reason: 'HubClusterAdminDenied',
    });
    expect(p.taints(chosen as string)).toEqual([UNREACHABLE]);
    // The agent of a denied cluster may go on reporting: the taint stays.
    await p.report(chosen as string, 'True');
    await p.leases.settle();
    expect(p.taints(chosen as string)).toEqual([UNREACHABLE]);
  });

  it('never sets a timer Node cannot hold: a lease renewed in 2099 or an absurd duration arms at most an hour', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    cleanups.push(() => process.off('warning', onWarning));
    const p = await start();
    p.leases.start();
    const before = Date.now();
    await p.joinCluster('eu-1', Date.now());
    await p.renew('eu-1', '2099-01-01T00:00:00.000000Z');
    await p.joinCluster('eu-2', Date.now(), 429_497);
    await p.leases.settle();
    // The forged renewal counts from when the hub saw it: it runs out after the usual grace.
    expect(p.leases.nextWakeUp()).toBeLessThanOrEqual(Date.now() + GRACE_MS);
    expect(p.leases.nextWakeUp()).toBeGreaterThanOrEqual(before + GRACE_MS);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warnings.map((w) => w.name)).not.toContain('TimeoutOverflowWarning');
  });
});
