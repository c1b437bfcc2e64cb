import { describe, expect, it } from 'vitest';
import { parseToleration, placementSpecFromFlags } from './spec-from-flags.js';

const none = { where: [], prefer: [], tolerate: [], clusterSets: [] };

describe('placementSpecFromFlags', () => {
  it('turns each --where into one ORed predicate, and the rest into OCM fields', () => {
    expect(
      placementSpecFromFlags({
        ...none,
        where: ['region=eu-west,provider!=azure', 'tier in (gold)'],
        clusters: 2,
        spread: 'region',
        prefer: ['cpu'],
        tolerate: ['maintenance:PreferNoSelect'],
      }),
    ).toEqual({
      numberOfClusters: 2,
      predicates: [
        {
          requiredClusterSelector: {
            labelSelector: {
              matchLabels: { region: 'eu-west' },
              matchExpressions: [{ key: 'provider', operator: 'NotIn', values: ['azure'] }],
            },
          },
        },
        {
          requiredClusterSelector: {
            labelSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold'] }] },
          },
        },
      ],
      prioritizerPolicy: {
        mode: 'Exact',
        configurations: [
          { scoreCoordinate: { type: 'BuiltIn', builtIn: 'ResourceAllocatableCPU' }, weight: 1 },
        ],
      },
      spreadPolicy: { spreadConstraints: [{ topologyKey: 'region', topologyKeyType: 'Label', maxSkew: 1 }] },
      tolerations: [{ key: 'maintenance', operator: 'Exists', effect: 'PreferNoSelect' }],
    });
  });

  it.each([
    [{ where: ['region in (eu-west'] }, /--where: invalid label selector/],
    [{ clusters: 0 }, /--clusters must be a whole number/],
    [{ prefer: ['gpu'] }, /--prefer "gpu": use cpu, memory, balance, steady/],
    [{ tolerate: ['k=v:Sometimes'] }, /the effect must be one of/],
  ])('refuses %j with a message that says what to do', (flags, message) => {
    expect(() => placementSpecFromFlags({ ...none, ...flags })).toThrow(message);
  });

  it('reads tolerations as kubectl taint spells them', () => {
    expect(parseToleration('dedicated=gpu:NoSelect')).toEqual({
      key: 'dedicated',
      operator: 'Equal',
      value: 'gpu',
      effect: 'NoSelect',
    });
    expect(parseToleration('spot')).toEqual({ key: 'spot', operator: 'Exists' });
  });
});
