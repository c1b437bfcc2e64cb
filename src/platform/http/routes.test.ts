import { describe, expect, it } from 'vitest';
import { parseApiRoute, splitPath } from './routes.js';

const route = (path: string) => parseApiRoute(splitPath(path) ?? []);

describe('parseApiRoute', () => {
  it.each([
    ['/version', { kind: 'version' }],
    ['/readyz', { kind: 'health', check: 'readyz' }],
    ['/api', { kind: 'coreVersions' }],
    ['/api/v1', { kind: 'groupVersion', group: '', version: 'v1' }],
    ['/apis', { kind: 'groups' }],
    ['/apis/tenancy.kcp.io', { kind: 'group', group: 'tenancy.kcp.io' }],
    ['/apis/tenancy.kcp.io/v1alpha1', { kind: 'groupVersion', group: 'tenancy.kcp.io', version: 'v1alpha1' }],
    ['/openapi/v3', { kind: 'openapiV3Index' }],
    ['/openapi/v3/api/v1', { kind: 'openapiV3', group: '', version: 'v1' }],
    [
      '/openapi/v3/apis/core.kcp.io/v1alpha1',
      { kind: 'openapiV3', group: 'core.kcp.io', version: 'v1alpha1' },
    ],
    ['/openapi/v2', { kind: 'openapiV2' }],
    ['/nope', { kind: 'unknown' }],
  ])('%s', (path, expected) => {
    expect(route(path)).toEqual(expected);
  });

  it('parses resource paths', () => {
    expect(route('/api/v1/namespaces/default/configmaps/web')).toEqual({
      kind: 'resource',
      group: '',
      version: 'v1',
      resource: 'configmaps',
      namespace: 'default',
      name: 'web',
      watchPrefix: false,
    });
    expect(route('/api/v1/configmaps')).toEqual({
      kind: 'resource',
      group: '',
      version: 'v1',
      resource: 'configmaps',
      watchPrefix: false,
    });
    expect(route('/api/v1/namespaces/default')).toMatchObject({ resource: 'namespaces', name: 'default' });
    expect(route('/api/v1/namespaces/default/status')).toMatchObject({
      resource: 'namespaces',
      name: 'default',
      subresource: 'status',
    });
    expect(route('/apis/tenancy.kcp.io/v1alpha1/workspaces/web/status')).toMatchObject({
      group: 'tenancy.kcp.io',
      resource: 'workspaces',
      name: 'web',
      subresource: 'status',
    });
    expect(route('/api/v1/watch/namespaces/default/configmaps')).toMatchObject({
      watchPrefix: true,
      namespace: 'default',
      resource: 'configmaps',
    });
    expect(route('/api/v1/namespaces/a/configmaps/b/c/d')).toEqual({ kind: 'unknown' });
  });

  it('refuses undecodable segments', () => {
    expect(splitPath('/api/%E0%A4%A')).toBeUndefined();
  });
});
