import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import {
  addAmounts,
  capacityShortfalls,
  formatAmount,
  nodeAllocatable,
  podRequests,
  shortfallMessage,
  workloadDemand,
} from './workload-demand.js';

const GiB = 2 ** 30;

/** Amounts in the units a person reads (cores, bytes, pods) as the thousandths the member counts in. */
const milli = (amounts: Record<string, number>): Record<string, bigint> =>
  Object.fromEntries(
    Object.entries(amounts).map(([name, value]) => [name, BigInt(Math.round(value * 1000))]),
  );
const m = (value: number) => BigInt(Math.round(value * 1000));

const deployment = (replicas: number | undefined, containers: unknown[], extra: object = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { ...(replicas === undefined ? {} : { replicas }), template: { spec: { containers, ...extra } } },
});

describe('podRequests', () => {
  it.each([
    ['no resources at all', [{ name: 'a' }], {}, {}],
    [
      'sums containers',
      [
        { name: 'a', resources: { requests: { cpu: '500m', memory: '256Mi' } } },
        { name: 'b', resources: { requests: { cpu: '1', memory: '1Gi' } } },
      ],
      {},
      { cpu: 1.5, memory: 1.25 * GiB },
    ],
    [
      'a limit stands in for a missing request, a request wins over its limit',
      [{ name: 'a', resources: { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '250m' } } }],
      {},
      { cpu: 0.25, memory: GiB },
    ],
    [
      'the largest init container counts where it is larger than the containers',
      [{ name: 'a', resources: { requests: { cpu: '1' } } }],
      {
        initContainers: [
          { name: 'i1', resources: { requests: { cpu: '3' } } },
          { name: 'i2', resources: { requests: { cpu: '2', memory: '64Mi' } } },
        ],
      },
      { cpu: 3, memory: 64 * 2 ** 20 },
    ],
    [
      'pod overhead adds',
      [{ name: 'a', resources: { requests: { cpu: '1' } } }],
      { overhead: { cpu: '100m' } },
      { cpu: 1.1 },
    ],
    [
      'a malformed quantity is left out rather than guessed',
      [{ name: 'a', resources: { requests: { cpu: 'lots', memory: '1Gi' } } }],
      {},
      { memory: GiB },
    ],
  ])('%s', (_, containers, extra, expected) => {
    expect(podRequests({ spec: { containers, ...extra } })).toEqual(milli(expected));
  });
});

describe('workloadDemand', () => {
  it('multiplies one pod by the replicas and counts a pod per replica', () => {
    const demand = workloadDemand(deployment(3, [{ name: 'a', resources: { requests: { cpu: '2' } } }]));
    expect(demand).toEqual(milli({ pods: 3, cpu: 6 }));
  });
  it('takes one replica when replicas is unset, and none when scaled to zero', () => {
    expect(
      workloadDemand(deployment(undefined, [{ name: 'a', resources: { requests: { cpu: '2' } } }])),
    ).toEqual(milli({ pods: 1, cpu: 2 }));
    expect(workloadDemand(deployment(0, [{ name: 'a', resources: { requests: { cpu: '2' } } }]))).toEqual(
      milli({ pods: 0, cpu: 0 }),
    );
  });
});

