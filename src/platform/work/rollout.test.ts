import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import {
  clustersToWrite,
  decisionGroupsOf,
  rolloutOf,
  type ClusterState,
  type DecisionGroup,
} from './rollout.js';

const work = (available: boolean, generation = 1): KubeObject => ({
  metadata: { name: 'w', generation },
  status: { conditions: available ? [{ type: 'Available', status: 'True', observedGeneration: 1 }] : [] },
});
const progressive = (maxConcurrency: unknown) => ({
  spec: {
    placementRefs: [{ name: 'p', rolloutStrategy: { type: 'Progressive', progressive: { maxConcurrency } } }],
  },
});

describe('rolloutOf', () => {
  it("reads OCM's strategies: All by default, Progressive with a count or a percentage", () => {
    expect(rolloutOf({ spec: { placementRefs: [{ name: 'p' }] } }, 4)).toEqual({ type: 'All' });
    expect(rolloutOf(progressive(2), 10)).toEqual({ type: 'Progressive', maxConcurrency: 2 });
    expect(rolloutOf(progressive('25%'), 10)).toEqual({ type: 'Progressive', maxConcurrency: 3 });
    expect(rolloutOf(progressive(undefined), 10)).toEqual({ type: 'Progressive', maxConcurrency: 10 });
  });
});

describe('clustersToWrite', () => {
  const states: ClusterState[] = [
    { cluster: 'a', work: work(true), upToDate: true },
    { cluster: 'b', work: work(false), upToDate: true },
    { cluster: 'c', upToDate: false },
    { cluster: 'd', work: work(true), upToDate: false },
  ];

  it('writes every pending cluster for All', () => {
    expect(clustersToWrite(states, { type: 'All' })).toEqual(['c', 'd']);
  });

  it('keeps at most maxConcurrency clusters in flight for Progressive', () => {
    expect(clustersToWrite(states, { type: 'Progressive', maxConcurrency: 1 })).toEqual([]);
    expect(clustersToWrite(states, { type: 'Progressive', maxConcurrency: 2 })).toEqual(['c']);
    // Available for an older generation is still in flight.
    const stale: ClusterState[] = [
      { cluster: 'a', work: work(true, 2), upToDate: true },
      { cluster: 'c', upToDate: false },
    ];
    expect(clustersToWrite(stale, { type: 'Progressive', maxConcurrency: 1 })).toEqual([]);
  });
});

