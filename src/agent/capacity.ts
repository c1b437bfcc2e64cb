import { isStatusCode } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';

interface NodeList {
  items?: { status?: { allocatable?: Record<string, string> } }[];
}

const binarySuffixes: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};
const decimalSuffixes: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** A Kubernetes quantity as a number of base units (`500m` → 0.5, `1Gi` → 1073741824); NaN when malformed. */
export function parseQuantity(text: string): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(text.trim());
  if (!match) return NaN;
  const factor = binarySuffixes[match[2]!] ?? decimalSuffixes[match[2]!];
  return factor === undefined ? NaN : Number(match[1]) * factor;
}

/** Resources counted in bytes: their sums keep the binary unit the Nodes used (`240Gi`, not `257698037760`). */
const byteResources = /^(memory|ephemeral-storage|hugepages-.*)$/;

/** Sums back to a quantity: whole units when exact, else millis (cpu `1500m`); bytes in the largest exact unit. */
export function formatQuantity(value: number, resource = ''): string {
  if (byteResources.test(resource) && Number.isInteger(value) && value > 0) {
    for (const unit of ['Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
      const size = binarySuffixes[unit]!;
      if (value % size === 0) return `${value / size}${unit}`;
    }
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
