import { describe, expect, it } from 'vitest';
import { scaleViewAt } from './scale-view.js';

const view = scaleViewAt({
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.status.selector',
});
const widget = {
  apiVersion: 'example.io/v1',
  kind: 'Widget',
  metadata: { name: 'w1', namespace: 'default', uid: 'u1', resourceVersion: '7' },
  spec: { replicas: 2, color: 'red' },
  status: { replicas: 1, selector: 'app=w' },
};

describe('scale subresource of a custom resource', () => {
  it('reads an autoscaling/v1 Scale from the paths', () => {
    expect(view.fromObject(widget)).toMatchObject({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'w1', namespace: 'default', resourceVersion: '7' },
      spec: { replicas: 2 },
      status: { replicas: 1, selector: 'app=w' },
    });
  });

  it('writes only the spec path, with the Scale resourceVersion as a precondition', () => {
    expect(view.toPatch('w1', { spec: { replicas: 5 }, metadata: { resourceVersion: '7' } })).toEqual({
      spec: { replicas: 5 },
      metadata: { resourceVersion: '7' },
    });
    expect(view.toPatch('w1', { spec: { replicas: 1 } })).toEqual({ spec: { replicas: 1 } });
    expect(
      scaleViewAt({ specReplicasPath: '.spec.size.wanted' }).toPatch('w1', { spec: { replicas: 3 } }),
    ).toEqual({
      spec: { size: { wanted: 3 } },
    });
  });

  it('refuses replicas that are not an integer', () => {
    expect(() => view.toPatch('w1', { spec: { replicas: 'two' } })).toThrow(
      'Scale.spec.replicas must be an integer',
    );
  });
});
