import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_USER } from '../auth/user.js';
import { bootstrapRoot } from '../controllers/root-bootstrap.js';
import { WorkspaceController } from '../controllers/workspace-controller.js';
import { ApiError } from '../http/errors.js';
import { SqliteClusterIndex, type ClusterIndex } from '../storage/cluster-index.js';
import { openDatabase, type Db } from '../storage/database.js';
import { EventLog } from '../storage/event-log.js';
import { ObjectStore } from '../storage/object-store.js';
import type { ResourceRegistry } from './registry.js';
import { ResourceService, type RequestScope } from './resource-service.js';
import { builtinRegistry } from './resources/index.js';
import { MATCH_ALL, parseObjectFilter } from './selectors/object-filter.js';
import { Authorizer } from '../auth/authorize.js';

const BASE = 'https://127.0.0.1:6443';

async function apiError(fn: () => unknown): Promise<ApiError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('ResourceService', () => {
  let dir: string;
  let db: Db;
  let service: ResourceService;
  let registry: ResourceRegistry;
  let clusters: ClusterIndex;
  let controller: WorkspaceController;
  const root = (namespace?: string): RequestScope => ({
    cluster: { id: 'root', path: 'root' },
    user: SYSTEM_USER,
    ...(namespace ? { namespace } : {}),
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kplane-service-'));
    db = openDatabase(join(dir, 'platform.db'));
    const store = new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db)));
    clusters = new SqliteClusterIndex(db);
    registry = builtinRegistry({
      onCreated: (key) => controller.enqueue(key),
      authorizer: new Authorizer(store),
    });
    const env = { baseUrl: BASE };
    service = new ResourceService(store, clusters, env);
    controller = new WorkspaceController({ service, registry, clusters, env });
    await bootstrapRoot(service, registry, clusters, BASE);
  });

  afterEach(async () => {
    controller.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const configMaps = () => registry.get('configmaps');
  const workspaces = () => registry.get('workspaces.tenancy.kcp.io');

  it('creates with system metadata and refuses duplicates', async () => {
    const created = await service.create(configMaps(), root('default'), {
      metadata: { name: 'a', uid: 'mine' },
      data: { k: 'v' },
    });
    expect(created).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'default', generation: 1 },
    });
    expect(created.metadata.uid).not.toBe('mine');
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const err = await apiError(() =>
      service.create(configMaps(), root('default'), { metadata: { name: 'a' } }),
    );
    expect(err.code).toBe(409);
    expect(err.message).toBe('configmaps "a" already exists');
  });

  it('generates names from generateName', async () => {
    const created = await service.create(configMaps(), root('default'), {
      metadata: { generateName: 'job-' },
    });
    expect(created.metadata.name).toMatch(/^job-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('needs the namespace to exist', async () => {
    const err = await apiError(() => service.create(configMaps(), root('nope'), { metadata: { name: 'a' } }));
    expect([err.code, err.message]).toEqual([404, 'namespaces "nope" not found']);
  });

  it('rejects a stale resourceVersion and accepts the current one', async () => {
    const created = await service.create(configMaps(), root('default'), {
      metadata: { name: 'a' },
      data: { v: '1' },
    });
    const updated = await service.update(configMaps(), root('default'), 'a', {
      ...created,
      data: { v: '2' },
    });
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    const err = await apiError(() =>
      service.update(configMaps(), root('default'), 'a', { ...created, data: { v: '3' } }),
    );
    expect(err.code).toBe(409);
    expect(err.message).toBe(
      'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
    );
    const unconditional = { ...updated, metadata: { ...updated.metadata, resourceVersion: undefined } };
    expect(
      (await service.update(configMaps(), root('default'), 'a', { ...unconditional, data: { v: '4' } })).data,
    ).toEqual({ v: '4' });
  });

  it('keeps the resourceVersion on a write that changes nothing', async () => {
    const created = await service.create(configMaps(), root('default'), {
      metadata: { name: 'a' },
      data: { v: '1' },
    });
    const same = await service.patch(configMaps(), root('default'), 'a', 'merge', { data: { v: '1' } });
    expect(same.object.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('patches with merge, JSON and apply patches', async () => {
    await service.create(configMaps(), root('default'), {
      metadata: { name: 'a' },
      data: { a: '1', b: '2' },
    });
    await service.patch(configMaps(), root('default'), 'a', 'merge', { data: { b: null, c: '3' } });
    await service.patch(configMaps(), root('default'), 'a', 'json', [
      { op: 'replace', path: '/data/a', value: '9' },
    ]);
    expect(service.get(configMaps(), root('default'), 'a').data).toEqual({ a: '9', c: '3' });
    const applied = await service.patch(configMaps(), root('default'), 'fresh', 'apply', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'fresh' },
      data: { x: 'y' },
    });
    expect(applied.created).toBe(true);
    const err = await apiError(() =>
      service.patch(configMaps(), root('default'), 'a', 'json', [
        { op: 'test', path: '/data/a', value: 'x' },
      ]),
    );
    expect(err.code).toBe(422);
  });

  it('validates names and unknown fields', async () => {
    const invalid = await apiError(() =>
      service.create(configMaps(), root('default'), { metadata: { name: 'Bad_Name' } }),
    );
    expect(invalid.code).toBe(422);
    expect(invalid.message).toMatch(
      /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    const strict = await apiError(() =>
      service.create(
        configMaps(),
        root('default'),
        { metadata: { name: 'a' }, dataa: {} },
        { fieldValidation: 'Strict' },
      ),
    );
    expect(strict.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dataa"',
    );
    const warnings: string[] = [];
    const lax = await service.create(
      configMaps(),
      root('default'),
      { metadata: { name: 'b' }, dataa: {} },
      { warnings },
    );
    expect(warnings).toEqual(['unknown field "dataa"']);
    expect(lax).not.toHaveProperty('dataa');
  });

  it('rolls back a dry run', async () => {
    const rv = service.store.resourceVersion;
    const created = await service.create(
      configMaps(),
      root('default'),
      { metadata: { name: 'dry' } },
      { dryRun: true },
    );
    expect(created.metadata.name).toBe('dry');
    expect(created.metadata.resourceVersion).toBeUndefined();
    expect(service.find(configMaps(), root('default'), 'dry')).toBeUndefined();
    expect(service.store.resourceVersion).toBe(rv);
    const real = await service.create(configMaps(), root('default'), { metadata: { name: 'real' } });
    const patched = await service.patch(
      configMaps(),
      root('default'),
      'real',
      'merge',
      { data: { a: 'b' } },
      { dryRun: true },
    );
    expect(patched.object.data).toEqual({ a: 'b' });
    expect(patched.object.metadata.resourceVersion).toBe(real.metadata.resourceVersion);
    expect(service.get(configMaps(), root('default'), 'real').data).toBeUndefined();
    await service.delete(configMaps(), root('default'), 'real', { dryRun: true });
    expect(service.find(configMaps(), root('default'), 'real')).toBeDefined();
  });

  it('filters lists by label and field selectors', async () => {
    await service.create(configMaps(), root('default'), { metadata: { name: 'a', labels: { app: 'web' } } });
    await service.create(configMaps(), root('default'), { metadata: { name: 'b', labels: { app: 'api' } } });
    const names = (label?: string, field?: string) =>
      service
        .list(configMaps(), root('default'), parseObjectFilter(configMaps(), label, field))
        .items.map((o) => o.metadata.name);
    expect(names('app=web')).toEqual(['a']);
    expect(names('app notin (web)')).toEqual(['b']);
    expect(names(undefined, 'metadata.name=b')).toEqual(['b']);
    expect(service.list(configMaps(), root(), MATCH_ALL).items).toHaveLength(2);
    expect((await apiError(() => names(undefined, 'spec.x=1'))).code).toBe(400);
  });

  it('deleting a namespace deletes its content', async () => {
    await service.create(registry.get('namespaces'), root(), { metadata: { name: 'team' } });
    await service.create(configMaps(), root('team'), { metadata: { name: 'a' } });
    await service.delete(registry.get('namespaces'), root(), 'team');
    expect(service.find(configMaps(), root('team'), 'a')).toBeUndefined();
  });

  it('brings a workspace up, defaults its type, and deletes it with its children', async () => {
    const ws = await service.create(workspaces(), root(), { metadata: { name: 'org' } });
    expect(ws.spec).toMatchObject({
      type: { name: 'organization', path: 'root' },
      URL: `${BASE}/clusters/root:org`,
    });
    expect((ws.spec as { cluster: string }).cluster).toMatch(/^[a-z0-9]{16}$/);
    expect(ws.status).toEqual({ phase: 'Scheduling' });
    expect(ws.metadata.labels).toEqual({ 'tenancy.kcp.io/phase': 'Scheduling' });
    await controller.settle();
    expect(service.get(workspaces(), root(), 'org').status).toEqual({ phase: 'Ready' });

    const org = clusters.resolve('root:org');
    expect(org?.id).toBe((ws.spec as { cluster: string }).cluster);
    const orgScope = { cluster: org!, user: SYSTEM_USER };
    const team = await service.create(workspaces(), orgScope, { metadata: { name: 'team' } });
    expect((team.spec as { type: unknown }).type).toEqual({ name: 'team', path: 'root' });
    await controller.settle();
    const teamCluster = clusters.resolve('root:org:team')!;
    await service.create(
      configMaps(),
      { cluster: teamCluster, user: SYSTEM_USER, namespace: 'default' },
      { metadata: { name: 'x' } },
    );

    const immutable = await apiError(() =>
      service.patch(workspaces(), orgScope, 'team', 'merge', {
        spec: { type: { name: 'universal', path: 'root' } },
      }),
    );
    expect(immutable.code).toBe(422);
    expect(immutable.message).toContain('spec.type is immutable');

    await service.delete(workspaces(), root(), 'org');
    expect(clusters.resolve('root:org')).toBeUndefined();
    expect(clusters.resolve('root:org:team')).toBeUndefined();
    expect(service.store.listEverywhere('configmaps')).toEqual([]);
    expect(service.store.listEverywhere('workspaces.tenancy.kcp.io')).toEqual([]);
  });

  it('refuses an unknown workspace type', async () => {
    const err = await apiError(() =>
      service.create(workspaces(), root(), { metadata: { name: 'x' }, spec: { type: { name: 'nope' } } }),
    );
    expect(err.code).toBe(422);
    expect(err.message).toBe(
      'Workspace.tenancy.kcp.io "x" is invalid: spec.type: Invalid value: "root:nope": WorkspaceType root:nope does not exist',
    );
  });
  it('answers writes to an object stored deeper than the nesting limit with a 422, never a stack overflow', async () => {
    // Before the limit a client could store 1,891 levels; such an object may still be on disk.
    let fields: Record<string, unknown> = {};
    const deep = { metadata: { name: 'deep', managedFields: [{ fieldsV1: fields }] }, data: { a: 'b' } };
    for (let level = 0; level < 1_891; level++) fields = (fields['f:a'] = {}) as Record<string, unknown>;
    const def = configMaps();
    await service.store.transact((tx) => tx.put(service.key(def, root('default'), 'deep'), deep as never));

    expect(service.get(def, root('default'), 'deep').data).toEqual({ a: 'b' });
    for (const [type, patch] of [
      ['merge', { data: { a: 'c' } }],
      ['strategic', { data: { a: 'c' } }],
      ['json', [{ op: 'add', path: '/data/x', value: 'y' }]],
      ['apply', { data: { a: 'c' } }],
    ] as const) {
      const err = await apiError(() => service.patch(def, root('default'), 'deep', type, patch));
      expect(err.code, type).toBe(422);
      expect(err.message).toContain('nested more than 100 levels deep');
    }
    // A full update replaces the deep part, which is how its owner repairs it.
    const repaired = await service.update(def, root('default'), 'deep', {
      metadata: { name: 'deep' },
      data: { a: 'd' },
    });
    expect(repaired.data).toEqual({ a: 'd' });
  });
  it('refuses an object that conversion into the storage version would nest too deep', async () => {
    // A v1alpha1 APIBinding carries what v1alpha1 cannot say in an annotation, as JSON text: text the
    // body's nesting limit does not see, which conversion turns back into objects.
    const def = registry.find(undefined, 'apis.kcp.io', 'v1alpha1', 'apibindings')!;
    const selector = `${'{"a":'.repeat(5_000)}{}${'}'.repeat(5_000)}`;
    const body = {
      metadata: {
        name: 'deep-claims',
        annotations: {
          'apis.v1alpha2.kcp.io/permission-claims': `[{"group":"","resource":"configmaps","selector":${selector}}]`,
        },
      },
      spec: {
        reference: { export: { path: 'root', name: 'nothing' } },
        permissionClaims: [{ group: '', resource: 'configmaps', all: false, state: 'Accepted' }],
      },
    };
    const err = await apiError(() => service.create(def, root(), body));
    expect(err.message).toContain('nested more than 100 levels deep');
    expect(err.code).toBe(422);
  });
});
