import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { MATCH_ALL } from '../api/selectors/object-filter.js';
import type { RequestScope } from '../api/resource-service.js';
import { ResourceService } from '../api/resource-service.js';
import { builtinRegistry } from '../api/resources/index.js';
import { Authorizer } from '../auth/authorize.js';
import { ADMIN_GROUPS, ADMIN_USER, SYSTEM_USER, type UserInfo } from '../auth/user.js';
import { bootstrapRoot } from '../controllers/root-bootstrap.js';
import { WorkspaceController } from '../controllers/workspace-controller.js';
import { SqliteClusterIndex, type ClusterRef } from '../storage/cluster-index.js';
import { openDatabase, type Db } from '../storage/database.js';
import { EventLog } from '../storage/event-log.js';
import { ObjectStore } from '../storage/object-store.js';
import { mayBindClusterSet } from './bind-admission.js';
import { bootstrapCompute } from './bootstrap.js';
import {
  COMPUTE_PATH,
  MANAGED_CLUSTER_SET_BINDINGS,
  MANAGED_CLUSTER_SETS,
  MANAGED_CLUSTERS,
} from './constants.js';
import { DEMO_CLUSTERS, seedDemoCompute } from './demo-inventory.js';

const ADMIN: UserInfo = { name: ADMIN_USER, groups: ADMIN_GROUPS };
const ERIN: UserInfo = { name: 'erin', groups: ['system:authenticated'] };

async function boot(dir: string) {
  const db = openDatabase(join(dir, 'platform.db'));
  const store = new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db)));
  const clusters = new SqliteClusterIndex(db);
  const env = { baseUrl: 'https://127.0.0.1:1' };
  const authorizer = new Authorizer(store);
  const registry = builtinRegistry({ onCreated: (key) => controller.enqueue(key), authorizer });
  const service = new ResourceService(store, clusters, env);
  const controller = new WorkspaceController({ service, registry, clusters, env });
  await bootstrapRoot(service, registry, clusters, env.baseUrl);
  const compute = await bootstrapCompute({ service, registry, clusters, settle: () => controller.settle() });
  const computeScope: RequestScope = { cluster: compute, user: ADMIN };
  await seedDemoCompute(service, registry, computeScope);
  const root: ClusterRef = { id: 'root', path: 'root' };
  // A tenant workspace with a namespace, as the workspace controller leaves it.
  await service.create(
    registry.get('workspaces.tenancy.kcp.io'),
    { cluster: root, user: ADMIN },
    { metadata: { name: 'team' } },
  );
  await controller.settle();
  const team = clusters.resolve('root:team') as ClusterRef;
  return { db, store, clusters, registry, service, controller, compute, computeScope, team };
}