describe('capacity', () => {
  const nodes: KubeObject[] = [
    { metadata: { name: 'n1' }, status: { allocatable: { cpu: '6', memory: '28Gi', pods: '110' } } },
    { metadata: { name: 'n2' }, status: { allocatable: { cpu: '2', memory: '4Gi' } } },
  ];

  it('sums the allocatable of the nodes', () => {
    expect(nodeAllocatable(nodes)).toEqual(milli({ cpu: 8, memory: 32 * GiB, pods: 110 }));
  });

  it('refuses exactly what would go beyond the allocatable, counting what is already used', () => {
    const allocatable = nodeAllocatable(nodes);
    expect(capacityShortfalls(allocatable, milli({ cpu: 4 }), milli({ cpu: 4, pods: 2 }))).toEqual([]);
    expect(capacityShortfalls(allocatable, milli({ cpu: 4.5 }), milli({ cpu: 4, memory: GiB }))).toEqual([
      { resource: 'cpu', requested: m(4), used: m(4.5), allocatable: m(8) },
    ]);
    expect(capacityShortfalls(allocatable, {}, milli({ pods: 111, memory: 40 * GiB }))).toEqual([
      { resource: 'memory', requested: m(40 * GiB), used: 0n, allocatable: m(32 * GiB) },
      { resource: 'pods', requested: m(111), used: 0n, allocatable: m(110) },
    ]);
  });

  it('does not account for what the member does not offer', () => {
    expect(capacityShortfalls(milli({ cpu: 1 }), {}, milli({ 'nvidia.com/gpu': 4, memory: GiB }))).toEqual(
      [],
    );
  });

  it('words the refusal like a ResourceQuota, in quantities a person reads', () => {
    const message = shortfallMessage('eu-1', [
      { resource: 'cpu', requested: m(200), used: m(1.5), allocatable: m(60) },
      { resource: 'memory', requested: m(300 * GiB), used: m(512 * 2 ** 20), allocatable: m(240 * GiB) },
    ]);
    expect(message).toBe(
      'exceeded capacity of member cluster eu-1: requested: cpu=200,memory=300Gi, used: cpu=1500m,memory=512Mi, allocatable: cpu=60,memory=240Gi',
    );
    expect(formatAmount('memory', m(1000))).toBe('1000');
  });
});

describe("the arithmetic a hostile tenant's quantities meet", () => {
  const cpu = (replicas: number, ...quantities: string[]) =>
    workloadDemand(
      deployment(
        replicas,
        quantities.map((q, i) => ({ name: `c${i}`, resources: { requests: { cpu: q } } })),
      ),
    );

  it('sums 1e999 and -1e999 to a finite number, never NaN', () => {
    const demand = cpu(1, '1e999', '-1e999');
    expect(typeof demand.cpu).toBe('bigint');
    expect(demand.cpu).toBeGreaterThan(0n);
  });
  it('takes zero replicas of 1e999 as nothing, not NaN', () => {
    expect(cpu(0, '1e999').cpu).toBe(0n);
  });
  it('never lets a negative request lower what is used', () => {
    expect(cpu(1, '-100', '1').cpu).toBe(m(1));
  });
  it('counts pods per replica, whatever a container requests as pods', () => {
    const demand = workloadDemand(
      deployment(100000, [{ name: 'a', resources: { requests: { pods: '0' } } }]),
    );
    expect(demand.pods).toBe(m(100000));
  });
  it('counts replicas kube would never store (1e300, 1.5, -1) as none', () => {
    for (const replicas of [1e300, 1.5, -1]) expect(cpu(replicas, '1').pods).toBe(0n);
  });
  it('keeps exact thousandths: three times 100m is 300m', () => {
    expect(cpu(3, '100m').cpu).toBe(300n);
  });
});

describe('admitting by capacity, whatever tenants send', () => {
  const quantity = fc.oneof(
    fc.constantFrom('1e999', '-1e999', '-100', '0', '1e-999', '1E18', '9Ei', 'NaN', 'Infinity', '.5'),
    fc.integer({ min: -5000, max: 5000 }).map((n) => `${n}m`),
    fc.double().map(String),
  );
  const workload = fc.record({
    replicas: fc.oneof(fc.integer({ min: -3, max: 200 }), fc.constantFrom(1e300, 0.5, Infinity, NaN)),
    cpus: fc.array(quantity, { minLength: 1, maxLength: 3 }),
    pods: fc.option(quantity, { nil: undefined }),
  });

  it("keeps every member's used within allocatable, as finite BigInts", () => {
    fc.assert(
      fc.property(fc.array(workload, { maxLength: 30 }), (workloads) => {
        const allocatable = nodeAllocatable([
          { metadata: { name: 'n' }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } },
        ]);
        const used: Record<string, bigint> = {};
        for (const w of workloads) {
          const containers = w.cpus.map((q, i) => ({
            name: `c${i}`,
            resources: { requests: { cpu: q, ...(w.pods === undefined ? {} : { pods: w.pods }) } },
          }));
          const demand = workloadDemand(deployment(w.replicas, containers));
          if (capacityShortfalls(allocatable, used, demand).length === 0) addAmounts(used, demand);
        }
        for (const [resource, value] of Object.entries(used)) {
          expect(typeof value).toBe('bigint');
          expect(value >= 0n).toBe(true);
          if (allocatable[resource] !== undefined) expect(value <= allocatable[resource]!).toBe(true);
        }
      }),
    );
  });
});
