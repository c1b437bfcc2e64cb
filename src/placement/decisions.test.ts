import { describe, expect, it } from 'vitest';
import { buildPlacementDecisions, decidedClusterNames, decisionCounts } from './decisions.js';
import type { PlacementDecision } from './types.js';

const web = { name: 'web', namespace: 'team-a', uid: 'uid-1' };
const names = (n: number) => Array.from({ length: n }, (_, i) => `c-${String(i).padStart(3, '0')}`);

describe('buildPlacementDecisions', () => {
  it('writes OCM-shaped objects: name, labels, owner, decisions sorted by cluster', () => {
    const { placementDecisions, decisionGroups } = buildPlacementDecisions(web, [
      { clusterName: 'b', reason: 'newly chosen, score 200' },
      { clusterName: 'a', reason: '' },
    ]);
    expect(placementDecisions).toEqual([
      {
        apiVersion: 'cluster.open-cluster-management.io/v1beta1',
        kind: 'PlacementDecision',
        metadata: {
          name: 'web-decision-1',
          namespace: 'team-a',
          labels: {
            'cluster.open-cluster-management.io/placement': 'web',
            'cluster.open-cluster-management.io/decision-group-name': '',
            'cluster.open-cluster-management.io/decision-group-index': '0',
          },
          ownerReferences: [
            {
              apiVersion: 'cluster.open-cluster-management.io/v1beta1',
              kind: 'Placement',
              name: 'web',
              uid: 'uid-1',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        status: {
          decisions: [
            { clusterName: 'a', reason: '' },
            { clusterName: 'b', reason: 'newly chosen, score 200' },
          ],
        },
      },
    ]);
    expect(decisionGroups).toEqual([
      { decisionGroupIndex: 0, decisionGroupName: '', decisions: ['web-decision-1'], clustersCount: 2 },
    ]);
  });

  it.each<[number, number[]]>([
    [0, [0]],
    [1, [1]],
    [100, [100]],
    [101, [100, 1]],
    [250, [100, 100, 50]],
  ])('%i decisions → objects of %j', (count, sizes) => {
    const built = buildPlacementDecisions(
      web,
      names(count).map((clusterName) => ({ clusterName, reason: '' })),
    );
    expect(built.placementDecisions.map((d) => d.status.decisions.length)).toEqual(sizes);
    expect(built.placementDecisions.map((d) => d.metadata.name)).toEqual(
      sizes.map((_, i) => `web-decision-${i + 1}`),
    );
    expect(built.decisionGroups[0]?.clustersCount).toBe(count);
    expect(built.placementDecisions.flatMap((d) => d.status.decisions.map((x) => x.clusterName))).toEqual(
      names(count),
    );
  });
});

describe('reading decisions back', () => {
  const pd = (name: string, namespace: string, placement: string, clusters: string[]): PlacementDecision => ({
    ...(buildPlacementDecisions(
      { name: placement, namespace, uid: 'u' },
      clusters.map((clusterName) => ({ clusterName, reason: '' })),
    ).placementDecisions[0] as PlacementDecision),
    metadata: {
      ...(
        buildPlacementDecisions({ name: placement, namespace, uid: 'u' }, [])
          .placementDecisions[0] as PlacementDecision
      ).metadata,
      name,
    },
  });
  const all = [
    pd('web-decision-1', 'team-a', 'web', ['c', 'a']),
    pd('web-decision-2', 'team-a', 'web', ['b', 'a']),
    pd('web-decision-1', 'team-b', 'web', ['x']),
    pd('api-decision-1', 'team-a', 'api', ['a', 'y']),
  ];

  it('decidedClusterNames takes only the placement’s own objects', () => {
    expect(decidedClusterNames({ name: 'web', namespace: 'team-a' }, all)).toEqual(['a', 'b', 'c']);
  });

  it('decisionCounts counts every placement but the one being scheduled', () => {
    expect(decisionCounts(all, { name: 'web', namespace: 'team-a' })).toEqual({ x: 1, a: 1, y: 1 });
    expect(decisionCounts(all)).toEqual({ a: 3, b: 1, c: 1, x: 1, y: 1 });
  });
});
