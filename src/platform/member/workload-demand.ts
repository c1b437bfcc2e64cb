import { tryParseQuantity } from '../../placement/index.js';
import { isPlainObject, type KubeObject } from '../api/object.js';

// The arithmetic a dev member uses to refuse what it could not run: what a workload asks for (replicas times the
// requests of one pod) against what the member's Nodes offer minus what is already there, in the numbers
// Kubernetes uses (cpu in cores, memory in bytes, pods as a count).

/** Amounts by resource name (`cpu`, `memory`, `pods`), as plain numbers. */
export type ResourceAmounts = Record<string, number>;

/** The resources a dev member accounts for; others (GPUs, ephemeral storage) pass unchecked. */
export const ACCOUNTED_RESOURCES = ['cpu', 'memory', 'pods'] as const;

function amountsOf(resources: unknown): ResourceAmounts {
  const amounts: ResourceAmounts = {};
  if (!isPlainObject(resources)) return amounts;
  for (const [name, value] of Object.entries(resources)) {
    const parsed = tryParseQuantity(typeof value === 'number' ? String(value) : (value as string));
    if (parsed !== undefined) amounts[name] = parsed;
  }
  return amounts;
}

/** A container's requests; a limit stands in for a missing request, as the apiserver defaults it. */
function containerRequests(container: unknown): ResourceAmounts {
  if (!isPlainObject(container) || !isPlainObject(container.resources)) return {};
  return { ...amountsOf(container.resources.limits), ...amountsOf(container.resources.requests) };
}

function containersOf(podSpec: Record<string, unknown>, field: string): unknown[] {
  const list = podSpec[field];
  return Array.isArray(list) ? list : [];
}

/**
 * What one pod of the template asks the scheduler for: the sum over its containers, or the largest init
 * container's request where that is larger (init containers run one at a time, before the others), plus the
 * pod overhead, as kube-scheduler's resource fit computes it.
 */
export function podRequests(template: unknown): ResourceAmounts {
  const podSpec = isPlainObject(template) && isPlainObject(template.spec) ? template.spec : {};
  const total: ResourceAmounts = {};
  for (const container of containersOf(podSpec, 'containers')) {
    for (const [name, value] of Object.entries(containerRequests(container)))
      total[name] = (total[name] ?? 0) + value;
  }
  for (const container of containersOf(podSpec, 'initContainers')) {
    for (const [name, value] of Object.entries(containerRequests(container)))
      total[name] = Math.max(total[name] ?? 0, value);
  }
  for (const [name, value] of Object.entries(amountsOf(podSpec.overhead)))
    total[name] = (total[name] ?? 0) + value;
  return total;
}

/** Replicas times one pod's requests, and one `pods` per replica; a workload's replicas default to 1. */
export function workloadDemand(workload: KubeObject): ResourceAmounts {
  const spec = isPlainObject(workload.spec) ? workload.spec : {};
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const demand: ResourceAmounts = { pods: replicas };
  for (const [name, value] of Object.entries(podRequests(spec.template))) demand[name] = value * replicas;
  return demand;
}

export function addAmounts(into: ResourceAmounts, more: ResourceAmounts): ResourceAmounts {
  for (const [name, value] of Object.entries(more)) into[name] = (into[name] ?? 0) + value;
  return into;
}

/** Sums the allocatable of Nodes (`status.allocatable`). */
export function nodeAllocatable(nodes: KubeObject[]): ResourceAmounts {
  const total: ResourceAmounts = {};
  for (const node of nodes) {
    const status = isPlainObject(node.status) ? node.status : {};
    addAmounts(total, amountsOf(status.allocatable));
  }
  return total;
}

export interface Shortfall {
  resource: string;
  requested: number;
  used: number;
  allocatable: number;
}

/** Every accounted resource the request would take beyond what is allocatable; empty when it fits. */
export function capacityShortfalls(
  allocatable: ResourceAmounts,
  used: ResourceAmounts,
  requested: ResourceAmounts,
): Shortfall[] {
  const shortfalls: Shortfall[] = [];
  for (const resource of ACCOUNTED_RESOURCES) {
    const asked = requested[resource] ?? 0;
    const offered = allocatable[resource];
    if (asked <= 0 || offered === undefined) continue;
    const inUse = used[resource] ?? 0;
    if (inUse + asked > offered)
      shortfalls.push({ resource, requested: asked, used: inUse, allocatable: offered });
  }
  return shortfalls;
}

const BINARY_UNITS: [string, number][] = [
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/** A number back as a quantity a person reads: cpu `2` or `1500m`, memory in the largest exact binary unit. */
export function formatAmount(resource: string, value: number): string {
  if (resource === 'memory') {
    for (const [unit, size] of BINARY_UNITS)
      if (value >= size && value % size === 0) return `${value / size}${unit}`;
    return String(Math.round(value));
  }
  if (Number.isInteger(value)) return String(value);
  return `${Math.round(value * 1000)}m`;
}

/**
 * The refusal in the words of a ResourceQuota's (`exceeded quota: q, requested: requests.cpu=2, used: …,
 * limited: …`), naming the member so a user reading a ManifestWork's condition knows which cluster said no.
 */
export function shortfallMessage(member: string, shortfalls: Shortfall[]): string {
  const list = (field: keyof Omit<Shortfall, 'resource'>) =>
    shortfalls.map((s) => `${s.resource}=${formatAmount(s.resource, s[field])}`).join(',');
  return (
    `exceeded capacity of member cluster ${member}: requested: ${list('requested')}, ` +
    `used: ${list('used')}, allocatable: ${list('allocatable')}`
  );
}
