import {
  ClusterIndex,
  PLACEMENT_LABEL,
  type ManagedCluster,
  type ManagedClusterSet,
  type Placement,
  type PlacementSpec,
  type PlacementState,
} from '../../placement/index.js';
import { getField, isPlainObject, type KubeObject } from '../api/object.js';
import { clusterSetOf } from '../compute/binding-status.js';
import type { ObjectKey } from '../storage/object-key.js';

// What the scheduler knows between decisions, kept in memory and updated from committed changes:
// the compute of root:compute, the bindings, placements and decisions of every workspace, and how
// many decisions name each cluster (for Balance). Nothing here writes; it only answers questions.

export interface PlacementEntry {
  key: string;
  cluster: string;
  namespace: string;
  name: string;
  object: KubeObject;
  placement: Placement;
}

interface DecisionRecord {
  owner: string;
  clusters: string[];
}

export function placementKey(cluster: string, namespace: string, name: string): string {
  return JSON.stringify([cluster, namespace, name]);
}

const namespaceKey = (cluster: string, namespace: string) => JSON.stringify([cluster, namespace]);
const objectKey = (key: ObjectKey) => JSON.stringify([key.cluster, key.namespace, key.name]);

export function asPlacement(object: KubeObject): Placement {
  const metadata = { name: object.metadata.name ?? '', namespace: object.metadata.namespace ?? '' };
  const uid = object.metadata.uid;
  const spec = isPlainObject(object.spec) ? (object.spec as PlacementSpec) : {};
  return { metadata: uid === undefined ? metadata : { ...metadata, uid }, spec };
}

function decidedClusters(object: KubeObject): string[] {
  const decisions = getField(object, 'status.decisions');
  if (!Array.isArray(decisions)) return [];
  return decisions
    .map((d) => (isPlainObject(d) && typeof d.clusterName === 'string' ? d.clusterName : ''))
    .filter((name) => name !== '');
}

export class PlacementWorld {
  readonly clusters = new Map<string, ManagedCluster>();
  readonly sets = new Map<string, ManagedClusterSet>();
  readonly placements = new Map<string, PlacementEntry>();
  /** Per namespace of a workspace: binding name → the set it binds. */
  private readonly bindings = new Map<string, Map<string, string>>();
  private readonly decisions = new Map<string, DecisionRecord>();
  private readonly decisionsByOwner = new Map<string, Map<string, string[]>>();
  /** How many decisions, of all placements, name each cluster. */
  private readonly counts = new Map<string, number>();
  private states: { keys: string[]; states: PlacementState[] } | undefined;
  private index: ClusterIndex | undefined;

  setCluster(name: string, object: KubeObject | undefined): void {
    if (object) this.clusters.set(name, object as unknown as ManagedCluster);
    else this.clusters.delete(name);
    this.index = undefined;
  }

  /** The clusters as the algorithm reads them, read once for every placement decided until one changes. */
  clusterIndex(): ClusterIndex {
    return (this.index ??= ClusterIndex.of([...this.clusters.values()]));
  }

  setClusterSet(name: string, object: KubeObject | undefined): void {
    if (object) this.sets.set(name, object as unknown as ManagedClusterSet);
    else this.sets.delete(name);
  }

  /** Records a binding (undefined: it is gone); returns whether the set it binds changed. */
  setBinding(key: ObjectKey, object: KubeObject | undefined): boolean {
    const namespace = namespaceKey(key.cluster, key.namespace);
    const bound = this.bindings.get(namespace) ?? new Map<string, string>();
    const before = bound.get(key.name);
    const set = object && clusterSetOf(object);
    if (set) bound.set(key.name, set);
    else bound.delete(key.name);
    if (bound.size > 0) this.bindings.set(namespace, bound);
    else this.bindings.delete(namespace);
    const changed = before !== bound.get(key.name);
    if (changed) this.states = undefined;
    return changed;
  }

  /** Names of the sets bound in a namespace of a workspace, sorted. */
  boundSets(cluster: string, namespace: string): string[] {
    return [...new Set(this.bindings.get(namespaceKey(cluster, namespace))?.values() ?? [])].sort();
  }

