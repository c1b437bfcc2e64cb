import { describe, expect, it } from 'vitest';
import { applyScale, toScale } from './scale.js';

const paths = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.status.selector',
};
const widget = {
  apiVersion: 'example.io/v1',
  kind: 'Widget',
  metadata: { name: 'w1', namespace: 'default', uid: 'u1', resourceVersion: '7' },
  spec: { replicas: 2, color: 'red' },
  status: { replicas: 1, selector: 'app=w' },
};

describe('scale subresource', () => {
  it('reads an autoscaling/v1 Scale from the paths', () => {
    expect(toScale(widget, paths)).toMatchObject({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'w1', namespace: 'default', resourceVersion: '7' },
      spec: { replicas: 2 },
      status: { replicas: 1, selector: 'app=w' },
    });
  });

  it('writes only the spec path, creating it when missing, with the Scale resourceVersion', () => {
    const next = applyScale(widget, { spec: { replicas: 5 }, metadata: { resourceVersion: '7' } }, paths);
    expect(next.spec).toEqual({ replicas: 5, color: 'red' });
    expect(next.status).toEqual(widget.status);
    expect(next.metadata.resourceVersion).toBe('7');
    const bare = applyScale({ ...widget, spec: undefined }, { spec: { replicas: 1 } }, paths);
    expect(bare.spec).toEqual({ replicas: 1 });
    expect(bare.metadata.resourceVersion).toBeUndefined();
  });

  it('refuses replicas that are not an integer', () => {
    expect(() => applyScale(widget, { spec: { replicas: 'two' } }, paths)).toThrow(
      'Scale.spec.replicas must be an integer',
    );
  });
});
