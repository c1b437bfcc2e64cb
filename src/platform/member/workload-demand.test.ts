import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import {
  capacityShortfalls,
  formatAmount,
  nodeAllocatable,
  podRequests,
  shortfallMessage,
  workloadDemand,
} from './workload-demand.js';

const GiB = 2 ** 30;

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
    expect(podRequests({ spec: { containers, ...extra } })).toEqual(expected);
  });
});

describe('workloadDemand', () => {
  it('multiplies one pod by the replicas and counts a pod per replica', () => {
    const demand = workloadDemand(deployment(3, [{ name: 'a', resources: { requests: { cpu: '2' } } }]));
    expect(demand).toEqual({ pods: 3, cpu: 6 });
  });
  it('takes one replica when replicas is unset, and none when scaled to zero', () => {
    expect(
      workloadDemand(deployment(undefined, [{ name: 'a', resources: { requests: { cpu: '2' } } }])),
    ).toEqual({
      pods: 1,
      cpu: 2,
    });
    expect(workloadDemand(deployment(0, [{ name: 'a', resources: { requests: { cpu: '2' } } }]))).toEqual({
      pods: 0,
      cpu: 0,
    });
  });
});

describe('capacity', () => {
  const nodes: KubeObject[] = [
    { metadata: { name: 'n1' }, status: { allocatable: { cpu: '6', memory: '28Gi', pods: '110' } } },
    { metadata: { name: 'n2' }, status: { allocatable: { cpu: '2', memory: '4Gi' } } },
  ];

  it('sums the allocatable of the nodes', () => {
    expect(nodeAllocatable(nodes)).toEqual({ cpu: 8, memory: 32 * GiB, pods: 110 });
  });

  it('refuses exactly what would go beyond the allocatable, counting what is already used', () => {
    const allocatable = nodeAllocatable(nodes);
    expect(capacityShortfalls(allocatable, { cpu: 4 }, { cpu: 4, pods: 2 })).toEqual([]);
    expect(capacityShortfalls(allocatable, { cpu: 4.5 }, { cpu: 4, memory: GiB })).toEqual([
      { resource: 'cpu', requested: 4, used: 4.5, allocatable: 8 },
    ]);
    expect(capacityShortfalls(allocatable, {}, { pods: 111, memory: 40 * GiB })).toEqual([
      { resource: 'memory', requested: 40 * GiB, used: 0, allocatable: 32 * GiB },
      { resource: 'pods', requested: 111, used: 0, allocatable: 110 },
    ]);
  });

  it('does not account for what the member does not offer', () => {
    expect(capacityShortfalls({ cpu: 1 }, {}, { 'nvidia.com/gpu': 4, memory: GiB })).toEqual([]);
  });

  it('words the refusal like a ResourceQuota, in quantities a person reads', () => {
    const message = shortfallMessage('eu-1', [
      { resource: 'cpu', requested: 200, used: 1.5, allocatable: 60 },
      { resource: 'memory', requested: 300 * GiB, used: 512 * 2 ** 20, allocatable: 240 * GiB },
    ]);
    expect(message).toBe(
      'exceeded capacity of member cluster eu-1: requested: cpu=200,memory=300Gi, used: cpu=1500m,memory=512Mi, allocatable: cpu=60,memory=240Gi',
    );
    expect(formatAmount('memory', 1000)).toBe('1000');
  });
});
