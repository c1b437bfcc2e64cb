// The score stage, as OCM's scheduler computes it (pkg/placement/controllers/scheduling/schedule.go getWeights,
// plugins/balance, plugins/steady, plugins/resource): each prioritizer scores a cluster in [-100, 100], the
// total is Σ weight × score, integers throughout.
import type { ClusterFacts } from './cluster-facts.js';
import { compareNames } from './ranking.js';
import type { ScoreTerm } from './schedule-types.js';
import type { BuiltInPrioritizer, PrioritizerPolicy } from './types.js';

export const MAX_CLUSTER_SCORE = 100;

/**
 * What PreferNoSelect taints that no toleration covers cost a cluster, however many it has. OCM's filter
 * ignores PreferNoSelect and no prioritizer reads it; here it costs one prioritizer's full range, so such a
 * cluster is chosen only when the others cannot fill the placement or score clearly lower. Never more than
 * one range, so the Steady bonus still keeps such a cluster once chosen, rather than swapping it for the next
 * clean newcomer.
 */
export const PREFER_NO_SELECT_PENALTY = 100;

const BUILT_INS: readonly BuiltInPrioritizer[] = [
  'Balance',
  'Steady',
  'ResourceAllocatableCPU',
  'ResourceAllocatableMemory',
];

/** Weights used when a placement says nothing (Additive mode starts from these). */
export const DEFAULT_WEIGHTS: Readonly<Record<string, number>> = { Balance: 1, Steady: 1 };

export interface WeightedPrioritizer {
  /** A built-in name, or `AddOn/<resourceName>/<scoreName>`. */
  name: string;
  weight: number;
}

export interface ResolvedWeights {
  prioritizers: WeightedPrioritizer[];
  problem?: string;
}

/**
 * The prioritizers a placement uses and their weights. Additive (the default) overlays the configurations on
 * {Balance: 1, Steady: 1}; Exact uses only the configured ones. Weight 0 turns a prioritizer off. Built-ins come
 * first in a fixed order, add-ons after, sorted, so scores are summed and shown the same way every time.
 */
export function resolveWeights(policy: PrioritizerPolicy | undefined): ResolvedWeights {
  const mode = policy?.mode ?? 'Additive';
  if (mode !== 'Additive' && mode !== 'Exact')
    return { prioritizers: [], problem: `incorrect prioritizer policy mode: ${mode as string}` };
  const weights = new Map<string, number>(mode === 'Additive' ? Object.entries(DEFAULT_WEIGHTS) : []);
  for (const config of policy?.configurations ?? []) {
    const sc = config.scoreCoordinate;
    if (sc === undefined) return { prioritizers: [], problem: 'scoreCoordinate field is required' };
    const weight = config.weight ?? 1;
    if (!Number.isInteger(weight) || weight < -10 || weight > 10)
      return { prioritizers: [], problem: `weight ${weight} is not an integer between -10 and 10` };
    if ((sc.type ?? 'BuiltIn') === 'BuiltIn') {
      if (!BUILT_INS.includes(sc.builtIn as BuiltInPrioritizer))
        return { prioritizers: [], problem: `incorrect builtin prioritizer: ${sc.builtIn ?? ''}` };
      weights.set(sc.builtIn as string, weight);
    } else if (sc.type === 'AddOn') {
      if (sc.addOn === undefined) return { prioritizers: [], problem: 'addOn should not be empty' };
      weights.set(`AddOn/${sc.addOn.resourceName}/${sc.addOn.scoreName}`, weight);
    } else {
      return { prioritizers: [], problem: `incorrect scoreCoordinate type: ${sc.type as string}` };
    }
  }
  const order = (name: string): number => {
    const i = BUILT_INS.indexOf(name as BuiltInPrioritizer);
    return i < 0 ? BUILT_INS.length : i;
  };
  const prioritizers = [...weights]
    .filter(([, weight]) => weight !== 0)
    .map(([name, weight]) => ({ name, weight }))
    .sort((a, b) => order(a.name) - order(b.name) || compareNames(a.name, b.name));
  return { prioritizers };
}

/** The bonus a previous choice gets from Steady, and so the margin a newcomer must beat it by to replace it. */
export function steadyMargin(prioritizers: readonly WeightedPrioritizer[]): number {
  const steady = prioritizers.find((p) => p.name === 'Steady');
  return steady === undefined ? 0 : steady.weight * MAX_CLUSTER_SCORE;
}

