import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { placementKey, PlacementWorld } from './placement-world.js';
import { placementConditions } from './placement-writer.js';

const PLACEMENT = 'cluster.open-cluster-management.io/placement';
const key = (resource: string, name: string, namespace = 'default', cluster = 'ws1') => ({
  cluster,
  resource,
  namespace,
  name,
});
const decision = (placement: string, ...clusters: string[]): KubeObject => ({
  metadata: { name: `${placement}-decision-1`, labels: { [PLACEMENT]: placement } },
  status: { decisions: clusters.map((clusterName) => ({ clusterName, reason: '' })) },
});
const placement = (
  spec: Record<string, unknown>,
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject => ({
  metadata: { name: 'web', namespace: 'default', uid: 'u1', ...extra },
  spec,
});

describe('PlacementWorld', () => {
  it('counts decisions per cluster for Balance, leaving the placement being decided out', () => {
    const world = new PlacementWorld();
    world.setDecision(key('pd', 'web-decision-1'), decision('web', 'a', 'b'));
    world.setDecision(key('pd', 'api-decision-1'), decision('api', 'b'));
    world.setDecision(key('pd', 'api-decision-1', 'default', 'ws2'), decision('api', 'b', 'c'));
    const web = placementKey('ws1', 'default', 'web');
    expect(world.previousDecisions(web)).toEqual(['a', 'b']);
    expect({ ...world.decisionCountsWithout(web) }).toEqual({ a: 0, b: 2, c: 1 });
    // A decision rewritten or deleted moves the counts with it.
    world.setDecision(key('pd', 'web-decision-1'), decision('web', 'c'));
    world.setDecision(key('pd', 'api-decision-1', 'default', 'ws2'), undefined);
    expect({ ...world.decisionCountsWithout(placementKey('x', 'y', 'z')) }).toEqual({ b: 1, c: 1 });
    expect(world.decisionNames(web)).toEqual(['web-decision-1']);
  });

  it('asks for a decision when a placement is new or what the scheduler reads changed, not for status writes', () => {
    const world = new PlacementWorld();
    const k = key('placements', 'web');
    expect(world.setPlacement(k, placement({ numberOfClusters: 1 }))).toBe(true);
    expect(
      world.setPlacement(k, {
        ...placement({ numberOfClusters: 1 }),
        status: { numberOfSelectedClusters: 1 },
      }),
    ).toBe(false);
    expect(world.setPlacement(k, placement({ numberOfClusters: 2 }))).toBe(true);
    expect(
      world.setPlacement(
        k,
        placement(
          { numberOfClusters: 2 },
          { annotations: { 'cluster.open-cluster-management.io/experimental-scheduling-disable': 'true' } },
        ),
      ),
    ).toBe(true);
    expect(world.setPlacement(k, undefined)).toBe(false);
    expect(world.placements.size).toBe(0);
  });

  it('knows the sets bound per namespace, and whether a binding change matters', () => {
    const world = new PlacementWorld();
    const binding = (set: string): KubeObject => ({ metadata: { name: set }, spec: { clusterSet: set } });
    expect(world.setBinding(key('b', 'global'), binding('global'))).toBe(true);
    expect(world.setBinding(key('b', 'global'), { ...binding('global'), status: {} })).toBe(false);
    world.setBinding(key('b', 'eu', 'other'), binding('eu'));
    expect(world.boundSets('ws1', 'default')).toEqual(['global']);
    expect([...world.allBindings()]).toEqual([
      ['ws1', 'default', 'global', 'global'],
      ['ws1', 'other', 'eu', 'eu'],
    ]);
    expect(world.setBinding(key('b', 'global'), undefined)).toBe(true);
    expect(world.boundSets('ws1', 'default')).toEqual([]);
  });
});

describe('placementConditions', () => {
  const wanted = [
    { type: 'PlacementSatisfied', status: 'True' as const, reason: 'AllDecisionsScheduled', message: 'ok' },
  ];
  it('keeps the transition time while the status stays, and moves it when the status changes', () => {
    const now = new Date('2025-01-02T03:04:05.600Z');
    const earlier = [
      { type: 'PlacementSatisfied', status: 'True', lastTransitionTime: '2024-12-31T00:00:00Z' },
    ];
    expect(placementConditions(wanted, earlier, 3, now)).toEqual([
      { ...wanted[0], lastTransitionTime: '2024-12-31T00:00:00Z', observedGeneration: 3 },
    ]);
    const flipped = [{ ...earlier[0], status: 'False' }];
    expect(placementConditions(wanted, flipped, 3, now)[0]?.lastTransitionTime).toBe('2025-01-02T03:04:05Z');
  });
});