describe('compute in root:compute and its views elsewhere', () => {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) if (db.open) db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const start = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kplane-compute-'));
    dirs.push(dir);
    const p = await boot(dir);
    dbs.push(p.db);
    return p;
  };

  it('bootstraps root:compute owned by the platform, with the set global and the default bind grant', async () => {
    const p = await start();
    expect(p.compute.path).toBe(COMPUTE_PATH);
    const sets = p.service.list(p.registry.get(MANAGED_CLUSTER_SETS), p.computeScope, MATCH_ALL).items;
    expect(sets.map((s) => [s.metadata.name, s.spec])).toEqual([
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
    const clusters = p.service.list(p.registry.get(MANAGED_CLUSTERS), p.computeScope, MATCH_ALL).items;
    expect(clusters.map((c) => c.metadata.name)).toEqual(DEMO_CLUSTERS.map((c) => c.name).sort());
    const regions = new Set(clusters.map((c) => c.metadata.labels?.region));
    expect(regions.size).toBeGreaterThanOrEqual(3);
    // Taints carry the time the server saw them appear.
    const tainted = clusters.find((c) => c.metadata.name === 'azure-ap-south-1');
    expect(tainted?.spec).toMatchObject({
      taints: [
        { key: 'kplane.dev/maintenance', value: 'true', effect: 'NoSelect', timeAdded: expect.any(String) },
      ],
    });
    // Ready, like any workspace; only the platform (its owner) and system:masters may enter it.
    expect(
      p.service.store.get({
        cluster: 'root',
        resource: 'workspaces.tenancy.kcp.io',
        namespace: '',
        name: 'compute',
      })?.status,
    ).toEqual({ phase: 'Ready' });
  });

  it('runs again without changing anything', async () => {
    const p = await start();
    const before = p.store.resourceVersion;
    await bootstrapCompute({
      service: p.service,
      registry: p.registry,
      clusters: p.clusters,
      settle: () => p.controller.settle(),
    });
    await seedDemoCompute(p.service, p.registry, p.computeScope);
    expect(p.store.resourceVersion).toBe(before);
  });

  it('shows every set elsewhere, but clusters only of the sets bound there, and refuses writes', async () => {
    const p = await start();
    const teamScope: RequestScope = { cluster: p.team, user: ADMIN };
    const clustersDef = p.registry.get(MANAGED_CLUSTERS);
    const setsDef = p.registry.get(MANAGED_CLUSTER_SETS);
    const bindingsDef = p.registry.get(MANAGED_CLUSTER_SET_BINDINGS);
    expect(p.service.list(setsDef, teamScope, MATCH_ALL).items.map((s) => s.metadata.name)).toEqual([
      'eu',
      'global',
    ]);
    expect(p.service.list(clustersDef, teamScope, MATCH_ALL).items).toEqual([]);

    await p.service.create(
      bindingsDef,
      { ...teamScope, namespace: 'default' },
      { metadata: { name: 'eu' }, spec: { clusterSet: 'eu' } },
    );
    const visible = p.service.list(clustersDef, teamScope, MATCH_ALL).items;
    expect(visible.map((c) => c.metadata.name)).toEqual([
      'aws-eu-west-1',
      'azure-eu-central-1',
      'gcp-eu-central-1',
      'gcp-eu-west-1',
    ]);
    // The same object as in root:compute, resourceVersion and all.
    const stored = p.service.get(clustersDef, p.computeScope, 'aws-eu-west-1');
    expect(p.service.get(clustersDef, teamScope, 'aws-eu-west-1')).toEqual(stored);
    expect(() => p.service.get(clustersDef, teamScope, 'aws-us-east-1')).toThrow('not found');

    const write = () => p.service.create(clustersDef, teamScope, { metadata: { name: 'mine' } });
    await expect(write()).rejects.toThrow(ApiError);
    await expect(write()).rejects.toThrow(/registered in root:compute/);
    try {
      await p.service.delete(setsDef, teamScope, 'global');
    } catch (err) {
      expect((err as ApiError).toStatus()).toMatchObject({ code: 405, reason: 'MethodNotAllowed' });
    }
    expect(p.service.find(setsDef, p.computeScope, 'global')).toBeDefined();
  });

  it('lets users bind the default sets only, and says so in the apiserver words', async () => {
    const p = await start();
    const authorizer = new Authorizer(p.store);
    expect(mayBindClusterSet(authorizer, p.clusters, ERIN, 'global')).toBe(true);
    expect(mayBindClusterSet(authorizer, p.clusters, ERIN, 'eu')).toBe(true);
    expect(mayBindClusterSet(authorizer, p.clusters, ERIN, 'gpu')).toBe(false);
    expect(mayBindClusterSet(authorizer, p.clusters, ADMIN, 'gpu')).toBe(true);

    const bindingsDef = p.registry.get(MANAGED_CLUSTER_SET_BINDINGS);
    const asErin: RequestScope = { cluster: p.team, user: ERIN, namespace: 'default' };
    let error: ApiError | undefined;
    try {
      await p.service.create(bindingsDef, asErin, { metadata: { name: 'gpu' }, spec: { clusterSet: 'gpu' } });
    } catch (err) {
      error = err as ApiError;
    }
    expect(error?.toStatus()).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message:
        'managedclustersets.cluster.open-cluster-management.io "gpu" is forbidden: User "erin" cannot create resource "managedclustersets/bind" in API group "cluster.open-cluster-management.io" at the cluster scope',
    });
    const bound = await p.service.create(bindingsDef, asErin, {
      metadata: { name: 'global' },
      spec: { clusterSet: 'global' },
    });
    expect(bound.status).toMatchObject({
      conditions: [{ type: 'Bound', status: 'True', reason: 'ClusterSetBound' }],
    });
  });

  it('stores a binding to a set that does not exist, not Bound', async () => {
    const p = await start();
    const bindingsDef = p.registry.get(MANAGED_CLUSTER_SET_BINDINGS);
    const scope: RequestScope = { cluster: p.team, user: SYSTEM_USER, namespace: 'default' };
    const binding = await p.service.create(bindingsDef, scope, {
      metadata: { name: 'later' },
      spec: { clusterSet: 'later' },
    });
    expect(binding.status).toMatchObject({
      conditions: [{ type: 'Bound', status: 'False', reason: 'ClusterSetNotFound' }],
    });
    await expect(
      p.service.create(bindingsDef, scope, { metadata: { name: 'other' }, spec: { clusterSet: 'global' } }),
    ).rejects.toThrow('must have the same name as the target ManagedClusterSet');
  });
});
