import { describe, expect, it } from 'vitest';
import {
  GLOBAL_CLUSTER_SET,
  boundClusterSetNames,
  clusterSetMembers,
  clusterSetSelector,
  clusterSetsOfCluster,
  eligibleClusterSets,
} from './cluster-sets.js';
import { CLUSTER_SET_LABEL, type ManagedCluster, type ManagedClusterSet } from './types.js';

const cluster = (name: string, labels: Record<string, string> = {}): ManagedCluster => ({
  metadata: { name, labels },
});

const clusters = [
  cluster('a1', { [CLUSTER_SET_LABEL]: 'prod', region: 'eu-west' }),
  cluster('a2', { [CLUSTER_SET_LABEL]: 'prod', region: 'us-east' }),
  cluster('b1', { [CLUSTER_SET_LABEL]: 'dev', region: 'eu-west' }),
  cluster('c1', { region: 'ap-south' }),
];

const exclusive = (name: string): ManagedClusterSet => ({ metadata: { name } });
const bySelector = (name: string, labelSelector?: ManagedClusterSet['spec']): ManagedClusterSet => ({
  metadata: { name },
  ...(labelSelector === undefined ? {} : { spec: labelSelector }),
});

describe('clusterSetMembers', () => {
  it.each<[string, ManagedClusterSet, string[]]>([
    ['ExclusiveClusterSetLabel by default', exclusive('prod'), ['a1', 'a2']],
    [
      'ExclusiveClusterSetLabel spelled out',
      bySelector('dev', { clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } }),
      ['b1'],
    ],
    [
      'LegacyClusterSetLabel, the old name',
      bySelector('dev', { clusterSelector: { selectorType: 'LegacyClusterSetLabel' } }),
      ['b1'],
    ],
    [
      'LabelSelector',
      bySelector('europe', {
        clusterSelector: {
          selectorType: 'LabelSelector',
          labelSelector: { matchLabels: { region: 'eu-west' } },
        },
      }),
      ['a1', 'b1'],
    ],
    [
      'the global set: an empty LabelSelector selects every cluster',
      bySelector(GLOBAL_CLUSTER_SET, {
        clusterSelector: { selectorType: 'LabelSelector', labelSelector: {} },
      }),
      ['a1', 'a2', 'b1', 'c1'],
    ],
    [
      'LabelSelector without a selector selects nothing',
      bySelector('none', { clusterSelector: { selectorType: 'LabelSelector' } }),
      [],
    ],
    [
      'an unknown selectorType selects nothing',
      bySelector('odd', { clusterSelector: { selectorType: 'Other' as never } }),
      [],
    ],
  ])('%s', (_, set, members) => {
    expect(clusterSetMembers(set, clusters)).toEqual(members);
  });

  it('says why a set selects nothing', () => {
    expect(
      clusterSetSelector(bySelector('odd', { clusterSelector: { selectorType: 'Other' as never } })).problem,
    ).toBe('selectorType is not right: Other');
  });
});

describe('clusterSetsOfCluster', () => {
  it('lists every set a cluster is in, sorted', () => {
    const sets = [
      bySelector(GLOBAL_CLUSTER_SET, {
        clusterSelector: { selectorType: 'LabelSelector', labelSelector: {} },
      }),
      exclusive('prod'),
      exclusive('dev'),
    ];
    expect(clusterSetsOfCluster(clusters[0] as ManagedCluster, sets)).toEqual(['global', 'prod']);
    expect(clusterSetsOfCluster(clusters[3] as ManagedCluster, sets)).toEqual(['global']);
  });
});

describe('eligibleClusterSets', () => {
  const sets = [exclusive('prod'), exclusive('dev'), exclusive('staging')];
  it.each<[string, string[] | undefined, string[], { validBindings: string[]; eligible: string[] }]>([
    [
      'empty clusterSets = every bound set',
      undefined,
      ['prod', 'dev'],
      { validBindings: ['dev', 'prod'], eligible: ['dev', 'prod'] },
    ],
    [
      'clusterSets narrow the bound sets',
      ['prod'],
      ['prod', 'dev'],
      { validBindings: ['dev', 'prod'], eligible: ['prod'] },
    ],
    [
      'a set named but not bound is not eligible',
      ['staging'],
      ['prod'],
      { validBindings: ['prod'], eligible: [] },
    ],
    [
      'a binding to a set that does not exist is ignored',
      [],
      ['gone', 'dev'],
      { validBindings: ['dev'], eligible: ['dev'] },
    ],
    ['no bindings', ['prod'], [], { validBindings: [], eligible: [] }],
  ])('%s', (_, clusterSets, bound, expected) => {
    expect(eligibleClusterSets(clusterSets === undefined ? {} : { clusterSets }, bound, sets)).toEqual(
      expected,
    );
  });
});

describe('boundClusterSetNames', () => {
  it('takes the bindings in the namespace, by name', () => {
    const binding = (name: string, namespace: string) => ({
      metadata: { name, namespace },
      spec: { clusterSet: name },
    });
    expect(
      boundClusterSetNames(
        [binding('prod', 'team-a'), binding('dev', 'team-b'), binding('dev', 'team-a')],
        'team-a',
      ),
    ).toEqual(['dev', 'prod']);
  });
});
