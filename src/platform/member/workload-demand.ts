import { parseQuantityMilli } from '../../placement/index.js';
import { isPlainObject, type KubeObject } from '../api/object.js';

// The arithmetic a dev member uses to refuse what it could not run: what a workload asks for (replicas times the
// requests of one pod) against what the member's Nodes offer minus what is already there. Every amount is an
// exact, non-negative BigInt in thousandths (millicores, milli-bytes, milli-pods), as the scheduler counts
// millicores: float sums let one tenant's `1e999` and `-1e999` turn a member's "used" into NaN or Infinity.

/** Amounts by resource name (`cpu`, `memory`, `pods`), in thousandths of the unit, never negative. */
export type ResourceAmounts = Record<string, bigint>;

/** The resources a dev member accounts for; others (GPUs, ephemeral storage) pass unchecked. */
export const ACCOUNTED_RESOURCES = ['cpu', 'memory', 'pods'] as const;

const MILLI = 1000n;
const MAX_REPLICAS = 2 ** 31 - 1;

// Every admission re-reads the quantities of every workload on the member, and they repeat (`250m`, `1Gi`):
// a bounded cache of parsed text keeps exact arithmetic about as cheap as the floats were.
const parsedCache = new Map<string, bigint | undefined>();
const PARSED_CACHE_LIMIT = 4096;

function parsedMilli(text: string): bigint | undefined {
  if (parsedCache.has(text)) return parsedCache.get(text);
  let milli: bigint | undefined;
  try {
    milli = parseQuantityMilli(text);
  } catch {
    milli = undefined;
  }
  if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.clear();
  parsedCache.set(text, milli);
  return milli;
}

/** A quantity in thousandths; malformed is left out and negative counts as nothing (validation refuses both). */
function milliOf(value: unknown): bigint | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const milli = parsedMilli(String(value));
  return milli !== undefined && milli < 0n ? 0n : milli;
}

function amountsOf(resources: unknown): ResourceAmounts {
  const amounts: ResourceAmounts = {};
  if (!isPlainObject(resources)) return amounts;
  for (const [name, value] of Object.entries(resources)) {
    const parsed = milliOf(value);
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

const larger = (a: bigint, b: bigint) => (a > b ? a : b);

/**
 * What one pod of the template asks the scheduler for: the sum over its containers, or the largest init
 * container's request where that is larger (init containers run one at a time, before the others), plus the
 * pod overhead, as kube-scheduler's resource fit computes it. `pods` is not a container's to ask: a pod is one.
 */
export function podRequests(template: unknown): ResourceAmounts {
  const podSpec = isPlainObject(template) && isPlainObject(template.spec) ? template.spec : {};
  const total: ResourceAmounts = {};
  for (const container of containersOf(podSpec, 'containers'))
    addAmounts(total, containerRequests(container));
  for (const container of containersOf(podSpec, 'initContainers')) {
    for (const [name, value] of Object.entries(containerRequests(container)))
      total[name] = larger(total[name] ?? 0n, value);
  }
  addAmounts(total, amountsOf(podSpec.overhead));
  delete total.pods;
  return total;
}

/** The replica count as kube stores it: an int32 ≥ 0, 1 when unset; anything else (never admitted) counts 0. */
function replicasOf(spec: Record<string, unknown>): bigint {
  const replicas = spec.replicas ?? 1;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0 || replicas > MAX_REPLICAS)
    return 0n;
  return BigInt(replicas);
}

/** Replicas times one pod's requests, and one `pods` per replica. */
export function workloadDemand(workload: KubeObject): ResourceAmounts {
  const spec = isPlainObject(workload.spec) ? workload.spec : {};
  const replicas = replicasOf(spec);
  const demand: ResourceAmounts = { pods: replicas * MILLI };
  for (const [name, value] of Object.entries(podRequests(spec.template))) demand[name] = value * replicas;
  return demand;
}

export function addAmounts(into: ResourceAmounts, more: ResourceAmounts): ResourceAmounts {
  for (const [name, value] of Object.entries(more)) into[name] = (into[name] ?? 0n) + value;
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
  requested: bigint;
  used: bigint;
  allocatable: bigint;
}

/** Every accounted resource the request would take beyond what is allocatable; empty when it fits. */
export function capacityShortfalls(
  allocatable: ResourceAmounts,
  used: ResourceAmounts,
  requested: ResourceAmounts,
): Shortfall[] {
  const shortfalls: Shortfall[] = [];
  for (const resource of ACCOUNTED_RESOURCES) {
    const asked = requested[resource] ?? 0n;
    const offered = allocatable[resource];
    if (asked <= 0n || offered === undefined) continue;
    const inUse = used[resource] ?? 0n;
    if (inUse + asked > offered)
      shortfalls.push({ resource, requested: asked, used: inUse, allocatable: offered });
  }
  return shortfalls;
}

const BINARY_UNITS: [string, bigint][] = [
  ['Ti', 2n ** 40n],
  ['Gi', 2n ** 30n],
  ['Mi', 2n ** 20n],
  ['Ki', 2n ** 10n],
];

/** Thousandths back as a quantity a person reads: cpu `2` or `1500m`, memory in the largest exact binary unit. */
export function formatAmount(resource: string, milli: bigint): string {
  if (resource === 'memory') {
    const bytes = (milli + MILLI - 1n) / MILLI;
    for (const [unit, size] of BINARY_UNITS)
      if (bytes >= size && bytes % size === 0n) return `${bytes / size}${unit}`;
    return String(bytes);
  }
  if (milli % MILLI === 0n) return String(milli / MILLI);
  return `${milli}m`;
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
