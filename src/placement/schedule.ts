// schedulePlacement: the whole decision for one Placement, as pure data in and out. The server's controller
// calls it to decide and writes the result; the CLI calls it to explain. Pipeline, as OCM's scheduler:
// eligible sets → filter → score → select, then conditions. Unlike OCM, every cluster comes back with the
// reasons it was or was not chosen.
import { clusterFacts, type ClusterFacts } from './cluster-facts.js';
import { eligibleClusterSets } from './cluster-sets.js';
import { misconfiguredCondition, satisfiedCondition } from './conditions.js';
import { filterCluster, filterSetup, type FilterOutcome } from './filters.js';
import { resolveWeights, scoreClusters, type ScoredCluster } from './prioritizers.js';
import type {
  Candidate,
  CandidateReason,
  Decision,
  ScheduleInput,
  ScheduleResult,
  ScoreTerm,
} from './schedule-types.js';
import { type RankedCandidate, selectClusters } from './select.js';
import { formatTaint } from './taints.js';
import { placementSpecProblem } from './validate.js';

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Best first: higher score, then the name that sorts first (OCM's order, so ties never depend on input order). */
export function compareRanked(
  a: { name: string; score: number },
  b: { name: string; score: number },
): number {
  return b.score - a.score || byName(a.name, b.name);
}

function formatTerms(terms: readonly ScoreTerm[]): string {
  return terms.map((t) => `${t.prioritizer} ${t.score}${t.weight === 1 ? '' : `x${t.weight}`}`).join(', ');
}

function preferNoSelectNote(outcome: FilterOutcome): CandidateReason[] {
  return outcome.preferNoSelect.map((t) => ({
    code: 'prefer-no-select' as const,
    message: `taint ${formatTaint(t)} not tolerated: score lowered`,
  }));
}

/** Decides one placement. Deterministic: the same clusters in any order give the same result. */
export function schedulePlacement(input: ScheduleInput): ScheduleResult {
  const { spec, metadata } = input.placement;
  const now = input.now.getTime();
  const previous = new Set(input.previousDecisions ?? []);
  const clusters = [...input.clusters].sort((a, b) => byName(a.metadata.name, b.metadata.name));
  const { validBindings, eligible } = eligibleClusterSets(spec, input.bindings, input.clusterSets);
  const setup = filterSetup({
    namespace: metadata.namespace,
    eligible,
    validBindings,
    clusterSets: input.clusterSets,
    clusterSetsInSpec: spec.clusterSets ?? [],
    predicates: spec.predicates ?? [],
    tolerations: spec.tolerations ?? [],
    previous,
    now,
  });
  const facts = clusters.map(clusterFacts);
  const outcomes = facts.map((f) => filterCluster(f, setup));
  const clustersInSets = outcomes.filter((o) => !o.reasons.some((r) => r.code === 'not-in-bound-set')).length;
  const base = { validBindings: validBindings.length, eligibleClusterSets: eligible };

  const problem = placementSpecProblem(spec);
  if (problem !== undefined) {
    const reason: CandidateReason = {
      code: 'misconfigured',
      message: `placement is misconfigured: ${problem}`,
    };
    return {
      decisions: [],
      candidates: facts.map((f) => ({ clusterName: f.name, status: 'rejected', reasons: [reason] })),
      conditions: [
        misconfiguredCondition(problem),
        satisfiedCondition({
          ...base,
          clusterSetsInSpec: spec.clusterSets ?? [],
          clustersInSets,
          feasible: 0,
          unscheduled: 0,
        }),
      ],
      numberOfSelectedClusters: 0,
      unscheduled: spec.numberOfClusters ?? 0,
      eligibleClusterSets: eligible,
    };
  }

  // Score the clusters that passed every filter.
  const feasibleIndex: number[] = [];
  outcomes.forEach((o, i) => {
    if (o.reasons.length === 0) feasibleIndex.push(i);
  });
  const feasible = feasibleIndex.map((i) => facts[i] as ClusterFacts);
  const { prioritizers } = resolveWeights(spec.prioritizerPolicy);
  const scored = scoreClusters(feasible, prioritizers, {
    previous,
    decisionCounts: input.decisionCounts ?? {},
    preferNoSelect: feasibleIndex.map((i) => (outcomes[i] as FilterOutcome).preferNoSelect.length),
  });
  const scoreByName = new Map<string, ScoredCluster>();
  feasible.forEach((f, i) => scoreByName.set(f.name, scored[i] as ScoredCluster));

  // Select.
  const ranked: RankedCandidate[] = feasible
    .map((f, i) => ({
      name: f.name,
      score: (scored[i] as ScoredCluster).total,
      labels: f.labels,
      claims: f.claims,
    }))
    .sort(compareRanked);
  const selection = selectClusters(ranked, spec.numberOfClusters, spec.spreadPolicy?.spreadConstraints ?? []);
  const chosen = new Set(selection.chosen);

  const decisions: Decision[] = selection.chosen
    .map((name): Decision => {
      const score = (scoreByName.get(name) as ScoredCluster).total;
      const why = previous.has(name) ? 'kept from the last decision' : 'newly chosen';
      return { clusterName: name, score, reason: `${why}, score ${score}` };
    })
    .sort((a, b) => byName(a.clusterName, b.clusterName));

  let requeueAt: number | undefined;
  const candidates: Candidate[] = facts.map((f, i): Candidate => {
    const outcome = outcomes[i] as FilterOutcome;
    const score = scoreByName.get(f.name);
    if (score === undefined) return { clusterName: f.name, status: 'rejected', reasons: outcome.reasons };
    const scoreFields = { score: score.total, scoreTerms: score.terms };
    if (chosen.has(f.name)) {
      if (outcome.tolerationUntil !== undefined)
        requeueAt = Math.min(requeueAt ?? Infinity, outcome.tolerationUntil);
      const why = previous.has(f.name) ? 'chosen again' : 'chosen';
      const reasons: CandidateReason[] = [
        { code: 'chosen', message: `${why}: score ${score.total} (${formatTerms(score.terms)})` },
        ...preferNoSelectNote(outcome),
      ];
      return { clusterName: f.name, status: 'chosen', reasons, ...scoreFields };
    }
    const lost = selection.rejected.get(f.name) as CandidateReason;
    return {
      clusterName: f.name,
      status: 'rejected',
      reasons: [lost, ...preferNoSelectNote(outcome)],
      ...scoreFields,
    };
  });

  const unscheduled = spec.numberOfClusters === undefined ? 0 : spec.numberOfClusters - decisions.length;
  const result: ScheduleResult = {
    decisions,
    candidates,
    conditions: [
      misconfiguredCondition(undefined),
      satisfiedCondition({
        ...base,
        clusterSetsInSpec: spec.clusterSets ?? [],
        clustersInSets,
        feasible: feasible.length,
        unscheduled,
      }),
    ],
    numberOfSelectedClusters: decisions.length,
    unscheduled: Math.max(0, unscheduled),
    eligibleClusterSets: eligible,
  };
  if (requeueAt !== undefined) result.requeueAt = new Date(requeueAt).toISOString();
  return result;
}
