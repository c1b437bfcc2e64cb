import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { clustersToWrite, rolloutOf, type ClusterState } from './rollout.js';

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
