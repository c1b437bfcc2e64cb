#!/usr/bin/env node
// Times what a dev member's capacity admission computes on every workload write: the demand of each
// simulated workload already on the member (exact BigInt thousandths since the NaN/Infinity fix), summed,
// then compared with the Nodes' allocatable. Workloads have 3 containers with cpu and memory requests and
// limits. Needs `npm run build` first. Prints the median in microseconds per admission for each member size.
import { performance } from 'node:perf_hooks';

const { addAmounts, capacityShortfalls, nodeAllocatable, workloadDemand } =
  await import('../dist/platform/member/workload-demand.js');

const iterations = Number(process.env.BENCH_ITERATIONS ?? 200);
const container = (i) => ({
  name: `c${i}`,
  image: 'nginx:1.27',
  resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
});
const deployment = (n) => ({
  metadata: { name: `w${n}` },
  spec: { replicas: 3, template: { spec: { containers: [0, 1, 2].map(container) } } },
});
const nodes = [
  { metadata: { name: 'n' }, status: { allocatable: { cpu: '64', memory: '256Gi', pods: '110' } } },
];

for (const size of [10, 100, 1000]) {
  const stored = Array.from({ length: size }, (_, n) => deployment(n));
  const incoming = deployment(size);
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    const used = {};
    for (const object of stored) addAmounts(used, workloadDemand(object));
    capacityShortfalls(nodeAllocatable(nodes), used, workloadDemand(incoming));
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)] * 1000;
  console.log(
    `member-capacity admission with ${size} workloads on the member: ${median.toFixed(0)} µs median`,
  );
}
