import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { simulatedStatus } from './workload-simulator.js';

const workload = (kind: string, replicas: number | undefined, generation: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'web', generation },
  spec: replicas === undefined ? {} : { replicas },
});
const now = new Date('2026-12-07T04:00:00Z');

describe('simulatedStatus', () => {
  it('rolls a Deployment out for its generation: every replica updated, ready and available', () => {
    const status = simulatedStatus('deployments.apps', workload('Deployment', 3, 4), now);
    expect(status).toMatchObject({
      observedGeneration: 4,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    expect(status.conditions).toMatchObject([
      {
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
        lastTransitionTime: '2026-12-07T04:00:00Z',
      },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ]);
  });

  it('gives a StatefulSet its revisions, and a ReplicaSet its labelled replicas', () => {
    expect(simulatedStatus('statefulsets.apps', workload('StatefulSet', 2, 1), now)).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      currentReplicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      currentRevision: 'web-1',
      updateRevision: 'web-1',
    });
    expect(simulatedStatus('replicasets.apps', workload('ReplicaSet', undefined, 2), now)).toEqual({
      observedGeneration: 2,
      replicas: 1,
      fullyLabeledReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
    });
  });
});
