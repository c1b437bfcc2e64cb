import { describe, expect, it } from 'vitest';
import type { ClusterFacts } from './cluster-facts.js';
import { balanceScore, resolveWeights, resourceScores, scoreClusters, steadyMargin } from './prioritizers.js';
import type { PrioritizerPolicy } from './types.js';

describe('resolveWeights (OCM getWeights)', () => {
  const builtIn = (name: string, weight?: number) => ({
    scoreCoordinate: { type: 'BuiltIn' as const, builtIn: name },
    ...(weight === undefined ? {} : { weight }),
  });

  it.each<[string, PrioritizerPolicy | undefined, Array<{ name: string; weight: number }>]>([
    [
      'no policy: Balance 1, Steady 1',
      undefined,
      [
        { name: 'Balance', weight: 1 },
        { name: 'Steady', weight: 1 },
      ],
    ],
    [
      'Additive overlays the defaults',
      { configurations: [builtIn('ResourceAllocatableCPU', 3), builtIn('Steady', 2)] },
      [
        { name: 'Balance', weight: 1 },
        { name: 'Steady', weight: 2 },
        { name: 'ResourceAllocatableCPU', weight: 3 },
      ],
    ],
    [
      'weight defaults to 1',
      { mode: 'Additive', configurations: [builtIn('ResourceAllocatableMemory')] },
      [
        { name: 'Balance', weight: 1 },
        { name: 'Steady', weight: 1 },
        { name: 'ResourceAllocatableMemory', weight: 1 },
      ],
    ],
    ['weight 0 turns one off', { configurations: [builtIn('Balance', 0)] }, [{ name: 'Steady', weight: 1 }]],
    [
      'Exact uses only what is configured',
      { mode: 'Exact', configurations: [builtIn('ResourceAllocatableCPU', -2)] },
      [{ name: 'ResourceAllocatableCPU', weight: -2 }],
    ],
    [
      'AddOn scores are named after their resource and score',
      {
        mode: 'Exact',
        configurations: [
          { scoreCoordinate: { type: 'AddOn', addOn: { resourceName: 'gpu', scoreName: 'free' } } },
        ],
      },
      [{ name: 'AddOn/gpu/free', weight: 1 }],
    ],
  ])('%s', (_, policy, expected) => {
    expect(resolveWeights(policy)).toEqual({ prioritizers: expected });
  });

  it.each<[PrioritizerPolicy, string]>([
    [{ mode: 'Random' as never }, 'incorrect prioritizer policy mode: Random'],
    [{ configurations: [{ weight: 1 }] }, 'scoreCoordinate field is required'],
    [{ configurations: [builtIn('Spread')] }, 'incorrect builtin prioritizer: Spread'],
    [{ configurations: [builtIn('Steady', 11)] }, 'weight 11 is not an integer between -10 and 10'],
    [{ configurations: [{ scoreCoordinate: { type: 'AddOn' } }] }, 'addOn should not be empty'],
  ])('misconfigured: %j', (policy, problem) => {
    expect(resolveWeights(policy).problem).toBe(problem);
  });

  it('the Steady margin is 100 per unit of Steady weight', () => {
    expect(steadyMargin(resolveWeights(undefined).prioritizers)).toBe(100);
    expect(steadyMargin(resolveWeights({ configurations: [builtIn('Steady', 3)] }).prioritizers)).toBe(300);
    expect(steadyMargin(resolveWeights({ mode: 'Exact' }).prioritizers)).toBe(0);
  });
});

describe('balanceScore (OCM balance plugin)', () => {
  it.each<[number, number, number]>([
    [0, 0, 100],
    [0, 5, 100],
    [5, 5, -100],
    [1, 2, 0],
    [1, 3, 32], // 2 * trunc(100 * (0.5 - 1/3)) = 2 * 16
    [1, 4, 50],
    [3, 4, -50],
  ])('count %i of max %i → %i', (count, max, score) => {
    expect(balanceScore(count, max)).toBe(score);
  });
});

describe('resourceScores (OCM resource plugin)', () => {
  it('normalises to [-100, 100] across the candidates', () => {
    expect(resourceScores([4, 8, 16, 6])).toEqual([-100, -33, 100, -66]); // int64() truncates towards zero
  });
  it('gives 100 to all when they are equal and 0 to a cluster that does not report', () => {
    expect(resourceScores([8, undefined, 8])).toEqual([100, 0, 100]);
  });
});

describe('scoreClusters', () => {
  const facts = (name: string, cpu?: number): ClusterFacts => ({
    name,
    labels: {},
    claims: {},
    taints: [],
    allocatableCpu: cpu,
    allocatableMemory: undefined,
  });

  it('sums weight × score and lists every term', () => {
    const { prioritizers } = resolveWeights({
      configurations: [{ scoreCoordinate: { builtIn: 'ResourceAllocatableCPU' }, weight: 2 }],
    });
    const scores = scoreClusters([facts('a', 4), facts('b', 8)], prioritizers, {
      previous: new Set(['a']),
      decisionCounts: { b: 2, other: 4 },
      preferNoSelect: [0, 1],
    });
    expect(scores.totals).toEqual([100 + 100 - 200, 0 + 0 + 200 - 100]);
    expect(scores.termsOf(0)).toEqual([
      { prioritizer: 'Balance', weight: 1, score: 100 },
      { prioritizer: 'Steady', weight: 1, score: 100 },
      { prioritizer: 'ResourceAllocatableCPU', weight: 2, score: -100 },
    ]);
    expect(scores.termsOf(1)).toEqual([
      { prioritizer: 'Balance', weight: 1, score: 0 },
      { prioritizer: 'Steady', weight: 1, score: 0 },
      { prioritizer: 'ResourceAllocatableCPU', weight: 2, score: 100 },
      { prioritizer: 'PreferNoSelect', weight: 1, score: -100 },
    ]);
  });
});
