import { describe, expect, it } from 'vitest';
import { tenantManifestConfigs, tenantManifests, type Tenant } from './tenant-manifests.js';
import {
  manifestWorkName,
  memberNamespace,
  TENANT_NAMESPACE_LABEL,
  TENANT_WORKSPACE_LABEL,
  workspaceLabelValue,
} from './tenant-namespace.js';

const SCOPES: Record<string, 'Namespaced' | 'Cluster'> = {
  'v1/ConfigMap': 'Namespaced',
  'apps/v1/Deployment': 'Namespaced',
  'v1/Namespace': 'Cluster',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'Cluster',
};
const tenant = (workspacePath: string, namespace: string): Tenant => ({
  workspacePath,
  namespace,
  scopeOf: (apiVersion, kind) => SCOPES[`${apiVersion}/${kind}`],
});
const configMap = (name: string, namespace?: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(namespace ? { namespace } : {}), labels: { app: 'web' } },
  data: { color: 'blue' },
});

describe('memberNamespace', () => {
  it('keeps two tenants with the same namespace apart, and one tenant stable', () => {
    const a = memberNamespace('root:users:pat', 'default');
    const b = memberNamespace('root:users:sam', 'default');
    expect(a).not.toBe(b);
    expect(a).toBe(memberNamespace('root:users:pat', 'default'));
    expect(a).toMatch(/^default-[0-9a-f]{10}$/);
  });

  it('is a DNS label even for the longest namespace', () => {
    const name = memberNamespace('root:a', `${'n'.repeat(51)}-${'x'.repeat(11)}`);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
  });
});

describe('workspaceLabelValue', () => {
  it('spells a path with dots, and hashes one too long for a label value', () => {
    expect(workspaceLabelValue('root:users:pat')).toBe('root.users.pat');
    const long = workspaceLabelValue(`root:${'a'.repeat(60)}:${'b'.repeat(60)}`);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).not.toBe(workspaceLabelValue(`root:${'a'.repeat(60)}:${'c'.repeat(60)}`));
  });
});

describe('manifestWorkName', () => {
  it('differs between tenants that deploy the same name', () => {
    expect(manifestWorkName('root:a', 'default', 'web')).not.toBe(
      manifestWorkName('root:b', 'default', 'web'),
    );
    expect(manifestWorkName('root:a', 'default', 'web')).toMatch(/^web-[0-9a-f]{10}$/);
  });
});

describe('tenantManifests', () => {
  it('moves every object into the derived namespace, labelled with workspace and namespace, led by that namespace', () => {
    const result = tenantManifests(
      [configMap('settings'), configMap('more', 'shop')],
      tenant('root:users:pat', 'shop'),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const ns = memberNamespace('root:users:pat', 'shop');
    expect(result.namespace).toBe(ns);
    expect(result.manifests.map((m) => [m.kind, (m.metadata as { namespace?: string }).namespace])).toEqual([
      ['Namespace', undefined],
      ['ConfigMap', ns],
      ['ConfigMap', ns],
    ]);
    for (const manifest of result.manifests)
      expect((manifest.metadata as { labels: Record<string, string> }).labels).toMatchObject({
        [TENANT_WORKSPACE_LABEL]: 'root.users.pat',
        [TENANT_NAMESPACE_LABEL]: 'shop',
      });
    expect((result.manifests[1]!.metadata as { labels: Record<string, string> }).labels.app).toBe('web');
  });

  it('refuses a cluster-scoped kind, naming it', () => {
    const result = tenantManifests(
      [
        configMap('settings'),
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'god' } },
      ],
      tenant('root:users:pat', 'shop'),
    );
    expect(result).toEqual({
      ok: false,
      message: expect.stringContaining('manifest 2 (ClusterRole god) is cluster-scoped'),
    });
  });

  it('refuses an object of another namespace, a kind of unknown scope and an empty list', () => {
    const other = tenantManifests([configMap('x', 'kube-system')], tenant('root:a', 'shop'));
    expect(other).toEqual({ ok: false, message: expect.stringContaining('names namespace kube-system') });
    const unknown = tenantManifests(
      [{ apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'w' } }],
      tenant('root:a', 'shop'),
    );
    expect(unknown).toEqual({
      ok: false,
      message: expect.stringContaining('is not served in workspace root:a'),
    });
    expect(tenantManifests([], tenant('root:a', 'shop'))).toEqual({
      ok: false,
      message: 'the work holds no manifests',
    });
  });
});

describe('tenantManifestConfigs', () => {
  const config = (namespace?: string) => ({
    resourceIdentifier: {
      group: 'apps',
      resource: 'deployments',
      name: 'web',
      ...(namespace ? { namespace } : {}),
    },
    feedbackRules: [{ type: 'WellKnownStatus' }],
  });

  it('points status feedback at the member namespace the objects landed in', () => {
    expect(
      tenantManifestConfigs([config(), config('shop'), config('elsewhere')], 'shop', 'shop-0123456789'),
    ).toEqual([{ ...config('shop-0123456789') }, { ...config('shop-0123456789') }, config('elsewhere')]);
    expect(tenantManifestConfigs(undefined, 'shop', 'x')).toBeUndefined();
  });
});
