import { describe, expect, it } from 'vitest';
import { configFor, feedbackValues, readPath } from './status-feedback.js';

const deploymentMeta = {
  ordinal: 0,
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  resource: 'deployments',
  name: 'web',
  namespace: 'apps',
};
const deployment = {
  spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
  status: { replicas: 3, readyReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] },
};

describe('readPath', () => {
  it.each([
    ['.status.replicas', 3],
    ['.spec.template.spec.containers[0].image', 'nginx:1.25'],
    ['.status.conditions[?(@.type=="Available")].status', 'True'],
    ['{.status.readyReplicas}', 2],
    ['.status.missing', undefined],
    ['.status..replicas', undefined],
    ['.__proto__', undefined],
  ])('%s reads %s', (path, value) => expect(readPath(deployment, path)).toEqual(value));
});

describe('feedbackValues', () => {
  it("reports a Deployment's well-known status (what deploy status shows), leaving out what is not there", () => {
    expect(feedbackValues([{ type: 'WellKnownStatus' }], deploymentMeta, deployment)).toEqual([
      { name: 'ReadyReplicas', fieldValue: { type: 'Integer', integer: 2 } },
      { name: 'Replicas', fieldValue: { type: 'Integer', integer: 3 } },
    ]);
  });

  it('reports JSONPaths with their types', () => {
    const rules = [
      {
        type: 'JSONPaths' as const,
        jsonPaths: [
          { name: 'image', path: '.spec.template.spec.containers[0].image' },
          { name: 'conditions', path: '.status.conditions' },
        ],
      },
    ];
    expect(feedbackValues(rules, deploymentMeta, deployment)).toEqual([
      { name: 'image', fieldValue: { type: 'String', string: 'nginx:1.25' } },
      {
        name: 'conditions',
        fieldValue: { type: 'JsonRaw', jsonRaw: '[{"type":"Available","status":"True"}]' },
      },
    ]);
  });

  it('finds the manifest config by group, resource, name and namespace', () => {
    const configs = [
      { resourceIdentifier: { group: 'apps', resource: 'deployments', name: 'other', namespace: 'apps' } },
      { resourceIdentifier: { group: 'apps', resource: 'deployments', name: 'web', namespace: 'apps' } },
    ];
    expect(configFor(configs, deploymentMeta)).toBe(configs[1]);
    expect(configFor(configs, { ...deploymentMeta, namespace: 'other' })).toBeUndefined();
  });
});
