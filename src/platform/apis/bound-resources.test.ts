import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { OpenApiPublisher } from '../api/openapi.js';
import { ResourceRegistry, type HookContext } from '../api/registry.js';
import { configMaps } from '../api/resources/configmaps.js';
import { SYSTEM_USER } from '../auth/user.js';
import { SqliteClusterIndex } from '../storage/cluster-index.js';
import { openDatabase, type Db } from '../storage/database.js';
import { EventLog } from '../storage/event-log.js';
import { ObjectStore } from '../storage/object-store.js';
import { boundDefinitions, definitionsForSchema } from './bound-resources.js';
import { API_BINDINGS, API_EXPORTS, API_RESOURCE_SCHEMAS } from './constants.js';

const version = (name: string, extra: object = {}) => ({
  name,
  served: true,
  storage: false,
  schema: {
    type: 'object',
    properties: {
      spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 } } },
    },
  },
  ...extra,
});

const widgets = (uid: string, description = 'A widget.'): KubeObject => ({
  apiVersion: 'apis.kcp.io/v1alpha1',
  kind: 'APIResourceSchema',
  metadata: { name: `${uid}.widgets.example.io`, uid, resourceVersion: '1' },
  spec: {
    group: 'example.io',
    names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
    scope: 'Cluster',
    versions: [
      version('v1', { storage: true, subresources: { status: {} } }),
      version('v2', { schema: { openAPIV3Schema: { type: 'object', description } } }),
      version('v3', { served: false }),
    ],
  },
});

describe('definitionsForSchema', () => {
  const [v1, v2, ...none] = definitionsForSchema(widgets('s1'));

  it('makes one kind per served version, stored in the storage version', async () => {
    expect(none).toEqual([]);
    expect(v1).toMatchObject({
      group: 'example.io',
      version: 'v1',
      kind: 'Widget',
      listKind: 'WidgetList',
      resource: 'widgets',
      singular: 'widget',
      shortNames: ['wd'],
      categories: ['all'],
      scope: 'Cluster',
      subresources: ['status'],
      schemaName: 'io.example.v1.Widget',
      customResource: true,
    });
    expect(v1?.conversion).toBeUndefined();
    expect(v2?.subresources).toEqual([]);
    expect(v2?.description).toBe('A widget.');
    const stored = v2!.conversion!.toStorage({ apiVersion: 'example.io/v2', metadata: {} });
    expect(stored.apiVersion).toBe('example.io/v1');
    expect(v2!.conversion!.fromStorage(stored).apiVersion).toBe('example.io/v2');
    expect(v1!.columns.map((c) => c.name)).toEqual(['Age']);
  });

  it('validates against the schema and stamps where the object lives', async () => {
    const ctx = { cluster: { id: 'abc', path: 'root:team' }, user: SYSTEM_USER } as HookContext;
    const object: KubeObject = {
      apiVersion: 'example.io/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: {},
    };
    expect(v1!.hooks!.validate!(object, undefined, ctx)).toEqual([{ type: 'Required', field: 'spec.size' }]);
    const badLabels = { ...object, metadata: { name: 'w', labels: 'x' as never } };
    expect(v1!.hooks!.validate!(badLabels, undefined, ctx).map((e) => e.field)).toEqual([
      'metadata.labels',
      'spec.size',
    ]);
    v1!.hooks!.prepareCreate!(object, ctx);
    expect(object.metadata.annotations).toEqual({ 'kcp.io/cluster': 'abc', 'kcp.io/path': 'root:team' });
    expect(definitionsForSchema(widgets('s1'))[0]).toBe(v1);
  });
});

describe('boundDefinitions', () => {
  let dir: string;
  let db: Db;
  let store: ObjectStore;
  let registry: ResourceRegistry;
  const provider = { id: 'p1', path: 'root:p' };
  const consumer = { id: 'c1', path: 'root:c' };
  const other = { id: 'o1', path: 'root:o' };

  const put = (cluster: { id: string }, resource: string, object: KubeObject) =>
    store.transact((tx) =>
      tx.put({ cluster: cluster.id, resource, namespace: '', name: object.metadata.name ?? '' }, object),
    );
  const bindTo = (schemaUid: string, claimedUid = schemaUid) => {
    put(provider, API_RESOURCE_SCHEMAS, widgets(schemaUid, `Widget ${schemaUid}.`));
    put(provider, API_EXPORTS, {
      metadata: { name: 'widgets' },
      spec: {
        resources: [
          {
            name: 'widgets',
            group: 'example.io',
            schema: `${schemaUid}.widgets.example.io`,
            storage: { crd: {} },
          },
        ],
      },
    });
    put(consumer, API_BINDINGS, {
      metadata: { name: 'widgets' },
      spec: { reference: { export: { path: provider.path, name: 'widgets' } } },
      status: {
        phase: 'Bound',
        boundResources: [
          {
            group: 'example.io',
            resource: 'widgets',
            schema: { name: `${schemaUid}.widgets.example.io`, UID: claimedUid },
          },
        ],
      },
    });
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kplane-bound-'));
    db = openDatabase(join(dir, 'platform.db'));
    store = new ObjectStore(db, new EventLog(0));
    const clusters = new SqliteClusterIndex(db);
    for (const cluster of [provider, consumer, other]) clusters.add(cluster);
    registry = new ResourceRegistry([configMaps]);
    registry.addSource(
      boundDefinitions(
        store,
        (ref) => clusters.resolve(ref),
        () => store.resourceVersion,
      ),
    );
  });

  afterEach(async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a bound schema in the binding workspace only', async () => {
    bindTo('s1');
    expect(registry.find(consumer, 'example.io', 'v2', 'widgets')?.kind).toBe('Widget');
    expect(registry.find(other, 'example.io', 'v1', 'widgets')).toBeUndefined();
    expect(registry.groups(consumer).find((g) => g.group === 'example.io')?.versions).toEqual(['v2', 'v1']);
  });

  it('trusts the export, not the binding status: a schema it does not serve is not served', async () => {
    bindTo('s1', 'another-uid');
    expect(registry.find(consumer, 'example.io', 'v1', 'widgets')).toBeUndefined();
  });

  it("follows what is stored, and each workspace's OpenAPI hash follows its schemas", async () => {
    const openapi = new OpenApiPublisher(registry);
    const prefix = '/clusters/root:c';
    expect(openapi.index(consumer, prefix).paths).not.toHaveProperty('apis/example.io/v1');
    bindTo('s1');
    const first = (openapi.index(consumer, prefix).paths as Record<string, { serverRelativeURL: string }>)[
      'apis/example.io/v2'
    ]!.serverRelativeURL;
    expect(openapi.index(other, '/clusters/root:o').paths).not.toHaveProperty('apis/example.io/v2');
    bindTo('s2');
    const second = (openapi.index(consumer, prefix).paths as Record<string, { serverRelativeURL: string }>)[
      'apis/example.io/v2'
    ]!.serverRelativeURL;
    expect(second).not.toBe(first);
    expect(JSON.stringify(openapi.document(consumer, 'example.io', 'v2')?.body)).toContain('Widget s2.');
    store.transact((tx) =>
      tx.remove({ cluster: consumer.id, resource: API_BINDINGS, namespace: '', name: 'widgets' }),
    );
    expect(registry.find(consumer, 'example.io', 'v1', 'widgets')).toBeUndefined();
  });
});
