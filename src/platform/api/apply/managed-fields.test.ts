import { describe, expect, it } from 'vitest';
import { ApiError } from '../../http/errors.js';
import type { KubeObject } from '../object.js';
import { patchMetaFromDefinitions } from '../patch/patch-meta.js';
import { fieldsOf, FieldSet, pathString } from './field-set.js';
import { applyConfiguration, keepManagedFieldsOfNoOp, recordUpdate } from './managed-fields.js';

const deployment = patchMetaFromDefinitions('io.k8s.api.apps.v1.Deployment')!;
const configMapMeta = patchMetaFromDefinitions('io.k8s.api.core.v1.ConfigMap')!;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const configMap = (data: Record<string, string>, metadata: object = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cm', namespace: 'default', ...metadata },
  data,
});
const apps = (containers: object[]): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { template: { spec: { containers } } },
});
const as = (manager: string, apiVersion = 'v1') => ({ manager, apiVersion });
const applyCm = (
  live: KubeObject | undefined,
  data: Record<string, string>,
  manager: string,
  force = false,
) => applyConfiguration(live, configMap(data), as(manager), configMapMeta, force);
const owners = (object: KubeObject) =>
  Object.fromEntries(
    (object.metadata.managedFields as { manager: string; operation: string; fieldsV1: object }[]).map((e) => [
      `${e.manager}/${e.operation}`,
      e.fieldsV1,
    ]),
  );
const conflictOf = (work: () => unknown): ApiError => {
  try {
    work();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a conflict');
};

describe('field sets in FieldsV1', () => {
  it('owns leaves and list items by their keys, as structured-merge-diff spells them', () => {
    const applied = apps([{ name: 'app', image: 'app:1', ports: [{ containerPort: 80, protocol: 'TCP' }] }]);
    const set = fieldsOf(applied.spec, deployment.field('spec'));
    expect(set.toFieldsV1()).toEqual({
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"app"}': {
              '.': {},
              'f:image': {},
              'f:name': {},
              'f:ports': {
                'k:{"containerPort":80,"protocol":"TCP"}': {
                  '.': {},
                  'f:containerPort': {},
                  'f:protocol': {},
                },
              },
            },
          },
        },
      },
    });
    expect(FieldSet.fromFieldsV1(set.toFieldsV1()).toFieldsV1()).toEqual(set.toFieldsV1());
  });

  it('prints paths the way conflicts name them', () => {
    expect(pathString(['f:spec', 'f:containers', 'k:{"name":"app"}', 'f:image'])).toBe(
      '.spec.containers[name="app"].image',
    );
    expect(pathString(['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}'])).toBe(
      '.ports[containerPort=80,protocol="TCP"]',
    );
    expect(pathString(['f:metadata', 'f:finalizers', 'v:"a"'])).toBe('.metadata.finalizers[="a"]');
  });
});

