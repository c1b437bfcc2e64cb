import { describe, expect, it } from 'vitest';
import { patchMetaFromDefinitions, patchMetaFromStructural } from './patch-meta.js';
import { applyStrategicMergePatch, StrategicPatchError } from './strategic-merge-patch.js';

// Cases written after apimachinery's strategicpatch semantics (merge by patch-merge-key, the
// $patch/$retainKeys/$setElementOrder/$deleteFromPrimitiveList directives), against Kubernetes'
// own published Deployment definition, so the markers are the real ones.

const deploymentMeta = patchMetaFromDefinitions('io.k8s.api.apps.v1.Deployment')!;
const patchDeployment = (original: unknown, patch: unknown) =>
  applyStrategicMergePatch(original, patch, deploymentMeta);

const container = (name: string, extra: object = {}) => ({ name, image: `${name}:1`, ...extra });
const withContainers = (...containers: object[]) => ({
  spec: { template: { spec: { containers } } },
});

describe('the markers from the published definitions', () => {
  it('reads merge keys, strategies and list types through $refs', () => {
    const podSpec = deploymentMeta.field('spec').field('template').field('spec');
    const containers = podSpec.field('containers');
    expect(containers.mergeKey).toBe('name');
    expect(containers.strategy).toEqual(['merge']);
    expect(containers.listType).toBe('map');
    expect(containers.listMapKeys).toEqual(['name']);
    expect(containers.items().field('ports').mergeKey).toBe('containerPort');
    expect(containers.items().field('ports').listMapKeys).toEqual(['containerPort', 'protocol']);
    expect(containers.items().field('args').listType).toBe('atomic');
    expect(podSpec.field('volumes').strategy).toEqual(['merge', 'retainKeys']);
    expect(deploymentMeta.field('metadata').field('finalizers').listType).toBe('set');
    expect(deploymentMeta.field('spec').field('selector').atomicMap).toBe(true);
  });

  it('answers no markers for a field the schema does not have', () => {
    const unknown = deploymentMeta.field('spec').field('nonsense').field('deeper');
    expect(unknown.strategy).toEqual([]);
    expect(unknown.mergeKey).toBeUndefined();
  });

  it('reads list types and map keys from a structural schema', () => {
    const meta = patchMetaFromStructural({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            ports: {
              type: 'array',
              items: { type: 'object' },
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['port'],
            } as never,
            tags: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    });
    expect(meta.field('spec').field('ports').listType).toBe('map');
    expect(meta.field('spec').field('ports').listMapKeys).toEqual(['port']);
    expect(meta.field('spec').field('tags').listType).toBe('atomic');
    expect(meta.field('metadata').field('ownerReferences').listMapKeys).toEqual(['uid']);
  });
});

