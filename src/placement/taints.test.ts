import { describe, expect, it } from 'vitest';
import { effectiveTaints, findToleration, formatTaint, taintBlocks, tolerationsProblem } from './taints.js';
import {
  AVAILABLE_CONDITION,
  type Condition,
  type ManagedCluster,
  type Taint,
  type Toleration,
  UNAVAILABLE_TAINT_KEY,
  UNREACHABLE_TAINT_KEY,
} from './types.js';

const now = Date.parse('2025-06-01T12:00:00Z');
const gpu: Taint = { key: 'gpu', value: 'true', effect: 'NoSelect', timeAdded: '2025-06-01T11:59:00Z' };

describe('findToleration (OCM isTolerated)', () => {
  it.each<[string, Toleration[], boolean]>([
    ['no tolerations', [], false],
    ['Equal on key and value', [{ key: 'gpu', value: 'true' }], true],
    ['Equal with another value', [{ key: 'gpu', value: 'false' }], false],
    ['Exists on the key', [{ key: 'gpu', operator: 'Exists' }], true],
    ['Exists with an empty key tolerates everything', [{ operator: 'Exists' }], true],
    ['same effect', [{ key: 'gpu', operator: 'Exists', effect: 'NoSelect' }], true],
    ['another effect', [{ key: 'gpu', operator: 'Exists', effect: 'PreferNoSelect' }], false],
    ['another key', [{ key: 'ssd', operator: 'Exists' }], false],
    [
      'one of several',
      [
        { key: 'ssd', operator: 'Exists' },
        { key: 'gpu', value: 'true' },
      ],
      true,
    ],
    ['tolerationSeconds not yet run out', [{ key: 'gpu', operator: 'Exists', tolerationSeconds: 120 }], true],
    ['tolerationSeconds run out', [{ key: 'gpu', operator: 'Exists', tolerationSeconds: 30 }], false],
  ])('%s', (_, tolerations, tolerated) => {
    expect(findToleration(gpu, tolerations, now).tolerated).toBe(tolerated);
  });

  it('says until when a timed toleration holds, and when it ran out', () => {
    expect(findToleration(gpu, [{ key: 'gpu', operator: 'Exists', tolerationSeconds: 120 }], now)).toEqual({
      tolerated: true,
      until: Date.parse('2025-06-01T12:01:00Z'),
    });
    expect(findToleration(gpu, [{ key: 'gpu', operator: 'Exists', tolerationSeconds: 30 }], now)).toEqual({
      tolerated: false,
      expiredAt: Date.parse('2025-06-01T11:59:30Z'),
    });
  });

  it('a timed toleration does not cover a taint without timeAdded (OCM reads it as the zero time)', () => {
    const { timeAdded: _, ...untimed } = gpu;
    expect(
      findToleration(untimed, [{ key: 'gpu', operator: 'Exists', tolerationSeconds: 3600 }], now).tolerated,
    ).toBe(false);
  });
});

describe('taintBlocks', () => {
  it('PreferNoSelect never blocks; NoSelectIfNew lets a previous choice stay', () => {
    expect(taintBlocks({ key: 'k', effect: 'PreferNoSelect' }, [], false, now).tolerated).toBe(true);
    expect(taintBlocks({ key: 'k', effect: 'NoSelectIfNew' }, [], true, now).tolerated).toBe(true);
    expect(taintBlocks({ key: 'k', effect: 'NoSelectIfNew' }, [], false, now).tolerated).toBe(false);
    expect(taintBlocks({ key: 'k', effect: 'NoSelect' }, [], true, now).tolerated).toBe(false);
  });
});

describe('tolerationsProblem (OCM Misconfigured messages)', () => {
  it.each<[Toleration[], string | undefined]>([
    [[{ key: 'a', value: 'b' }], undefined],
    [[{ operator: 'Exists' }], undefined],
    [[{ value: 'b' }], 'If the key is empty, operator must be Exists.'],
    [[{ key: 'a', operator: 'Exists', value: 'b' }], 'If the operator is Exists, the value should be empty.'],
    [[{ key: 'a', operator: 'Like' as never }], 'toleration operator "Like" is not Equal or Exists'],
  ])('%j', (tolerations, problem) => {
    expect(tolerationsProblem(tolerations)).toBe(problem);
  });
});

describe('effectiveTaints', () => {
  const withAvailable = (condition?: Partial<Condition>, taints: Taint[] = []): ManagedCluster => ({
    metadata: { name: 'c' },
    spec: { taints },
    status: {
      conditions:
        condition === undefined ? [] : [{ type: AVAILABLE_CONDITION, status: 'True', ...condition }],
    },
  });

  it('adds nothing for an available cluster', () => {
    expect(effectiveTaints(withAvailable({}, [gpu]))).toEqual([gpu]);
  });

  it('adds unavailable for Available False, timed from the condition', () => {
    expect(
      effectiveTaints(
        withAvailable({ status: 'False', reason: 'Lease', lastTransitionTime: '2025-06-01T11:00:00Z' }),
      ),
    ).toEqual([
      {
        key: UNAVAILABLE_TAINT_KEY,
        effect: 'NoSelect',
        timeAdded: '2025-06-01T11:00:00Z',
        impliedBy: `${AVAILABLE_CONDITION} is False (Lease)`,
      },
    ]);
  });

  it('adds unreachable for Available Unknown or missing', () => {
    expect(effectiveTaints(withAvailable({ status: 'Unknown' }))[0]?.key).toBe(UNREACHABLE_TAINT_KEY);
    expect(effectiveTaints(withAvailable(undefined))).toEqual([
      { key: UNREACHABLE_TAINT_KEY, effect: 'NoSelect', impliedBy: `no ${AVAILABLE_CONDITION} condition` },
    ]);
  });

  it('does not add a second taint when the registration controller already put one there', () => {
    const existing: Taint = {
      key: UNAVAILABLE_TAINT_KEY,
      effect: 'NoSelect',
      timeAdded: '2025-06-01T10:00:00Z',
    };
    expect(effectiveTaints(withAvailable({ status: 'False' }, [existing]))).toEqual([existing]);
  });
});

describe('formatTaint', () => {
  it('prints key=value:Effect', () => {
    expect(formatTaint(gpu)).toBe('gpu=true:NoSelect');
    expect(formatTaint({ key: 'spot', effect: 'PreferNoSelect' })).toBe('spot:PreferNoSelect');
  });
});