/**
 * Balance: 100 for a cluster no other placement uses, down to -100 for the busiest one.
 * OCM: 2 * int64(100 * (0.5 - count/maxCount)).
 */
export function balanceScore(count: number, maxCount: number): number {
  if (count <= 0 || maxCount <= 0) return MAX_CLUSTER_SCORE;
  return 2 * Math.trunc(MAX_CLUSTER_SCORE * (0.5 - count / maxCount));
}

/**
 * ResourceAllocatable*: allocatable normalised across the candidates to [-100, 100]; every candidate scores
 * 100 when they all have the same. A cluster that does not report the resource gets no score (0).
 */
export function resourceScores(values: ReadonlyArray<number | undefined>): number[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v === undefined) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.map((v) => {
    if (v === undefined) return 0;
    if (max === min) return MAX_CLUSTER_SCORE;
    return Math.trunc(((v - min) / (max - min) - 0.5) * 2 * MAX_CLUSTER_SCORE);
  });
}

/** Scores of the clusters that passed the filters, in their order. */
export interface Scores {
  totals: number[];
  /** One cluster's score, term by term (built on demand: only explanations need it). */
  termsOf(i: number): ScoreTerm[];
}

/** Scores the clusters that passed the filters; `preferNoSelect[i]` counts the i-th cluster's uncovered taints. */
export function scoreClusters(
  feasible: readonly ClusterFacts[],
  prioritizers: readonly WeightedPrioritizer[],
  context: {
    previous: ReadonlySet<string>;
    decisionCounts: Readonly<Record<string, number>>;
    preferNoSelect: readonly number[];
    /** The i-th cluster's allocatable, when the caller has it at hand (a ClusterIndex); else read from it. */
    allocatable?: (resource: 'cpu' | 'memory', i: number) => number | undefined;
  },
): Scores {
  const allocatable =
    context.allocatable ??
    ((resource, i) => {
      const c = feasible[i] as ClusterFacts;
      return resource === 'cpu' ? c.allocatableCpu : c.allocatableMemory;
    });
  const columns = prioritizers.map((p): number[] => {
    switch (p.name) {
      case 'Balance': {
        // OCM takes the maximum over every cluster with decisions, not just the candidates.
        let maxCount = 0;
        for (const name in context.decisionCounts)
          maxCount = Math.max(maxCount, countOf(context.decisionCounts, name));
        if (maxCount === 0) return feasible.map(() => MAX_CLUSTER_SCORE);
        return feasible.map((c) => balanceScore(countOf(context.decisionCounts, c.name), maxCount));
      }
      case 'Steady':
        if (context.previous.size === 0) return feasible.map(() => 0);
        return feasible.map((c) => (context.previous.has(c.name) ? MAX_CLUSTER_SCORE : 0));
      case 'ResourceAllocatableCPU':
        return resourceScores(feasible.map((_, i) => allocatable('cpu', i)));
      case 'ResourceAllocatableMemory':
        return resourceScores(feasible.map((_, i) => allocatable('memory', i)));
      default:
        // AddOn scores come from AddOnPlacementScore objects, which kplane does not have: OCM scores a
        // missing one 0.
        return feasible.map(() => 0);
    }
  });
  const penalty = (i: number): number =>
    (context.preferNoSelect[i] ?? 0) > 0 ? PREFER_NO_SELECT_PENALTY : 0;
  const totals = feasible.map((_, i) => {
    let total = -penalty(i);
    prioritizers.forEach((p, j) => (total += p.weight * ((columns[j] as number[])[i] as number)));
    return total;
  });
  return {
    totals,
    termsOf(i) {
      const terms = prioritizers.map((p, j) => ({
        prioritizer: p.name,
        weight: p.weight,
        score: (columns[j] as number[])[i] as number,
      }));
      if (penalty(i) > 0) terms.push({ prioritizer: 'PreferNoSelect', weight: 1, score: -penalty(i) });
      return terms;
    },
  };
}

function countOf(counts: Readonly<Record<string, number>>, name: string): number {
  const n = Object.hasOwn(counts, name) ? counts[name] : undefined;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}
