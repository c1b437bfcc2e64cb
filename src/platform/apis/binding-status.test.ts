import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { configMaps } from '../api/resources/configmaps.js';
import { SqliteClusterIndex } from '../storage/cluster-index.js';
import { openDatabase, type Db } from '../storage/database.js';
import { EventLog } from '../storage/event-log.js';
import { ObjectStore } from '../storage/object-store.js';
import { desiredBindingStatus, type BindingWorld } from './binding-status.js';
import { API_BINDINGS, API_EXPORTS, API_RESOURCE_SCHEMAS } from './constants.js';

// The binding controller's decision, over a real store: provider root:p exports databases, and
// consumer root:c binds it.

const provider = { id: 'p1', path: 'root:p' };
const consumer = { id: 'c1', path: 'root:c' };

const schema = (name: string, group: string, plural: string, kind: string): KubeObject => ({
  apiVersion: 'apis.kcp.io/v1alpha1',
  kind: 'APIResourceSchema',
  metadata: { name, uid: `uid-${name}` },
  spec: {
    group,
    names: { plural, singular: kind.toLowerCase(), kind },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true, schema: { type: 'object' } }],
  },
});

const apiExport = (name: string, schemas: string[], claims: object[] = []): KubeObject => ({
  apiVersion: 'apis.kcp.io/v1alpha2',
  kind: 'APIExport',
  metadata: { name },
  spec: {
    resources: schemas.map((s) => {
      const [, plural, ...group] = s.split('.');
      return { name: plural, group: group.join('.'), schema: s, storage: { crd: {} } };
    }),
    permissionClaims: claims,
  },
  status: { identityHash: `hash-${name}` },
});

const binding = (
  name: string,
  exportName: string,
  claims: object[] = [],
  status: object = { phase: 'Binding' },
) => ({
  apiVersion: 'apis.kcp.io/v1alpha2',
  kind: 'APIBinding',
  metadata: { name },
  spec: { reference: { export: { path: provider.path, name: exportName } }, permissionClaims: claims },
  status,
});

