import { describe, expect, it } from 'vitest';
import { clusterRow, rolloutProgress, type ReplicaSetState, type WorkObject } from './cluster-status.js';

const deployment = (name: string, replicas?: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: replicas === undefined ? {} : { replicas },
});
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } };

function work(
  cluster: string,
  options: {
    generation?: number;
    observed?: number;
    applied?: string;
    available?: string;
    ready?: number;
    refused?: string;
  } = {},
): WorkObject {
  const generation = options.generation ?? 1;
  const observed = options.observed ?? generation;
  const conditions = [
    { type: 'Applied', status: options.applied ?? 'True', observedGeneration: observed },
    { type: 'Available', status: options.available ?? 'True', observedGeneration: observed },
  ];
  return {
    metadata: { name: 'web-0123456789', namespace: cluster, generation },
    spec: { workload: { manifests: [deployment('web', 2), configMap] } },
    status: {
      conditions,
      resourceStatus: {
        manifests: [
          {
            resourceMeta: { kind: 'Deployment', name: 'web' },
            conditions: [{ type: 'Applied', status: 'True' }],
            ...(options.ready !== undefined
              ? {
                  statusFeedback: {
                    values: [
                      { name: 'ReadyReplicas', fieldValue: { type: 'Integer', integer: options.ready } },
                      { name: 'Replicas', fieldValue: { type: 'Integer', integer: 2 } },
                    ],
                  },
                }
              : {}),
          },
          {
            resourceMeta: { kind: 'ConfigMap', name: 'settings' },
            conditions: [
              options.refused
                ? { type: 'Applied', status: 'False', message: options.refused }
                : { type: 'Applied', status: 'True' },
            ],
          },
        ],
      },
    },
  };
}

const replicaSet = (
  generation: number,
  observed: number,
  rolledOut = 'True',
  desiredTotal = 2,
  available = desiredTotal,
): ReplicaSetState => ({
  metadata: { name: 'web', generation },
  status: {
    summary: { desiredTotal, available },
    conditions: [
      { type: 'PlacementVerified', status: 'True', observedGeneration: observed },
      { type: 'PlacementRolledOut', status: rolledOut, observedGeneration: observed },
      { type: 'ManifestworkApplied', status: 'True', reason: 'AsExpected', observedGeneration: observed },
    ],
  },
});

describe('clusterRow', () => {
  it('reads applied, available, ready/desired replicas and the refused manifest’s message', () => {
    expect(clusterRow(work('eu-1', { ready: 1, refused: 'ConfigMap "settings" is invalid' }))).toEqual({
      cluster: 'eu-1',
      applied: 'True',
      available: 'True',
      current: true,
      desiredReplicas: 2,
      readyReplicas: 1,
      error: 'ConfigMap "settings" is invalid',
    });
  });

  it('shows Unknown before the agent reported, and no ready count where the member reports none', () => {
    const fresh: WorkObject = { metadata: { name: 'w', namespace: 'eu-2', generation: 1 }, spec: {} };
    expect(clusterRow(fresh)).toEqual({
      cluster: 'eu-2',
      applied: 'Unknown',
      available: 'Unknown',
      current: false,
    });
    expect(clusterRow(work('eu-1')).readyReplicas).toBeUndefined();
  });
});

describe('rolloutProgress', () => {
  it('is done when every decided cluster reports the current version applied, available and ready', () => {
    expect(rolloutProgress(replicaSet(2, 2), [work('a', { ready: 2 }), work('b')])).toEqual({
      state: 'done',
    });
  });

  it('waits while the platform has not read the new version, on old reports, and while replicas are not ready', () => {
    const both = [work('a'), work('b')];
    expect(rolloutProgress(replicaSet(3, 2), both).state).toBe('waiting');
    // The works hold the new template (generation 2) but the agents reported generation 1.
    expect(rolloutProgress(replicaSet(2, 2), [work('a', { generation: 2, observed: 1 }), work('b')])).toEqual(
      {
        state: 'waiting',
        reason: 'not yet available with this version on a',
      },
    );
    expect(rolloutProgress(replicaSet(2, 2, 'False'), both).state).toBe('waiting');
    expect(rolloutProgress(replicaSet(2, 2), [work('a')]).state).toBe('waiting');
    expect(rolloutProgress(replicaSet(2, 2), [work('a', { ready: 1 }), work('b')])).toEqual({
      state: 'waiting',
      reason: 'not yet available with this version on a',
    });
  });

  it('waits until the replica set counts what the works already say, so the summary it prints is whole', () => {
    expect(rolloutProgress(replicaSet(2, 2, 'True', 2, 1), [work('a'), work('b')])).toEqual({
      state: 'waiting',
      reason: 'the platform has not counted every cluster available yet',
    });
  });

  it('fails at once, naming the cluster and the member’s message, when the current version is refused', () => {
    expect(
      rolloutProgress(replicaSet(2, 2), [
        work('a'),
        work('b', { applied: 'False', refused: 'quota exceeded' }),
      ]),
    ).toEqual({ state: 'failed', message: 'b: quota exceeded' });
    // A refusal reported for an older version is not judged: the agent has not seen this one yet.
    expect(
      rolloutProgress(replicaSet(2, 2), [
        work('a'),
        work('b', { generation: 2, observed: 1, applied: 'False', refused: 'quota exceeded' }),
      ]).state,
    ).toBe('waiting');
  });

  it('leaves out a cluster that left the decision while its agent cleans up', () => {
    const leaving = { ...work('c', { applied: 'False', refused: 'gone' }) };
    leaving.metadata = { ...leaving.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' };
    expect(rolloutProgress(replicaSet(2, 2), [work('a'), work('b'), leaving])).toEqual({ state: 'done' });
    expect(clusterRow(leaving).leaving).toBe(true);
  });

  it('fails when the platform refused the manifests themselves', () => {
    const refused: ReplicaSetState = {
      metadata: { name: 'web', generation: 1 },
      status: {
        conditions: [
          {
            type: 'ManifestworkApplied',
            status: 'False',
            reason: 'InvalidManifests',
            message: 'manifest 1 (ClusterRole x) is cluster-scoped',
            observedGeneration: 1,
          },
        ],
      },
    };
    expect(rolloutProgress(refused, [])).toEqual({
      state: 'failed',
      message: 'manifest 1 (ClusterRole x) is cluster-scoped',
    });
  });
});
