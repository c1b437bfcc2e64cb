import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { appliedCondition, failures, summarise } from './replicaset-status.js';

const work = (cluster: string, ...conditions: Record<string, unknown>[]): KubeObject => ({
  metadata: { name: 'web-1', namespace: cluster, generation: 1 },
  status: { conditions },
});

describe('the replica set status', () => {
  it("counts the works' conditions and is applied once every decided cluster applied", () => {
    const works = [
      work(
        'a',
        { type: 'Applied', status: 'True', observedGeneration: 1 },
        { type: 'Available', status: 'True' },
      ),
      work('b', { type: 'Applied', status: 'True', observedGeneration: 1 }),
    ];
    const summary = summarise(works, 2);
    expect(summary).toMatchObject({ total: 2, desiredTotal: 2, applied: 2, available: 1, updated: 2 });
    expect(appliedCondition(summary, failures(works))).toMatchObject({
      status: 'True',
      reason: 'AsExpected',
    });
  });

  it("fails with the member's message once a cluster reports a manifest refused", () => {
    const works = [
      work('a', { type: 'Applied', status: 'True' }),
      work('b', {
        type: 'Applied',
        status: 'False',
        reason: 'AppliedManifestFailed',
        message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1',
      }),
    ];
    expect(appliedCondition(summarise(works, 2), failures(works))).toEqual({
      type: 'ManifestworkApplied',
      status: 'False',
      reason: 'NotAsExpected',
      message: 'b: Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1',
    });
  });
});