describe('desiredBindingStatus', () => {
  let dir: string;
  let db: Db;
  let store: ObjectStore;
  let world: BindingWorld;
  const now = new Date('2026-01-01T00:00:00Z');

  const put = (cluster: { id: string }, resource: string, object: KubeObject) =>
    store.transact((tx) =>
      tx.put({ cluster: cluster.id, resource, namespace: '', name: object.metadata.name ?? '' }, object),
    );
  const conditionsOf = (status: Record<string, unknown>) =>
    Object.fromEntries(
      (status.conditions as { type: string; status: string; reason?: string; message?: string }[]).map(
        (c) => [c.type, c.status === 'True' ? 'True' : `False ${c.reason}: ${c.message}`],
      ),
    );

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kplane-binding-status-'));
    db = openDatabase(join(dir, 'platform.db'));
    store = new ObjectStore(db, new EventLog(0));
    const clusters = new SqliteClusterIndex(db);
    clusters.add(provider);
    clusters.add(consumer);
    world = { reader: store, resolve: (ref) => clusters.resolve(ref), builtins: [configMaps], now };
    put(provider, API_RESOURCE_SCHEMAS, schema('v1.databases.db.io', 'db.io', 'databases', 'Database'));
    put(
      provider,
      API_EXPORTS,
      apiExport('databases', ['v1.databases.db.io'], [{ group: '', resource: 'secrets', verbs: ['get'] }]),
    );
  });

  afterEach(async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds: boundResources, the export claims, what was accepted, every condition True', async () => {
    const status = desiredBindingStatus(
      world,
      binding('databases', 'databases', [
        { group: '', resource: 'secrets', verbs: ['*'], selector: { matchAll: true }, state: 'Accepted' },
      ]),
      consumer,
    );
    expect(status).toMatchObject({
      phase: 'Bound',
      apiExportClusterName: 'p1',
      boundResources: [
        {
          group: 'db.io',
          resource: 'databases',
          schema: {
            name: 'v1.databases.db.io',
            UID: 'uid-v1.databases.db.io',
            identityHash: 'hash-databases',
          },
          storageVersions: ['v1'],
        },
      ],
      exportPermissionClaims: [{ group: '', resource: 'secrets', verbs: ['get'] }],
      appliedPermissionClaims: [{ group: '', resource: 'secrets', verbs: ['get'] }],
    });
    expect(conditionsOf(status)).toEqual({
      Ready: 'True',
      APIExportValid: 'True',
      BindingUpToDate: 'True',
      InitialBindingCompleted: 'True',
      PermissionClaimsApplied: 'True',
      PermissionClaimsValid: 'True',
    });
    expect((status.conditions as { type: string }[])[0]?.type).toBe('Ready');
  });

  it('waits, saying why, for an export that is not there', async () => {
    const status = desiredBindingStatus(world, binding('b', 'nothing'), consumer);
    expect(status.phase).toBe('Binding');
    expect(conditionsOf(status)).toMatchObject({
      APIExportValid: 'False APIExportNotFound: APIExport root:p:nothing not found',
      InitialBindingCompleted: 'False APIExportNotFound: APIExport root:p:nothing not found',
    });
  });

  it('waits for a schema the export names but its workspace lacks', async () => {
    put(provider, API_EXPORTS, apiExport('broken', ['v1.caches.db.io']));
    const status = desiredBindingStatus(world, binding('b', 'broken'), consumer);
    expect(status.phase).toBe('Binding');
    expect(conditionsOf(status).InitialBindingCompleted).toBe(
      'False APIResourceSchemaInvalid: APIResourceSchema v1.caches.db.io not found in root:p',
    );
  });

  it('does not bind a name another binding in the workspace already provides, and says which', async () => {
    const first = binding('first', 'databases');
    put(consumer, API_BINDINGS, { ...first, status: desiredBindingStatus(world, first, consumer) });
    put(provider, API_EXPORTS, apiExport('again', ['v1.databases.db.io']));
    const second = desiredBindingStatus(world, binding('second', 'again'), consumer);
    const message =
      'NamingConflicts: naming conflict with APIBinding "first", which already provides databases.db.io: spec.names.plural=databases is forbidden';
    expect(second.phase).toBe('Binding');
    expect(second.boundResources).toBeUndefined();
    expect(conditionsOf(second)).toMatchObject({
      BindingUpToDate: `False ${message}`,
      InitialBindingCompleted: `False ${message}`,
      Ready: `False ${message}`,
    });
    // The first binding itself is not in conflict with its own names.
    expect(desiredBindingStatus(world, first, consumer).phase).toBe('Bound');
  });

  it('does not bind over a built-in kind', async () => {
    put(provider, API_RESOURCE_SCHEMAS, schema('v1.configmaps.', '', 'configmaps', 'ConfigMap'));
    put(provider, API_EXPORTS, {
      ...apiExport('core', []),
      spec: {
        resources: [{ name: 'configmaps', group: '', schema: 'v1.configmaps.', storage: { crd: {} } }],
      },
    });
    const status = desiredBindingStatus(world, binding('b', 'core'), consumer);
    expect(conditionsOf(status).InitialBindingCompleted).toContain(
      'naming conflict with the built-in API, which already provides configmaps',
    );
  });

  it('flags claims the export never made, and keeps transition times that did not change', async () => {
    const claimed = binding('b', 'databases', [
      { group: '', resource: 'configmaps', verbs: ['*'], selector: { matchAll: true }, state: 'Accepted' },
    ]);
    const first = desiredBindingStatus(world, claimed, consumer);
    expect(conditionsOf(first).PermissionClaimsValid).toBe(
      'False InvalidPermissionClaims: the export does not claim configmaps',
    );
    expect(first.appliedPermissionClaims).toEqual([]);
    const later = desiredBindingStatus(
      { ...world, now: new Date('2026-02-01T00:00:00Z') },
      { ...claimed, status: first },
      consumer,
    );
    expect(later.conditions).toEqual(first.conditions);
  });
});
