import { describe, expect, it } from 'vitest';
import { ClusterIndex, clusterFacts } from './cluster-facts.js';
import { schedulePlacement } from './schedule.js';
import { AVAILABLE_CONDITION, CLUSTER_SET_LABEL, type ManagedCluster } from './types.js';

function cluster(name: string, region: string, cpu?: string): ManagedCluster {
  return {
    metadata: { name, labels: { [CLUSTER_SET_LABEL]: 'prod', region } },
    status: {
      ...(cpu === undefined ? {} : { allocatable: { cpu }, capacity: { cpu: '64' } }),
      conditions: [{ type: AVAILABLE_CONDITION, status: 'True' }],
    },
  };
}

describe('clusterFacts', () => {
  it('reads allocatable only where capacity is reported too, as OCM does', () => {
    expect(clusterFacts(cluster('a', 'eu', '1500m')).allocatableCpu).toBe(1.5);
    expect(clusterFacts(cluster('a', 'eu')).allocatableCpu).toBeUndefined();
    const noCapacity: ManagedCluster = { metadata: { name: 'b' }, status: { allocatable: { cpu: '4' } } };
    expect(clusterFacts(noCapacity).allocatableCpu).toBeUndefined();
    const malformed: ManagedCluster = {
      metadata: { name: 'c' },
      status: { allocatable: { cpu: 'lots' }, capacity: { cpu: '4' } },
    };
    expect(clusterFacts(malformed).allocatableCpu).toBeUndefined();
  });
});

describe('ClusterIndex', () => {
  const clusters = [cluster('c', 'us', '8'), cluster('a', 'eu', '4'), cluster('b', 'eu', '16')];
  const decide = (index: ClusterIndex) =>
    schedulePlacement({
      placement: {
        metadata: { name: 'p', namespace: 'n' },
        spec: {
          numberOfClusters: 2,
          prioritizerPolicy: {
            mode: 'Exact',
            configurations: [{ scoreCoordinate: { builtIn: 'ResourceAllocatableCPU' } }],
          },
        },
      },
      clusters: index,
      clusterSets: [{ metadata: { name: 'prod' } }],
      bindings: ['prod'],
      now: new Date('2025-06-01T00:00:00Z'),
    });

  it('keeps the clusters sorted by name', () => {
    expect(ClusterIndex.of(clusters).facts.map((f) => f.name)).toEqual(['a', 'b', 'c']);
  });

  it('groups clusters by the values of the keys asked for', () => {
    const index = ClusterIndex.of(clusters);
    const groups = index.groupsOf([['labels', 'region']]);
    expect(groups.count).toBe(2);
    expect([...groups.ids]).toEqual([0, 0, 1]);
    expect(index.groupsOf([['labels', 'region']])).toBe(groups);
    expect(index.allocatableAt('cpu', 1)).toBe(16);
  });

  it('without and with give the same decisions as an index built from scratch', () => {
    const index = ClusterIndex.of(clusters);
    decide(index); // fill the index's memos first: the derived indexes must not reuse them
    expect(decide(index.without('b'))).toEqual(
      decide(ClusterIndex.of(clusters.filter((c) => c.metadata.name !== 'b'))),
    );
    const bigger = cluster('a', 'eu', '32');
    const changed = [bigger, ...clusters.filter((c) => c.metadata.name !== 'a')];
    expect(decide(index.with(bigger))).toEqual(decide(ClusterIndex.of(changed)));
    expect(decide(index.with(bigger)).decisions.map((d) => d.clusterName)).toEqual(['a', 'b']);
  });
});
