import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import {
  apiBindingToV1alpha1,
  apiBindingToV1alpha2,
  apiExportToV1alpha1,
  apiExportToV1alpha2,
  CLAIMS_ANNOTATION,
  RESOURCES_ANNOTATION,
} from './conversion.js';

const exportV2: KubeObject = {
  apiVersion: 'apis.kcp.io/v1alpha2',
  kind: 'APIExport',
  metadata: { name: 'databases' },
  spec: {
    resources: [
      {
        name: 'databases',
        group: 'db.example.io',
        schema: 'v1.databases.db.example.io',
        storage: { crd: {} },
      },
    ],
    permissionClaims: [{ group: '', resource: 'secrets', verbs: ['*'] }],
  },
  status: { identityHash: 'abc' },
};

const bindingV2: KubeObject = {
  apiVersion: 'apis.kcp.io/v1alpha2',
  kind: 'APIBinding',
  metadata: { name: 'databases' },
  spec: {
    reference: { export: { path: 'root:providers:db', name: 'databases' } },
    permissionClaims: [
      { group: '', resource: 'secrets', verbs: ['*'], selector: { matchAll: true }, state: 'Accepted' },
    ],
  },
  status: {
    phase: 'Bound',
    exportPermissionClaims: [{ group: '', resource: 'secrets', verbs: ['*'] }],
  },
};

describe('APIExport v1alpha1 ↔ v1alpha2', () => {
  it('serves resources as latestResourceSchemas and claims with all: true', () => {
    const v1 = apiExportToV1alpha1(exportV2);
    expect(v1).toEqual({
      apiVersion: 'apis.kcp.io/v1alpha1',
      kind: 'APIExport',
      metadata: { name: 'databases' },
      spec: {
        latestResourceSchemas: ['v1.databases.db.example.io'],
        permissionClaims: [{ group: '', resource: 'secrets', all: true }],
      },
      status: { identityHash: 'abc' },
    });
    expect(apiExportToV1alpha2(v1)).toEqual(exportV2);
  });

  it('reads a v1alpha1 export written by an older client', () => {
    const stored = apiExportToV1alpha2({
      apiVersion: 'apis.kcp.io/v1alpha1',
      kind: 'APIExport',
      metadata: { name: 'widgets' },
      spec: {
        latestResourceSchemas: ['today.widgets.example.kcp.io', 'v2.gadgets.example.kcp.io'],
        permissionClaims: [{ group: '', resource: 'configmaps', all: true }],
      },
    });
    expect(stored.spec).toEqual({
      resources: [
        {
          name: 'widgets',
          group: 'example.kcp.io',
          schema: 'today.widgets.example.kcp.io',
          storage: { crd: {} },
        },
        {
          name: 'gadgets',
          group: 'example.kcp.io',
          schema: 'v2.gadgets.example.kcp.io',
          storage: { crd: {} },
        },
      ],
      permissionClaims: [{ group: '', resource: 'configmaps', verbs: ['*'] }],
    });
  });

  it('keeps what v1alpha1 cannot say in annotations, across a read-modify-write', () => {
    const narrow: KubeObject = {
      ...exportV2,
      spec: {
        resources: [
          { name: 'things', group: 'x.io', schema: 'v1.things.x.io', storage: { virtual: { a: 1 } } },
        ],
        permissionClaims: [{ group: '', resource: 'configmaps', verbs: ['get', 'list'] }],
      },
    };
    const v1 = apiExportToV1alpha1(narrow);
    expect(Object.keys(v1.metadata.annotations ?? {}).sort()).toEqual([
      CLAIMS_ANNOTATION,
      RESOURCES_ANNOTATION,
    ]);
    // A v1alpha1 client adds a claim and writes the object back.
    (v1.spec as { permissionClaims: unknown[] }).permissionClaims.push({
      group: '',
      resource: 'secrets',
      all: true,
    });
    expect(apiExportToV1alpha2(v1)).toEqual({
      ...narrow,
      spec: {
        ...(narrow.spec as object),
        permissionClaims: [
          { group: '', resource: 'configmaps', verbs: ['get', 'list'] },
          { group: '', resource: 'secrets', verbs: ['*'] },
        ],
      },
    });
  });
});

describe('APIBinding v1alpha1 ↔ v1alpha2', () => {
  it('turns selector.matchAll into all, and back', () => {
    const v1 = apiBindingToV1alpha1(bindingV2);
    expect(v1.apiVersion).toBe('apis.kcp.io/v1alpha1');
    expect(v1.spec).toEqual({
      reference: { export: { path: 'root:providers:db', name: 'databases' } },
      permissionClaims: [{ group: '', resource: 'secrets', all: true, state: 'Accepted' }],
    });
    expect(v1.status).toEqual({
      phase: 'Bound',
      exportPermissionClaims: [{ group: '', resource: 'secrets', all: true }],
    });
    expect(v1.metadata.annotations).toBeUndefined();
    expect(apiBindingToV1alpha2(v1)).toEqual(bindingV2);
  });

  it('accepts a v1alpha1 binding that rejects a claim', () => {
    const stored = apiBindingToV1alpha2({
      apiVersion: 'apis.kcp.io/v1alpha1',
      kind: 'APIBinding',
      metadata: { name: 'b' },
      spec: {
        reference: { export: { path: 'root:p', name: 'e' } },
        permissionClaims: [{ group: '', resource: 'secrets', all: true, state: 'Rejected' }],
      },
    });
    expect(stored.spec).toEqual({
      reference: { export: { path: 'root:p', name: 'e' } },
      permissionClaims: [
        { group: '', resource: 'secrets', verbs: ['*'], selector: { matchAll: true }, state: 'Rejected' },
      ],
    });
  });

  it('keeps narrower verbs and label selectors through v1alpha1', () => {
    const narrow: KubeObject = {
      ...bindingV2,
      spec: {
        reference: { export: { name: 'e' } },
        permissionClaims: [
          {
            group: '',
            resource: 'secrets',
            verbs: ['get'],
            selector: { matchLabels: { a: 'b' } },
            state: 'Accepted',
          },
        ],
      },
      status: {},
    };
    const v1 = apiBindingToV1alpha1(narrow);
    expect((v1.spec as { permissionClaims: unknown[] }).permissionClaims).toEqual([
      { group: '', resource: 'secrets', all: false, state: 'Accepted' },
    ]);
    expect(v1.metadata.annotations?.[CLAIMS_ANNOTATION]).toBeDefined();
    expect(apiBindingToV1alpha2(v1)).toEqual(narrow);
  });
});