describe('ProgressivePerGroup', () => {
  const perGroup = (progressivePerGroup: object) => ({
    spec: {
      placementRefs: [{ name: 'p', rolloutStrategy: { type: 'ProgressivePerGroup', progressivePerGroup } }],
    },
  });
  const failed: KubeObject = {
    metadata: { name: 'w', generation: 1 },
    status: { conditions: [{ type: 'Applied', status: 'False', observedGeneration: 1 }] },
  };
  const groups: DecisionGroup[] = [
    { index: 0, name: 'canary', clusters: ['a', 'b'] },
    { index: 1, name: 'prod-eu', clusters: ['c', 'd'] },
    { index: 2, name: 'prod-us', clusters: ['e'] },
  ];
  const strategy = (mandatoryDecisionGroups: object[] = [], maxFailures: number | string = 0) => ({
    type: 'ProgressivePerGroup' as const,
    mandatoryDecisionGroups,
    maxFailures,
  });
  const fresh = (...clusters: string[]): ClusterState[] =>
    clusters.map((cluster) => ({ cluster, upToDate: false }));
  const done = (cluster: string): ClusterState => ({ cluster, work: work(true), upToDate: true });
  const busy = (cluster: string): ClusterState => ({ cluster, work: work(false), upToDate: true });
  const broken = (cluster: string): ClusterState => ({ cluster, work: failed, upToDate: true });

  it("reads OCM's ProgressivePerGroup with its mandatory groups and maxFailures (0 by default)", () => {
    expect(rolloutOf(perGroup({}), 5)).toEqual(strategy());
    expect(
      rolloutOf(
        perGroup({
          mandatoryDecisionGroups: [{ groupName: 'canary' }, { groupIndex: 2 }],
          maxFailures: '50%',
        }),
        5,
      ),
    ).toEqual(strategy([{ groupName: 'canary' }, { groupIndex: 2 }], '50%'));
  });

  it('reads the decision groups from the PlacementDecisions labels, ordered by group index', () => {
    const decision = (index: string, name: string, clusters: string[]): KubeObject => ({
      metadata: {
        name: `p-decision-${index}`,
        labels: {
          'cluster.open-cluster-management.io/decision-group-index': index,
          'cluster.open-cluster-management.io/decision-group-name': name,
        },
      },
      status: { decisions: clusters.map((clusterName) => ({ clusterName, reason: '' })) },
    });
    expect(decisionGroupsOf([decision('1', 'prod', ['c']), decision('0', 'canary', ['a', 'b'])])).toEqual([
      { index: 0, name: 'canary', clusters: ['a', 'b'] },
      { index: 1, name: 'prod', clusters: ['c'] },
    ]);
  });

  it('rolls out the first group alone, and the next only once every cluster of it is available', () => {
    const all = fresh('a', 'b', 'c', 'd', 'e');
    expect(clustersToWrite(all, strategy(), groups)).toEqual(['a', 'b']);
    expect(clustersToWrite([done('a'), busy('b'), ...fresh('c', 'd', 'e')], strategy(), groups)).toEqual([]);
    expect(clustersToWrite([done('a'), done('b'), ...fresh('c', 'd', 'e')], strategy(), groups)).toEqual([
      'c',
      'd',
    ]);
    expect(
      clustersToWrite([done('a'), done('b'), done('c'), done('d'), ...fresh('e')], strategy(), groups),
    ).toEqual(['e']);
  });

  it('rolls out the mandatory groups first, whatever their index', () => {
    const all = fresh('a', 'b', 'c', 'd', 'e');
    expect(clustersToWrite(all, strategy([{ groupName: 'prod-us' }]), groups)).toEqual(['e']);
    expect(clustersToWrite(all, strategy([{ groupIndex: 1 }]), groups)).toEqual(['c', 'd']);
    expect(
      clustersToWrite([...fresh('a', 'b', 'c', 'd'), done('e')], strategy([{ groupIndex: 2 }]), groups),
    ).toEqual(['a', 'b']);
  });

  it('moves past failed clusters within maxFailures of the group, never past a failed mandatory group', () => {
    const oneFailed = [done('a'), broken('b'), ...fresh('c', 'd', 'e')];
    expect(clustersToWrite(oneFailed, strategy(), groups)).toEqual([]);
    expect(clustersToWrite(oneFailed, strategy([], 1), groups)).toEqual(['c', 'd']);
    expect(clustersToWrite(oneFailed, strategy([], '50%'), groups)).toEqual(['c', 'd']);
    expect(clustersToWrite(oneFailed, strategy([{ groupName: 'canary' }], 1), groups)).toEqual([]);
  });

  it('rolls a new version out group by group again', () => {
    const stale = (cluster: string): ClusterState => ({ cluster, work: work(true), upToDate: false });
    const all = ['a', 'b', 'c', 'd', 'e'].map(stale);
    expect(clustersToWrite(all, strategy(), groups)).toEqual(['a', 'b']);
  });

  it('puts decided clusters that no group names last', () => {
    expect(clustersToWrite(fresh('a', 'z'), strategy(), [{ index: 0, name: '', clusters: ['a'] }])).toEqual([
      'a',
    ]);
    expect(
      clustersToWrite([done('a'), ...fresh('z')], strategy(), [{ index: 0, name: '', clusters: ['a'] }]),
    ).toEqual(['z']);
  });
});
