import { describe, expect, it } from 'vitest';
import {
  type PlacementState,
  decisionChanges,
  placementsInNamespace,
  placementsToReschedule,
  placementsUsingClusterSet,
  steadyMarginOf,
} from './rescheduling.js';
import { schedulePlacement } from './schedule.js';
import {
  AVAILABLE_CONDITION,
  CLUSTER_SET_LABEL,
  type ManagedCluster,
  type ManagedClusterSet,
  type PlacementSpec,
} from './types.js';

const now = new Date('2025-06-01T12:00:00Z');
const sets: ManagedClusterSet[] = [{ metadata: { name: 'prod' } }, { metadata: { name: 'dev' } }];

function cluster(
  name: string,
  labels: Record<string, string>,
  available: 'True' | 'False' = 'True',
): ManagedCluster {
  return {
    metadata: { name, labels: { [CLUSTER_SET_LABEL]: 'prod', ...labels } },
    status: { conditions: [{ type: AVAILABLE_CONDITION, status: available }] },
  };
}

function state(
  name: string,
  spec: PlacementSpec,
  previousDecisions: string[],
  options: { namespace?: string; bindings?: string[] } = {},
): PlacementState {
  return {
    placement: { metadata: { name, namespace: options.namespace ?? 'team-a' }, spec },
    bindings: options.bindings ?? ['prod'],
    previousDecisions,
  };
}

const eu = {
  predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { region: 'eu' } } } }],
};
const placements = [
  state('full-eu', { ...eu, numberOfClusters: 1 }, ['eu-1']),
  state('short-eu', { ...eu, numberOfClusters: 3 }, ['eu-1']),
  state('all-eu', eu, ['eu-1', 'eu-2']),
  state(
    'us',
    {
      numberOfClusters: 5,
      predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { region: 'us' } } } }],
    },
    [],
  ),
  state('dev-only', { numberOfClusters: 5 }, [], { bindings: ['dev'] }),
];

describe('placementsToReschedule', () => {
  it('a removed cluster affects only the placements that chose it', () => {
    expect(placementsToReschedule({ type: 'removed', clusterName: 'eu-2' }, placements, sets, now)).toEqual([
      { index: 2, reason: 'chosen-cluster-removed', message: 'chosen cluster eu-2 was removed' },
    ]);
  });

  it('a changed chosen cluster affects the placements that chose it', () => {
    const down = cluster('eu-1', { region: 'eu' }, 'False');
    expect(
      placementsToReschedule({ type: 'updated', cluster: down }, placements, sets, now).map((n) => n.index),
    ).toEqual([0, 1, 2]);
  });

  it('a new cluster affects the placements that could use it and want more', () => {
    const added = cluster('eu-9', { region: 'eu' });
    expect(placementsToReschedule({ type: 'added', cluster: added }, placements, sets, now)).toEqual([
      {
        index: 1,
        reason: 'wants-more-clusters',
        message: 'cluster eu-9 qualifies and the placement has fewer clusters than it wants',
      },
      {
        index: 2,
        reason: 'wants-more-clusters',
        message: 'cluster eu-9 qualifies and the placement has fewer clusters than it wants',
      },
    ]);
  });

  it('a new cluster that qualifies nowhere affects nothing', () => {
    expect(
      placementsToReschedule(
        { type: 'added', cluster: cluster('x', { region: 'eu' }, 'False') },
        placements,
        sets,
        now,
      ),
    ).toEqual([]);
    expect(
      placementsToReschedule(
        { type: 'added', cluster: cluster('y', { region: 'ap' }) },
        placements,
        sets,
        now,
      ),
    ).toEqual([]);
  });

  it('a re-decision after the change replaces the lost cluster and keeps the rest', () => {
    const clusters = ['eu-1', 'eu-2', 'eu-3'].map((n) => cluster(n, { region: 'eu' }));
    const two = state('two', { ...eu, numberOfClusters: 2 }, ['eu-1', 'eu-2']);
    const needs = placementsToReschedule({ type: 'removed', clusterName: 'eu-1' }, [two], sets, now);
    expect(needs.map((n) => n.index)).toEqual([0]);
    const result = schedulePlacement({
      placement: two.placement,
      clusters: clusters.filter((c) => c.metadata.name !== 'eu-1'),
      clusterSets: sets,
      bindings: two.bindings,
      previousDecisions: two.previousDecisions,
      now,
    });
    expect(decisionChanges(two.previousDecisions, result)).toEqual({
      kept: ['eu-2'],
      added: ['eu-3'],
      dropped: [{ clusterName: 'eu-1', reasons: [] }],
    });
  });
});

describe('decisionChanges', () => {
  it('gives the reasons a dropped cluster that still exists was dropped for', () => {
    const result = schedulePlacement({
      placement: { metadata: { name: 'p', namespace: 'team-a' }, spec: { numberOfClusters: 1 } },
      clusters: [cluster('a', {}, 'False'), cluster('b', {})],
      clusterSets: sets,
      bindings: ['prod'],
      previousDecisions: ['a'],
      now,
    });
    expect(decisionChanges(['a'], result)).toEqual({
      kept: [],
      added: ['b'],
      dropped: [
        {
          clusterName: 'a',
          reasons: [{ code: 'unavailable', message: `unavailable: ${AVAILABLE_CONDITION} is False` }],
        },
      ],
    });
  });
});

describe('other changes', () => {
  it('a binding change affects the placements in its namespace', () => {
    const mixed = [
      state('a', {}, [], { namespace: 'x' }),
      state('b', {}, []),
      state('c', {}, [], { namespace: 'x' }),
    ];
    expect(placementsInNamespace('x', mixed)).toEqual([0, 2]);
  });

  it('a set change affects the placements that may draw from it', () => {
    const mixed = [
      state('a', {}, []),
      state('b', { clusterSets: ['dev'] }, [], { bindings: ['prod', 'dev'] }),
      state('c', { clusterSets: ['prod'] }, [], { bindings: ['prod', 'dev'] }),
    ];
    expect(placementsUsingClusterSet('prod', mixed)).toEqual([0, 2]);
  });
});

describe('steadyMarginOf', () => {
  it('is 100 per unit of Steady weight, 0 without Steady', () => {
    expect(steadyMarginOf({ metadata: { name: 'p', namespace: 'n' }, spec: {} })).toBe(100);
    expect(
      steadyMarginOf({
        metadata: { name: 'p', namespace: 'n' },
        spec: { prioritizerPolicy: { mode: 'Exact' } },
      }),
    ).toBe(0);
  });
});
