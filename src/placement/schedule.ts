// schedulePlacement: the whole decision for one Placement, as pure data in and out. The server's controller
// calls it to decide and writes the result; the CLI calls it to explain. Pipeline, as OCM's scheduler:
// eligible sets → filter → score → select, then conditions. Unlike OCM, every cluster comes back with the
// reasons it was or was not chosen.
import { type ClusterFacts, indexClusters } from './cluster-facts.js';
import { eligibleClusterSets } from './cluster-sets.js';
import { misconfiguredCondition, satisfiedCondition } from './conditions.js';
import { type FilterOutcome, filterCluster, filterSetup } from './filters.js';
import { resolveWeights, scoreClusters } from './prioritizers.js';
import { compareNames } from './ranking.js';
import type {
  Candidate,
  CandidateReason,
  Decision,
  ScheduleInput,
  ScheduleResult,
  ScoreTerm,
} from './schedule-types.js';
import { type SelectCandidate, selectClusters } from './select.js';
import { formatTaint } from './taints.js';
import { placementSpecProblem } from './validate.js';

const NO_CLAIMS: Readonly<Record<string, string>> = Object.freeze({});

function formatTerms(terms: readonly ScoreTerm[]): string {
  return terms.map((t) => `${t.prioritizer} ${t.score}${t.weight === 1 ? '' : `x${t.weight}`}`).join(', ');
}

function preferNoSelectNotes(outcome: FilterOutcome): CandidateReason[] {
  return outcome.preferNoSelect.map((t) => ({
    code: 'prefer-no-select' as const,
    message: `taint ${formatTaint(t)} not tolerated: score lowered`,
  }));
}

/** Decides one placement. Deterministic: the same clusters in any order give the same result. */
export function schedulePlacement(input: ScheduleInput): ScheduleResult {
  const { spec } = input.placement;
  const explain = input.explain ?? true;
  const previous = new Set(input.previousDecisions ?? []);
  const { validBindings, eligible } = eligibleClusterSets(spec, input.bindings, input.clusterSets);
  const index = indexClusters(input.clusters);
  const { facts } = index;
  const setup = filterSetup({
    placement: input.placement,
    eligible,
    validBindings,
    clusterSets: input.clusterSets,
    previous,
    now: input.now.getTime(),
    index,
  });

  // Filter.
  const outcomes: FilterOutcome[] = new Array<FilterOutcome>(facts.length);
  const feasibleAt: number[] = [];
  let clustersInSets = 0;
  for (let i = 0; i < facts.length; i++) {
    const outcome = filterCluster(facts[i] as ClusterFacts, setup, i);
    outcomes[i] = outcome;
    if (outcome.reasons.length === 0) feasibleAt.push(i);
    if (outcome.reasons.length === 0 || outcome.reasons[0]?.code !== 'not-in-bound-set') clustersInSets++;
  }
  const satisfiedBase = {
    clusterSetsInSpec: spec.clusterSets ?? [],
    eligibleClusterSets: eligible,
    validBindings: validBindings.length,
    clustersInSets,
  };

  const problem = placementSpecProblem(spec);
  if (problem !== undefined) {
    const reasons: CandidateReason[] = [
      { code: 'misconfigured', message: `placement is misconfigured: ${problem}` },
    ];
    return {
      decisions: [],
      candidates: explain ? facts.map((f) => ({ clusterName: f.name, status: 'rejected', reasons })) : [],
      conditions: [
        misconfiguredCondition(problem),
        satisfiedCondition({ ...satisfiedBase, feasible: 0, unscheduled: 0 }),
      ],
      numberOfSelectedClusters: 0,
      unscheduled: Math.max(0, spec.numberOfClusters ?? 0),
      eligibleClusterSets: eligible,
    };
  }

  // Score the clusters that passed every filter.
  const feasible = feasibleAt.map((i) => facts[i] as ClusterFacts);
  const scores = scoreClusters(feasible, resolveWeights(spec.prioritizerPolicy).prioritizers, {
    previous,
    decisionCounts: input.decisionCounts ?? {},
    preferNoSelect: feasibleAt.map((i) => (outcomes[i] as FilterOutcome).preferNoSelect.length),
    allocatable: (resource, j) => index.allocatableAt(resource, feasibleAt[j] as number),
  });

  // Select.
  const spread = spec.spreadPolicy?.spreadConstraints ?? [];
  const spreadByClaim = spread.some((c) => c.topologyKeyType === 'Claim');
  const selectable: Array<SelectCandidate & { at: number }> = feasible.map((f, j) => ({
    name: f.name,
    score: scores.totals[j] as number,
    labels: f.labels,
    claims: spreadByClaim ? f.claims : NO_CLAIMS,
    at: j,
  }));
  const selection = selectClusters(selectable, spec.numberOfClusters, spread, explain);
  const chosenAt = new Uint8Array(feasible.length);
  for (const c of selection.chosenCandidates) chosenAt[c.at] = 1;

  const decisions: Decision[] = selection.chosenCandidates
    .map((c): Decision => {
      const kept = previous.has(c.name);
      return {
        clusterName: c.name,
        score: c.score,
        reason: `${kept ? 'kept from the last decision' : 'newly chosen'}, score ${c.score}`,
      };
    })
    .sort((a, b) => compareNames(a.clusterName, b.clusterName));
  let requeueAt: number | undefined;
  for (const c of selection.chosenCandidates) {
    const until = (outcomes[feasibleAt[c.at] as number] as FilterOutcome).tolerationUntil;
    if (until !== undefined) requeueAt = Math.min(requeueAt ?? Infinity, until);
  }

  // Every cluster with its reasons, in name order (the index's order).
  const candidates: Candidate[] = [];
  if (explain) {
    let j = 0;
    for (let i = 0; i < facts.length; i++) {
      const f = facts[i] as ClusterFacts;
      const outcome = outcomes[i] as FilterOutcome;
      if (feasibleAt[j] !== i) {
        candidates.push({ clusterName: f.name, status: 'rejected', reasons: outcome.reasons });
        continue;
      }
      const score = scores.totals[j] as number;
      const scoreTerms = scores.termsOf(j);
      if (chosenAt[j++] === 1) {
        const why = previous.has(f.name) ? 'chosen again' : 'chosen';
        candidates.push({
          clusterName: f.name,
          status: 'chosen',
          reasons: [
            { code: 'chosen', message: `${why}: score ${score} (${formatTerms(scoreTerms)})` },
            ...preferNoSelectNotes(outcome),
          ],
          score,
          scoreTerms,
        });
      } else {
        candidates.push({
          clusterName: f.name,
          status: 'rejected',
          reasons: [selection.rejected.get(f.name) as CandidateReason, ...preferNoSelectNotes(outcome)],
          score,
          scoreTerms,
        });
      }
    }
  }

  const unscheduled = spec.numberOfClusters === undefined ? 0 : spec.numberOfClusters - decisions.length;
  const result: ScheduleResult = {
    decisions,
    candidates,
    conditions: [
      misconfiguredCondition(undefined),
      satisfiedCondition({ ...satisfiedBase, feasible: feasible.length, unscheduled }),
    ],
    numberOfSelectedClusters: decisions.length,
    unscheduled: Math.max(0, unscheduled),
    eligibleClusterSets: eligible,
  };
  if (requeueAt !== undefined) result.requeueAt = new Date(requeueAt).toISOString();
  return result;
}