describe('strategic merge patch on a Deployment', () => {
  it.each<[string, unknown, unknown, unknown]>([
    [
      'a new container merges in by name, the others stay',
      withContainers(container('a')),
      withContainers(container('b')),
      withContainers(container('b'), container('a')),
    ],
    [
      'a container named in the patch is merged field by field',
      withContainers(container('a', { args: ['x'] }), container('b')),
      withContainers({ name: 'a', image: 'a:2' }),
      withContainers(container('a', { image: 'a:2', args: ['x'] }), container('b')),
    ],
    [
      '$patch: delete removes the item with that merge key',
      withContainers(container('a'), container('b')),
      withContainers({ name: 'a', $patch: 'delete' }),
      withContainers(container('b')),
    ],
    [
      '$patch: replace makes the patch the whole list',
      withContainers(container('a'), container('b')),
      withContainers(container('c'), { $patch: 'replace' }),
      withContainers(container('c')),
    ],
    [
      'ports merge by containerPort',
      withContainers(container('a', { ports: [{ containerPort: 80 }, { containerPort: 443 }] })),
      withContainers({ name: 'a', ports: [{ containerPort: 80, name: 'http' }] }),
      withContainers(
        container('a', { ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }),
      ),
    ],
    [
      'env merges by name; null deletes a field inside an item',
      withContainers(
        container('a', {
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '1' },
          ],
        }),
      ),
      withContainers({
        name: 'a',
        env: [{ name: 'Y', value: null, valueFrom: { fieldRef: { fieldPath: 'x' } } }],
      }),
      withContainers(
        container('a', {
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', valueFrom: { fieldRef: { fieldPath: 'x' } } },
          ],
        }),
      ),
    ],
    [
      'a list without a merge strategy (args) is replaced',
      withContainers(container('a', { args: ['1', '2'] })),
      withContainers({ name: 'a', args: ['3'] }),
      withContainers(container('a', { args: ['3'] })),
    ],
    [
      '$setElementOrder orders the merged list, server-only items keep their place relative to it',
      withContainers(container('a'), container('s'), container('b')),
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'b' }, { name: 'c' }, { name: 'a' }],
              containers: [container('c')],
            },
          },
        },
      },
      // As apimachinery's mergeSortedSlice: s came before b on the server, so it still does.
      withContainers(container('s'), container('b'), container('c'), container('a')),
    ],
    [
      '$retainKeys drops the keys of a union it does not list',
      { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      { spec: { strategy: { type: 'Recreate' } } },
    ],
    [
      '$patch: replace on a map replaces it whole',
      { spec: { selector: { matchLabels: { a: '1', b: '2' } } } },
      { spec: { selector: { $patch: 'replace', matchLabels: { c: '3' } } } },
      { spec: { selector: { matchLabels: { c: '3' } } } },
    ],
    [
      '$patch: delete on a map empties it',
      { spec: { template: { metadata: { labels: { a: '1' } } } } },
      { spec: { template: { metadata: { $patch: 'delete' } } } },
      { spec: { template: { metadata: {} } } },
    ],
    [
      'null deletes a map key, other keys merge',
      { metadata: { labels: { a: '1', b: '2' } } },
      { metadata: { labels: { a: null, c: '3' } } },
      { metadata: { labels: { b: '2', c: '3' } } },
    ],
    [
      'finalizers (a merged list of scalars) union without duplicates',
      { metadata: { finalizers: ['x', 'y'] } },
      { metadata: { finalizers: ['y', 'z'] } },
      { metadata: { finalizers: ['x', 'y', 'z'] } },
    ],
    [
      '$deleteFromPrimitiveList removes values from a merged list of scalars',
      { metadata: { finalizers: ['x', 'y', 'z'] } },
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['y'] } },
      { metadata: { finalizers: ['x', 'z'] } },
    ],
    [
      'ownerReferences merge by uid',
      { metadata: { ownerReferences: [{ uid: '1', name: 'a', kind: 'K', apiVersion: 'v1' }] } },
      { metadata: { ownerReferences: [{ uid: '2', name: 'b', kind: 'K', apiVersion: 'v1' }] } },
      {
        metadata: {
          ownerReferences: [
            { uid: '2', name: 'b', kind: 'K', apiVersion: 'v1' },
            { uid: '1', name: 'a', kind: 'K', apiVersion: 'v1' },
          ],
        },
      },
    ],
    [
      'directives under a field the object does not hold yet are applied, not stored',
      { spec: {} },
      withContainers({ name: 'a', $patch: 'delete' }, container('b')),
      withContainers(container('b')),
    ],
  ])('%s', (_name, original, patch, expected) => {
    expect(patchDeployment(original, JSON.parse(JSON.stringify(patch)))).toEqual(expected);
  });

  it('applies the three-way patch kubectl apply sends: add a container, remove one, change an env var', () => {
    const live = withContainers(
      container('app', {
        env: [
          { name: 'MODE', value: 'a' },
          { name: 'LEVEL', value: '1' },
        ],
      }),
      container('old'),
    );
    // What kubectl 1.32 computes from last-applied, the new manifest and the live object.
    const patch = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'MODE' }, { name: 'LEVEL' }],
                env: [{ name: 'MODE', value: 'b' }],
                name: 'app',
              },
              container('sidecar'),
              { $patch: 'delete', name: 'old' },
            ],
          },
        },
      },
    };
    expect(patchDeployment(live, patch)).toEqual(
      withContainers(
        container('app', {
          env: [
            { name: 'MODE', value: 'b' },
            { name: 'LEVEL', value: '1' },
          ],
        }),
        container('sidecar'),
      ),
    );
  });

  it('does not modify its inputs', () => {
    const original = withContainers(container('a'));
    const patch = withContainers({ name: 'a', $patch: 'delete' });
    const before = JSON.stringify([original, patch]);
    patchDeployment(original, patch);
    expect(JSON.stringify([original, patch])).toBe(before);
  });

  it.each<[string, unknown, string]>([
    [
      'a list item without its merge key',
      withContainers({ image: 'x' }),
      'does not contain declared merge key: name',
    ],
    ['an unknown $patch', withContainers({ name: 'a', $patch: 'explode' }), 'invalid patch type explode'],
    // apimachinery takes only replace and delete on a map; merge is its default, never a directive there.
    [
      '$patch: merge on a map',
      { metadata: { labels: { $patch: 'merge', a: '1' } } },
      'invalid patch type merge',
    ],
    [
      '$patch: merge on a list item',
      withContainers({ name: 'a', $patch: 'merge' }),
      'merging lists cannot yet be specified',
    ],
    [
      'a field beside $retainKeys that it does not list',
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: {} } } },
      'invalid patch format of retainKeys',
    ],
    [
      'a list whose items are not in its $setElementOrder, in that order',
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
              containers: [container('b'), container('a')],
            },
          },
        },
      },
      "doesn't match $setElementOrder list",
    ],
    [
      'a $setElementOrder that is not a list',
      { metadata: { '$setElementOrder/finalizers': 'x' } },
      'setElementOrder',
    ],
    [
      'a $deleteFromPrimitiveList that is not a list',
      { metadata: { '$deleteFromPrimitiveList/finalizers': 'x' } },
      'primitive list',
    ],
  ])('refuses %s', (_name, patch, message) => {
    const original = withContainers(container('a'));
    expect(() => patchDeployment(original, patch)).toThrow(StrategicPatchError);
    expect(() => patchDeployment(original, patch)).toThrow(message);
  });
});