  /** Every binding, as [cluster, namespace, name, set]. */
  *allBindings(): Generator<[string, string, string, string]> {
    for (const [namespace, bound] of this.bindings) {
      const [cluster, ns] = JSON.parse(namespace) as [string, string];
      for (const [name, set] of bound) yield [cluster, ns, name, set];
    }
  }

  /**
   * Records a placement (undefined: deleted). Returns whether it needs deciding: it is new, or what
   * the scheduler reads (spec, annotations) changed; a status-only write does not count.
   */
  setPlacement(key: ObjectKey, object: KubeObject | undefined): boolean {
    const id = placementKey(key.cluster, key.namespace, key.name);
    const before = this.placements.get(id);
    this.states = undefined;
    if (!object) {
      this.placements.delete(id);
      return false;
    }
    this.placements.set(id, {
      key: id,
      cluster: key.cluster,
      namespace: key.namespace,
      name: key.name,
      object,
      placement: asPlacement(object),
    });
    if (!before) return true;
    return (
      JSON.stringify(before.object.spec) !== JSON.stringify(object.spec) ||
      JSON.stringify(before.object.metadata.annotations ?? {}) !==
        JSON.stringify(object.metadata.annotations ?? {}) ||
      before.object.metadata.uid !== object.metadata.uid
    );
  }

  /** Records a PlacementDecision (undefined: deleted); returns the key of the placement it belongs to. */
  setDecision(key: ObjectKey, object: KubeObject | undefined): string | undefined {
    const id = objectKey(key);
    const old = this.decisions.get(id);
    if (old) {
      this.adjustCounts(old.clusters, -1);
      this.decisionsByOwner.get(old.owner)?.delete(key.name);
      if (this.decisionsByOwner.get(old.owner)?.size === 0) this.decisionsByOwner.delete(old.owner);
      this.decisions.delete(id);
    }
    const placement = object?.metadata.labels?.[PLACEMENT_LABEL];
    let owner: string | undefined;
    if (object && placement) {
      owner = placementKey(key.cluster, key.namespace, placement);
      const clusters = decidedClusters(object);
      this.decisions.set(id, { owner, clusters });
      this.adjustCounts(clusters, 1);
      const byName = this.decisionsByOwner.get(owner) ?? new Map<string, string[]>();
      byName.set(key.name, clusters);
      this.decisionsByOwner.set(owner, byName);
    }
    this.states = undefined;
    return owner ?? old?.owner;
  }

  /** The clusters a placement's PlacementDecisions name now, sorted, without repeats. */
  previousDecisions(placement: string): string[] {
    const names = new Set<string>();
    for (const clusters of this.decisionsByOwner.get(placement)?.values() ?? [])
      for (const name of clusters) names.add(name);
    return [...names].sort();
  }

  /** Names of the PlacementDecisions that belong to a placement (labelled for it). */
  decisionNames(placement: string): string[] {
    return [...(this.decisionsByOwner.get(placement)?.keys() ?? [])];
  }

  /** For Balance: decisions per cluster across every placement but this one. */
  decisionCountsWithout(placement: string): Record<string, number> {
    const counts = Object.create(null) as Record<string, number>;
    for (const [cluster, count] of this.counts) counts[cluster] = count;
    for (const clusters of this.decisionsByOwner.get(placement)?.values() ?? [])
      for (const name of clusters) counts[name] = (counts[name] ?? 0) - 1;
    return counts;
  }

  /** Every placement as placementsToReschedule wants it, with the keys in the same order. */
  placementStates(): { keys: string[]; states: PlacementState[] } {
    if (this.states) return this.states;
    const keys: string[] = [];
    const states: PlacementState[] = [];
    for (const entry of this.placements.values()) {
      keys.push(entry.key);
      states.push({
        placement: entry.placement,
        bindings: this.boundSets(entry.cluster, entry.namespace),
        previousDecisions: this.previousDecisions(entry.key),
      });
    }
    this.states = { keys, states };
    return this.states;
  }

  placementsInNamespace(cluster: string, namespace: string): string[] {
    return [...this.placements.values()]
      .filter((p) => p.cluster === cluster && p.namespace === namespace)
      .map((p) => p.key);
  }

  private adjustCounts(clusters: readonly string[], by: number): void {
    for (const name of clusters) {
      const next = (this.counts.get(name) ?? 0) + by;
      if (next > 0) this.counts.set(name, next);
      else this.counts.delete(name);
    }
  }
}
