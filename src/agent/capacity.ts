import { isStatusCode } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';
import { tryParseQuantity } from '../placement/quantity.js';

interface NodeList {
  items?: { status?: { allocatable?: Record<string, string> } }[];
}

/** The binary units a byte sum is written back in, largest first. */
const BINARY_UNITS: readonly [string, number][] = [
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/**
 * A Kubernetes quantity as a number of base units (`500m` → 0.5, `1Gi` → 1073741824), read by the scheduler's
 * own parser; NaN when malformed or negative, which no Node reports as allocatable.
 */
export function parseQuantity(text: string): number {
  const value = tryParseQuantity(text.trim());
  return value === undefined || value < 0 ? NaN : value;
}

/** Resources counted in bytes: their sums keep the binary unit the Nodes used (`240Gi`, not `257698037760`). */
const byteResources = /^(memory|ephemeral-storage|hugepages-.*)$/;

/** Sums back to a quantity: whole units when exact, else millis (cpu `1500m`); bytes in the largest exact unit. */
export function formatQuantity(value: number, resource = ''): string {
  if (byteResources.test(resource) && Number.isInteger(value) && value > 0) {
    for (const [unit, size] of BINARY_UNITS) if (value % size === 0) return `${value / size}${unit}`;
  }
  return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
}

/**
 * The member's allocatable capacity: the sum over its Nodes where it has any (a real cluster); otherwise what
 * the flags say (a member with no Nodes, such as a kplane workspace); otherwise nothing, and placement by
 * capacity then passes this cluster over.
 */
export async function memberCapacity(
  member: RestClient,
  flags: Record<string, string>,
): Promise<Record<string, string> | undefined> {
  let nodes: NodeList = {};
  try {
    nodes = await member.get<NodeList>('/api/v1/nodes');
  } catch (error) {
    if (!isStatusCode(error, 404) && !isStatusCode(error, 403)) throw error;
  }
  const items = nodes.items ?? [];
  if (items.length === 0) return Object.keys(flags).length > 0 ? flags : undefined;
  const totals = new Map<string, number>();
  for (const node of items) {
    for (const [resource, quantity] of Object.entries(node.status?.allocatable ?? {})) {
      const value = parseQuantity(quantity);
      if (!Number.isNaN(value)) totals.set(resource, (totals.get(resource) ?? 0) + value);
    }
  }
  return Object.fromEntries(
    [...totals].map(([resource, value]) => [resource, formatQuantity(value, resource)]),
  );
}
