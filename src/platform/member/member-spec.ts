import { readFileSync } from 'node:fs';
import { MAX_MILLI_UNITS, parseQuantityMilli, QuantityParseError } from '../../placement/index.js';
import { isPlainObject } from '../api/object.js';
import { DEMO_CLUSTERS, demoClusterObject } from '../compute/demo-inventory.js';

// Which member clusters a member-mode server serves: the demo compute's eight (`--members demo`, so
// `kplane dev up --demo` runs the clusters its ManagedClusters describe), or a JSON file of them.

export interface MemberSpec {
  name: string;
  /** Labels its agent reports (region, zone, provider, …); topology labels of its Node come from them. */
  labels: Record<string, string>;
  /** The Node's capacity and allocatable: `cpu`, `memory`, `pods` as quantities. */
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
}

export class MemberSpecError extends Error {}

/** A kubelet's default pod limit. */
const DEFAULT_PODS = '110';
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function demoMembers(): MemberSpec[] {
  return DEMO_CLUSTERS.map((cluster) => ({
    name: cluster.name,
    labels: { ...demoClusterObject(cluster).metadata.labels },
    capacity: { cpu: String(cluster.cpu[0]), memory: `${cluster.memoryGi[0]}Gi`, pods: DEFAULT_PODS },
    allocatable: { cpu: String(cluster.cpu[1]), memory: `${cluster.memoryGi[1]}Gi`, pods: DEFAULT_PODS },
  }));
}

function quantities(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new MemberSpecError(`${where}: expected an object of quantities`);
  const out: Record<string, string> = {};
  for (const [resource, quantity] of Object.entries(value)) {
    const text = typeof quantity === 'number' ? String(quantity) : quantity;
    let milli: bigint;
    try {
      if (typeof text !== 'string') throw new QuantityParseError(String(text));
      milli = parseQuantityMilli(text);
    } catch (err) {
      if (!(err instanceof QuantityParseError)) throw err;
      throw new MemberSpecError(`${where}.${resource}: ${err.message}`);
    }
    // The member's Node carries these, and its validation (as kube's) refuses them negative or unbounded.
    if (milli < 0n || milli >= MAX_MILLI_UNITS)
      throw new MemberSpecError(
        `${where}.${resource}: ${JSON.stringify(text)} must be a quantity of at least 0 and below ${MAX_MILLI_UNITS}m`,
      );
    out[resource] = text;
  }
  return out;
}

/** `[{"name": "eu-1", "labels": {...}, "capacity": {"cpu": "8", "memory": "32Gi"}, "allocatable": {...}}]` */
export function parseMemberSpecs(text: string): MemberSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new MemberSpecError(`not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0)
    throw new MemberSpecError('expected a non-empty JSON array of members');
  const seen = new Set<string>();
  return parsed.map((entry, i) => {
    const where = `member ${i}`;
    if (!isPlainObject(entry) || typeof entry.name !== 'string' || !NAME.test(entry.name))
      throw new MemberSpecError(`${where}: "name" must be a DNS label (lowercase letters, digits, "-")`);
    if (seen.has(entry.name)) throw new MemberSpecError(`${where}: "${entry.name}" appears twice`);
    seen.add(entry.name);
    const labels = isPlainObject(entry.labels) ? entry.labels : {};
    if (Object.values(labels).some((v) => typeof v !== 'string'))
      throw new MemberSpecError(`${where}: label values must be strings`);
    const capacity = { pods: DEFAULT_PODS, ...quantities(entry.capacity, `${where}.capacity`) };
    const allocatable =
      entry.allocatable === undefined
        ? capacity
        : { pods: DEFAULT_PODS, ...quantities(entry.allocatable, `${where}.allocatable`) };
    return { name: entry.name, labels: labels as Record<string, string>, capacity, allocatable };
  });
}

/** `--members demo` or `--members FILE`. */
export function loadMemberSpecs(argument: string): MemberSpec[] {
  if (argument === 'demo') return demoMembers();
  let text: string;
  try {
    text = readFileSync(argument, 'utf8');
  } catch (err) {
    throw new MemberSpecError(`cannot read ${argument}: ${(err as Error).message}`);
  }
  return parseMemberSpecs(text);
}
