import { describe, expect, it } from 'vitest';
import type { ClusterRef } from '../storage/cluster-index.js';
import { compareVersions, presentAs, ResourceRegistry, type ResourceDefinition } from './registry.js';
import { configMaps } from './resources/configmaps.js';
import { kindSchema } from './schema.js';

const kind = (group: string, version: string, resource: string, extra: Partial<ResourceDefinition> = {}) =>
  ({
    ...configMaps,
    group,
    version,
    resource,
    kind: resource,
    protobuf: undefined,
    schema: kindSchema(resource, {}),
    ...extra,
  }) as ResourceDefinition;

describe('compareVersions', () => {
  it("orders versions by Kubernetes' priority", () => {
    const versions = ['v1alpha1', 'v2', 'foo', 'v1beta1', 'v1', 'v11alpha2', 'v1alpha2', 'bar', 'v10beta3'];
    expect(versions.sort(compareVersions)).toEqual([
      'v2',
      'v1',
      'v10beta3',
      'v1beta1',
      'v11alpha2',
      'v1alpha2',
      'v1alpha1',
      'bar',
      'foo',
    ]);
  });
});

describe('ResourceRegistry', () => {
  const stored = kind('apis.kcp.io', 'v1alpha2', 'apibindings');
  const older = kind('apis.kcp.io', 'v1alpha1', 'apibindings', {
    conversion: {
      storageVersion: 'v1alpha2',
      toStorage: (o) => ({ ...o, apiVersion: 'apis.kcp.io/v1alpha2' }),
      fromStorage: (o) => ({ ...o, apiVersion: 'apis.kcp.io/v1alpha1' }),
    },
  });
  const schemas = kind('apis.kcp.io', 'v1alpha1', 'apiresourceschemas');
  const here: ClusterRef = { id: 'c1', path: 'root:here' };
  const there: ClusterRef = { id: 'c2', path: 'root:there' };
  const bound = kind('db.example.io', 'v1', 'databases');

  function registry() {
    const r = new ResourceRegistry([configMaps, schemas, older, stored]);
    // `here` bound databases, and (wrongly) something shadowing a built-in kind.
    r.addSource((cluster) => (cluster.id === here.id ? [bound, kind('', 'v1', 'configmaps')] : []));
    return r;
  }

  it('serves one kind in several versions, the preferred first, and gets the storage version', () => {
    const r = registry();
    expect(r.groups().find((g) => g.group === 'apis.kcp.io')?.versions).toEqual(['v1alpha2', 'v1alpha1']);
    expect(r.find(undefined, 'apis.kcp.io', 'v1alpha1', 'apibindings')).toBe(older);
    expect(r.find(undefined, 'apis.kcp.io', 'v1alpha2', 'apibindings')).toBe(stored);
    expect(r.get('apibindings.apis.kcp.io')).toBe(stored);
    expect(r.isBuiltin('apibindings.apis.kcp.io')).toBe(true);
    expect(r.isBuiltin('databases.db.example.io')).toBe(false);
    expect(presentAs(older, { apiVersion: 'apis.kcp.io/v1alpha2', metadata: {} }).apiVersion).toBe(
      'apis.kcp.io/v1alpha1',
    );
    expect(presentAs(stored, { apiVersion: 'apis.kcp.io/v1alpha2', metadata: {} }).apiVersion).toBe(
      'apis.kcp.io/v1alpha2',
    );
  });

  it('gets a built-in kind whose only conversion is defaulting on read (a CRD-defined kind with defaults)', () => {
    const defaulted = kind('work.open-cluster-management.io', 'v1', 'manifestworks', {
      conversion: { storageVersion: 'v1', toStorage: (o) => o, fromStorage: (o) => o },
    });
    expect(new ResourceRegistry([defaulted]).get('manifestworks.work.open-cluster-management.io')).toBe(
      defaulted,
    );
  });

  it('adds what a source gives one workspace, never shadowing a built-in kind', () => {
    const r = registry();
    expect(r.find(here, 'db.example.io', 'v1', 'databases')).toBe(bound);
    expect(r.find(there, 'db.example.io', 'v1', 'databases')).toBeUndefined();
    expect(r.find(undefined, 'db.example.io', 'v1', 'databases')).toBeUndefined();
    expect(r.find(here, '', 'v1', 'configmaps')).toBe(configMaps);
    expect(r.all(here).filter((def) => def.resource === 'configmaps')).toEqual([configMaps]);
    expect(r.groups(here).map((g) => g.group)).toContain('db.example.io');
    expect(r.groups(there).map((g) => g.group)).not.toContain('db.example.io');
  });

  it('lets an earlier source keep a kind a later one also names (a bound API over a CRD)', () => {
    const r = registry();
    const fromCrd = kind('db.example.io', 'v2', 'databases');
    const widgets = kind('example.io', 'v1', 'widgets');
    r.addSource((cluster) => (cluster.id === here.id ? [fromCrd, widgets] : [fromCrd]));
    expect(r.find(here, 'db.example.io', 'v2', 'databases')).toBeUndefined();
    expect(r.find(here, 'example.io', 'v1', 'widgets')).toBe(widgets);
    expect(r.find(there, 'db.example.io', 'v2', 'databases')).toBe(fromCrd);
  });
});
