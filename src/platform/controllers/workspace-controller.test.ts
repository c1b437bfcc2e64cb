import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceService } from '../api/resource-service.js';
import { builtinRegistry } from '../api/resources/index.js';
import { SYSTEM_USER } from '../auth/user.js';
import { SqliteClusterIndex } from '../storage/cluster-index.js';
import { openDatabase, type Db } from '../storage/database.js';
import { EventLog, type ChangeEvent } from '../storage/event-log.js';
import { ObjectStore } from '../storage/object-store.js';
import { bootstrapRoot } from './root-bootstrap.js';
import { WorkspaceController } from './workspace-controller.js';
import { Authorizer } from '../auth/authorize.js';

/** One "process": database, store, service and controller over a data folder. */
async function boot(dir: string, baseUrl: string, autoStart = true) {
  const db = openDatabase(join(dir, 'platform.db'));
  const store = new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db)));
  const clusters = new SqliteClusterIndex(db);
  const env = { baseUrl };
  // The hook fires only on writes, which all happen after the controller exists.
  const registry = builtinRegistry({
    onCreated: (key) => (autoStart ? controller.enqueue(key) : undefined),
    authorizer: new Authorizer(store),
  });
  const service = new ResourceService(store, clusters, env);
  const controller = new WorkspaceController({ service, registry, clusters, env });
  await bootstrapRoot(service, registry, clusters, baseUrl);
  return { db, store, clusters, registry, service, controller };
}

describe('WorkspaceController', () => {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) if (db.open) db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kplane-controller-'));
    dirs.push(dir);
    return dir;
  };

  it('moves a workspace through its phases, one visible write per step', async () => {
    const p = await boot(tempDir(), 'https://127.0.0.1:1');
    dbs.push(p.db);
    const seen: ChangeEvent[] = [];
    p.store.events.subscribe((event) => seen.push(event));
    const root = { cluster: { id: 'root', path: 'root' }, user: SYSTEM_USER };
    await p.service.create(p.registry.get('workspaces.tenancy.kcp.io'), root, { metadata: { name: 'a' } });
    await p.controller.settle();
    const phases = seen
      .filter((e) => e.key.resource === 'workspaces.tenancy.kcp.io')
      .map((e) => (e.object.status as { phase: string }).phase);
    expect(phases).toEqual(['Scheduling', 'Initializing', 'Ready']);
    const clusterEvents = seen
      .filter((e) => e.key.cluster !== 'root')
      .map((e) => `${e.type} ${e.key.resource}/${e.key.name}`);
    expect(clusterEvents).toEqual([
      'ADDED logicalclusters.core.kcp.io/cluster',
      'MODIFIED logicalclusters.core.kcp.io/cluster',
      'ADDED namespaces/default',
      // The built-in roles and the creator's admin binding, before Ready.
      'ADDED clusterroles.rbac.authorization.k8s.io/cluster-admin',
      'ADDED clusterroles.rbac.authorization.k8s.io/system:kcp:workspace:access',
      'ADDED clusterrolebindings.rbac.authorization.k8s.io/workspace-admin',
      'MODIFIED logicalclusters.core.kcp.io/cluster',
    ]);
    const adminBinding = seen.find((e) => e.key.name === 'workspace-admin')!.object;
    expect(adminBinding).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'system:kplane' }],
    });
  });

  it('finishes a workspace a crash left half-way and follows a new base URL', async () => {
    const dir = tempDir();
    const first = await boot(dir, 'https://127.0.0.1:1', false);
    const root = { cluster: { id: 'root', path: 'root' }, user: SYSTEM_USER };
    await first.service.create(first.registry.get('workspaces.tenancy.kcp.io'), root, {
      metadata: { name: 'a' },
    });
    first.controller.stop();
    first.db.close();

    const second = await boot(dir, 'https://127.0.0.1:2');
    dbs.push(second.db);
    second.controller.resync();
    await second.controller.settle();
    const ws = second.service.get(second.registry.get('workspaces.tenancy.kcp.io'), root, 'a');
    expect(ws.status).toEqual({ phase: 'Ready' });
    expect((ws.spec as { URL: string }).URL).toBe('https://127.0.0.1:2/clusters/root:a');
    const child = second.clusters.resolve('root:a')!;
    const logicalCluster = second.service.get(
      second.registry.get('logicalclusters.core.kcp.io'),
      { cluster: child, user: SYSTEM_USER },
      'cluster',
    );
    expect(logicalCluster.status).toEqual({ phase: 'Ready', URL: 'https://127.0.0.1:2/clusters/root:a' });
  });
});
