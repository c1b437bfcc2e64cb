// What the scheduler needs to know about one cluster, read once from the ManagedCluster object.
import { tryParseQuantity } from './quantity.js';
import { compareNames } from './ranking.js';
import { type EffectiveTaint, effectiveTaints } from './taints.js';
import type { Labels, ManagedCluster } from './types.js';

export interface ClusterFacts {
  readonly name: string;
  readonly labels: Labels;
  readonly claims: Labels;
  readonly taints: readonly EffectiveTaint[];
  /**
   * Allocatable cores and bytes, as OCM's resource prioritizer reads them: only when the cluster reports both
   * allocatable and capacity for the resource (otherwise it gets no resource score).
   */
  readonly allocatableCpu: number | undefined;
  readonly allocatableMemory: number | undefined;
}

const NO_CLAIMS: Labels = Object.freeze({});

// OCM's resource prioritizer reads allocatable only when the cluster also reports a capacity for it.
function allocatable(cluster: ManagedCluster, resource: 'cpu' | 'memory'): number | undefined {
  const status = cluster.status;
  if (status?.capacity?.[resource] === undefined) return undefined;
  return tryParseQuantity(status.allocatable?.[resource]);
}

/** Claims and quantities are read on first use: only the clusters that pass a placement's filters are scored. */
class Facts implements ClusterFacts {
  readonly name: string;
  readonly labels: Labels;
  readonly taints: readonly EffectiveTaint[];
  #claims: Labels | null = null;
  #cpu: number | undefined | null = null;
  #memory: number | undefined | null = null;

  constructor(private readonly cluster: ManagedCluster) {
    this.name = cluster.metadata.name;
    this.labels = cluster.metadata.labels ?? NO_CLAIMS;
    this.taints = effectiveTaints(cluster);
  }

  /** Claims by name, read on first use: most placements never look at them. */
  get claims(): Labels {
    if (this.#claims === null) {
      const reported = this.cluster.status?.clusterClaims ?? [];
      let claims = NO_CLAIMS;
      if (reported.length > 0) {
        const byName: Record<string, string> = {};
        for (const c of reported) byName[c.name] = c.value;
        claims = byName;
      }
      this.#claims = claims;
    }
    return this.#claims;
  }