describe('server-side apply', () => {
  it('records the applier and merges list-type maps by key', () => {
    const live = applyConfiguration(
      undefined,
      apps([{ name: 'a', image: 'a:1' }]),
      as('one', 'apps/v1'),
      deployment,
      false,
    );
    const both = applyConfiguration(
      live,
      apps([{ name: 'b', image: 'b:1' }]),
      as('two', 'apps/v1'),
      deployment,
      false,
    );
    const containers = (both.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec
      .containers;
    expect(containers.map((c) => c.name)).toEqual(['a', 'b']);
    expect(Object.keys(owners(both)).sort()).toEqual(['one/Apply', 'two/Apply']);
  });

  it('matches a port that leaves out its protocol to the live TCP port, as kube-apiserver does', () => {
    const port = (extra: object) =>
      apps([{ name: 'a', image: 'a:1', ports: [{ containerPort: 80, ...extra }] }]);
    const live = applyConfiguration(
      undefined,
      port({ protocol: 'TCP' }),
      as('one', 'apps/v1'),
      deployment,
      false,
    );
    const merged = applyConfiguration(live, port({ name: 'http' }), as('two', 'apps/v1'), deployment, false);
    const ports = (merged.spec as { template: { spec: { containers: { ports: object[] }[] } } }).template.spec
      .containers[0]!.ports;
    expect(ports).toEqual([{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
  });

  it('reports every conflict with kube-apiserver wording, and force moves the fields', () => {
    const live = applyCm(undefined, { a: '1', b: '1', c: '1' }, 'alice');
    const one = conflictOf(() => applyCm(live, { a: '2' }, 'bob'));
    expect(one.code).toBe(409);
    expect(one.message).toBe('Apply failed with 1 conflict: conflict with "alice": .data.a');
    expect(one.toStatus().details?.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.data.a' },
    ]);
    const two = conflictOf(() => applyCm(live, { a: '2', b: '2' }, 'bob'));
    expect(two.message).toBe('Apply failed with 2 conflicts: conflicts with "alice":\n- .data.a\n- .data.b');

    const forced = applyCm(live, { a: '2' }, 'bob', true);
    expect(forced.data).toEqual({ a: '2', b: '1', c: '1' });
    expect(owners(forced)).toEqual({
      'alice/Apply': { 'f:data': { 'f:b': {}, 'f:c': {} } },
      'bob/Apply': { 'f:data': { 'f:a': {} } },
    });
  });

  it('applying the same value is no conflict: both managers own the field', () => {
    const live = applyCm(undefined, { a: '1' }, 'alice');
    const shared = applyCm(live, { a: '1' }, 'bob');
    expect(owners(shared)).toEqual({
      'alice/Apply': { 'f:data': { 'f:a': {} } },
      'bob/Apply': { 'f:data': { 'f:a': {} } },
    });
    // alice lets go; bob still owns it, so it stays.
    expect(applyCm(shared, {}, 'alice').data).toEqual({ a: '1' });
  });

  it('removes what a manager stops applying, keeping what it still applies below', () => {
    const live = applyCm(undefined, { a: '1', b: '1' }, 'alice');
    expect(applyCm(live, { a: '1' }, 'alice').data).toEqual({ a: '1' });
    const created = applyConfiguration(
      undefined,
      apps([
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
      ]),
      as('one', 'apps/v1'),
      deployment,
      false,
    );
    const dropped = applyConfiguration(
      created,
      apps([{ name: 'b', image: 'b:1' }]),
      as('one', 'apps/v1'),
      deployment,
      false,
    );
    expect(dropped.spec).toEqual({ template: { spec: { containers: [{ name: 'b', image: 'b:1' }] } } });
  });

  it('keeps a map its manager owns as a whole while it still applies fields inside it', () => {
    // The entry kubectl writes when it moves client-side apply's fields to its server-side manager.
    const live = configMap(
      { key: 'one' },
      {
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Apply',
            apiVersion: 'v1',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': { '.': {}, 'f:key': {} } },
          },
        ],
      },
    );
    expect(applyCm(live, { key: 'two' }, 'kubectl').data).toEqual({ key: 'two' });
  });

  it('conflicts with an Update manager, named with its version', () => {
    const created = configMap({ key: 'one' });
    recordUpdate(undefined, created, as('kubectl-client-side-apply'), configMapMeta);
    expect(owners(created)).toEqual({
      'kubectl-client-side-apply/Update': { 'f:data': { '.': {}, 'f:key': {} } },
    });
    expect(conflictOf(() => applyCm(created, { key: 'two' }, 'deployer')).message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.key',
    );
  });

  it("lets kubectl's server-side manager take fields whose live values are still the last-applied ones", () => {
    const live = configMap({ key: 'one' }, { annotations: { [LAST_APPLIED]: '{"data":{"key":"one"}}' } });
    recordUpdate(undefined, live, as('kubectl-client-side-apply'), configMapMeta);
    const moved = applyCm(live, { key: 'two' }, 'kubectl');
    expect(moved.data).toEqual({ key: 'two' });
    expect(JSON.parse(moved.metadata.annotations![LAST_APPLIED]!)).toMatchObject({ data: { key: 'two' } });

    const drifted = configMap(
      { key: 'edited' },
      { annotations: { [LAST_APPLIED]: '{"data":{"key":"one"}}' } },
    );
    recordUpdate(undefined, drifted, as('kubectl-client-side-apply'), configMapMeta);
    expect(conflictOf(() => applyCm(drifted, { key: 'two' }, 'kubectl')).code).toBe(409);
  });

  it('treats an object nobody tracked yet as owned by before-first-apply', () => {
    const untracked = configMap({ key: 'one' });
    expect(conflictOf(() => applyCm(untracked, { key: 'two' }, 'alice')).message).toContain(
      'conflict with "before-first-apply" using v1: .data.key',
    );
  });
});

describe('updates', () => {
  it('take fields from other managers silently and record what they changed', () => {
    const live = applyCm(undefined, { a: '1', b: '1' }, 'alice');
    const next = structuredClone(live);
    next.data = { a: '2', b: '1', c: '1' };
    recordUpdate(live, next, as('editor'), configMapMeta);
    expect(owners(next)).toEqual({
      'alice/Apply': { 'f:data': { 'f:b': {} } },
      'editor/Update': { 'f:data': { 'f:a': {}, 'f:c': {} } },
    });
  });

  it('keep the stored managedFields when nothing but the time changed', () => {
    const live = applyCm(undefined, { a: '1' }, 'alice');
    const again = applyCm(live, { a: '1' }, 'alice');
    (again.metadata.managedFields as { time: string }[])[0]!.time = '2099-01-01T00:00:00Z';
    keepManagedFieldsOfNoOp(again, live);
    expect(again.metadata.managedFields).toBe(live.metadata.managedFields);
  });

  it('fold the oldest of more than ten Update managers into ancient-changes', () => {
    let live = configMap({});
    for (let i = 0; i < 12; i++) {
      const next = structuredClone(live);
      next.data = { ...(next.data as Record<string, string>), [`k${i}`]: 'v' };
      recordUpdate(
        live,
        next,
        { ...as(`writer-${i}`), now: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) },
        configMapMeta,
      );
      live = next;
    }
    const managers = Object.keys(owners(live));
    expect(managers).toHaveLength(10);
    expect(managers).toContain('ancient-changes/Update');
    expect(managers).toContain('writer-11/Update');
  });

  it('keep entries they cannot read as they were', () => {
    const odd = { manager: 'deep', fieldsV1: { 'f:a': {} } };
    const next = configMap({ a: '1' }, { managedFields: [odd] });
    recordUpdate(undefined, next, as('creator'), configMapMeta);
    expect(next.metadata.managedFields).toEqual([odd, expect.objectContaining({ manager: 'creator' })]);
  });
});