  get allocatableCpu(): number | undefined {
    if (this.#cpu === null) this.#cpu = allocatable(this.cluster, 'cpu');
    return this.#cpu;
  }

  get allocatableMemory(): number | undefined {
    if (this.#memory === null) this.#memory = allocatable(this.cluster, 'memory');
    return this.#memory;
  }
}

export function clusterFacts(cluster: ManagedCluster): ClusterFacts {
  return new Facts(cluster);
}

const clusterName = (c: ManagedCluster): string => c.metadata.name;
const byName = (a: ClusterFacts, b: ClusterFacts): number => compareNames(a.name, b.name);

/** Each cluster's value for one label or claim key as a small number: 0 when absent, 1..distinct otherwise. */
export interface KeyValueIds {
  ids: Int32Array;
  distinct: number;
}

/** Clusters with equal values for some keys share a group number (0..count-1). */
export interface KeyGroups {
  ids: Int32Array;
  count: number;
}

export type KeyRef = readonly ['labels' | 'claims', string];

/**
 * Clusters read once and sorted by name, for deciding many placements over the same clusters (the server's
 * controller after a change): schedulePlacement accepts it in place of the array and skips that work.
 * Immutable: a change gives a new index that shares the untouched clusters' facts.
 */
export class ClusterIndex {
  private readonly valueIdMemo = new Map<string, KeyValueIds>();
  private readonly groupMemo = new Map<string, KeyGroups>();
  private readonly allocatableMemo = new Map<'cpu' | 'memory', Float64Array>();
  /** 1 where the cluster has a taint (its own or one its availability implies): most have none. */
  readonly tainted: Uint8Array;

  private constructor(readonly facts: readonly ClusterFacts[]) {
    this.tainted = Uint8Array.from(facts, (f) => (f.taints.length > 0 ? 1 : 0));
  }

  static of(clusters: readonly ManagedCluster[]): ClusterIndex {
    // Lists from storage usually come sorted by name already; checking is much cheaper than sorting. Sorting
    // before reading also lays the facts out in memory in the order every pass walks them.
    const names = clusters.map(clusterName);
    let sorted = clusters;
    for (let i = 1; i < names.length; i++) {
      if ((names[i - 1] as string) > (names[i] as string)) {
        const order = Array.from(names.keys()).sort((a, b) => {
          const x = names[a] as string;
          const y = names[b] as string;
          return x < y ? -1 : x > y ? 1 : a - b;
        });
        sorted = order.map((i) => clusters[i] as ManagedCluster);
        break;
      }
    }
    return new ClusterIndex(sorted.map(clusterFacts));
  }

  /** Without the named cluster (it was deleted). */
  without(clusterName: string): ClusterIndex {
    return new ClusterIndex(this.facts.filter((f) => f.name !== clusterName));
  }

  /**
   * Numbers standing for each cluster's value of `key`, worked out once per key and index: filters compare
   * these instead of strings, and clusters with the same numbers for a selector's keys get the same verdict.
   */
  valueIds(source: 'labels' | 'claims', key: string): KeyValueIds {
    const memoKey = `${source}\u0000${key}`;
    let found = this.valueIdMemo.get(memoKey);
    if (found === undefined) {
      const ids = new Int32Array(this.facts.length);
      const seen = new Map<string, number>();
      this.facts.forEach((f, i) => {
        const values = f[source];
        if (!Object.hasOwn(values, key)) return;
        const value = values[key] as string;
        let id = seen.get(value);
        if (id === undefined) {
          id = seen.size + 1;
          seen.set(value, id);
        }
        ids[i] = id;
      });
      found = { ids, distinct: seen.size };
      this.valueIdMemo.set(memoKey, found);
    }
    return found;
  }

  /** The allocatable cores or bytes of the cluster at `position`, parsed on first use and kept. */
  allocatableAt(resource: 'cpu' | 'memory', position: number): number | undefined {
    let values = this.allocatableMemo.get(resource);
    if (values === undefined) {
      // NaN: not read yet; Infinity: read, and the cluster gives none.
      values = new Float64Array(this.facts.length).fill(Number.NaN);
      this.allocatableMemo.set(resource, values);
    }
    let value = values[position] as number;
    if (Number.isNaN(value)) {
      const f = this.facts[position] as ClusterFacts;
      value = (resource === 'cpu' ? f.allocatableCpu : f.allocatableMemory) ?? Number.POSITIVE_INFINITY;
      values[position] = value;
    }
    return value === Number.POSITIVE_INFINITY ? undefined : value;
  }

  /**
   * Groups the clusters by their values of `keys`, once per index and list of keys: selectors only read those
   * keys, so every cluster in a group gets the same verdict, and many placements name the same keys.
   */
  groupsOf(keys: readonly KeyRef[]): KeyGroups {
    const memoKey = keys.map(([source, key]) => `${source}\u0000${key}`).join('\u0001');
    let found = this.groupMemo.get(memoKey);
    if (found === undefined) {
      const columns = keys.map(([source, key]) => this.valueIds(source, key));
      const ids = new Int32Array(this.facts.length);
      // Each cluster's combination of value numbers as one number (mixed radix), or as text if that could
      // lose precision; then numbered densely in order of first appearance.
      const radixFits =
        columns.reduce((product, c) => product * (c.distinct + 1), 1) <= Number.MAX_SAFE_INTEGER;
      const dense = new Map<number | string, number>();
      for (let i = 0; i < ids.length; i++) {
        let combination: number | string = radixFits ? 0 : '';
        for (const column of columns) {
          const id = column.ids[i] as number;
          combination =
            typeof combination === 'number'
              ? combination * (column.distinct + 1) + id
              : `${combination}${id},`;
        }
        let id = dense.get(combination);
        if (id === undefined) {
          id = dense.size;
          dense.set(combination, id);
        }
        ids[i] = id;
      }
      found = { ids, count: dense.size };
      this.groupMemo.set(memoKey, found);
    }
    return found;
  }

  /** With this cluster added, or replacing the one of the same name (it was created or changed). */
  with(cluster: ManagedCluster): ClusterIndex {
    const facts = clusterFacts(cluster);
    return new ClusterIndex([...this.facts.filter((f) => f.name !== facts.name), facts].sort(byName));
  }
}

export function indexClusters(clusters: readonly ManagedCluster[] | ClusterIndex): ClusterIndex {
  return clusters instanceof ClusterIndex ? clusters : ClusterIndex.of(clusters);
}
