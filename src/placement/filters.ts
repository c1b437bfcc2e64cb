// The filter stage: set membership, predicates (labels and claims, ORed across predicates), taints and
// tolerations, availability. Unlike OCM, which only keeps the survivors, every failed check becomes a reason
// on the candidate, so `explain` can say exactly why a cluster was left out.
import { clusterSetSelector } from './cluster-sets.js';
import type { ClusterFacts } from './cluster-facts.js';
import {
  type LabelMismatch,
  labelSelectorMismatches,
  matchesLabelSelector,
  matchesRequirements,
  requirementMismatches,
} from './label-selector.js';
import type { CandidateReason } from './schedule-types.js';
import {
  type EffectiveTaint,
  findToleration,
  formatTaint,
  isAvailabilityTaint,
  taintBlocks,
} from './taints.js';
import type {
  ClusterPredicate,
  LabelSelector,
  LabelSelectorRequirement,
  ManagedClusterSet,
  Toleration,
} from './types.js';

interface SetSelector {
  name: string;
  selector: LabelSelector | undefined;
}

interface Predicate {
  /** Undefined matches every cluster: OCM's labelSelector is a value, so an omitted one is empty. */
  labels: LabelSelector | undefined;
  claims: readonly LabelSelectorRequirement[];
}

export interface FilterSetup {
  namespace: string;
  eligible: readonly SetSelector[];
  /** Every set, for telling a user which set a rejected cluster is in and why that set does not count. */
  allSets: readonly SetSelector[];
  validBindings: ReadonlySet<string>;
  clusterSetsInSpec: readonly string[];
  predicates: readonly Predicate[];
  tolerations: readonly Toleration[];
  previous: ReadonlySet<string>;
  now: number;
}

export interface FilterOutcome {
  /** Empty when the cluster passed every filter. */
  reasons: CandidateReason[];
  /** PreferNoSelect taints no toleration covers: they lower the score. */
  preferNoSelect: EffectiveTaint[];
  /** The earliest moment a toleration this cluster relies on runs out (ms since epoch). */
  tolerationUntil: number | undefined;
}

function setSelectors(sets: readonly ManagedClusterSet[]): SetSelector[] {
  return sets.map((s) => ({ name: s.metadata.name, selector: clusterSetSelector(s).selector }));
}

export function filterSetup(options: {
  namespace: string;
  eligible: readonly string[];
  validBindings: readonly string[];
  clusterSets: readonly ManagedClusterSet[];
  clusterSetsInSpec: readonly string[];
  predicates: readonly ClusterPredicate[];
  tolerations: readonly Toleration[];
  previous: ReadonlySet<string>;
  now: number;
}): FilterSetup {
  const allSets = setSelectors(options.clusterSets);
  const eligibleNames = new Set(options.eligible);
  return {
    namespace: options.namespace,
    eligible: allSets.filter((s) => eligibleNames.has(s.name)),
    allSets,
    validBindings: new Set(options.validBindings),
    clusterSetsInSpec: options.clusterSetsInSpec,
    predicates: options.predicates.map((p) => ({
      labels: p.requiredClusterSelector?.labelSelector,
      claims: p.requiredClusterSelector?.claimSelector?.matchExpressions ?? [],
    })),
    tolerations: options.tolerations,
    previous: options.previous,
    now: options.now,
  };
}

function setMembershipReason(facts: ClusterFacts, setup: FilterSetup): CandidateReason {
  const memberOf = setup.allSets.filter((s) => matchesLabelSelector(s.selector, facts.labels));
  if (memberOf.length === 0)
    return { code: 'not-in-bound-set', message: 'not in a bound set: in no ManagedClusterSet' };
  const notes = memberOf
    .map((s) => s.name)
    .sort()
    .map((name) =>
      setup.validBindings.has(name)
        ? `${name} (bound, but the placement's clusterSets are ${setup.clusterSetsInSpec.join(', ')})`
        : `${name} (not bound to namespace ${setup.namespace})`,
    );
  return { code: 'not-in-bound-set', message: `not in a bound set: member of ${notes.join(', ')}` };
}

function describeMismatches(kind: 'label' | 'claim', mismatches: readonly LabelMismatch[]): string {
  const keys = [...new Set(mismatches.map((m) => m.key))].join(', ');
  const details = mismatches.map(
    (m) =>
      `wants ${m.wanted}, has ${m.actual === undefined ? `no ${kind} ${m.key}` : `${m.key}=${m.actual}`}`,
  );
  return `${kind} mismatch on ${keys}: ${details.join('; ')}`;
}

function predicateMatches(p: Predicate, facts: ClusterFacts): boolean {
  return (
    (p.labels === undefined || matchesLabelSelector(p.labels, facts.labels)) &&
    matchesRequirements(p.claims, facts.claims)
  );
}

/** Reasons a cluster matches none of the (ORed) predicates: each predicate's failing keys. */
function predicateReasons(facts: ClusterFacts, predicates: readonly Predicate[]): CandidateReason[] {
  if (predicates.length === 0 || predicates.some((p) => predicateMatches(p, facts))) return [];
  const reasons: CandidateReason[] = [];
  predicates.forEach((p, i) => {
    const prefix = predicates.length > 1 ? `predicate ${i + 1} of ${predicates.length}: ` : '';
    const labels = p.labels === undefined ? [] : labelSelectorMismatches(p.labels, facts.labels);
    if (labels.length > 0)
      reasons.push({ code: 'label-mismatch', message: prefix + describeMismatches('label', labels) });
    const claims = requirementMismatches(p.claims, facts.claims);
    if (claims.length > 0)
      reasons.push({ code: 'claim-mismatch', message: prefix + describeMismatches('claim', claims) });
  });
  return reasons;
}

function taintReason(
  taint: EffectiveTaint,
  expiredAt: number | undefined,
  previouslyChosen: boolean,
): CandidateReason {
  const expired =
    expiredAt === undefined ? '' : `; its toleration ran out at ${new Date(expiredAt).toISOString()}`;
  if (isAvailabilityTaint(taint)) {
    const what = taint.impliedBy ?? `taint ${formatTaint(taint)} not tolerated`;
    return { code: 'unavailable', message: `unavailable: ${what}${expired}` };
  }
  const ifNew =
    taint.effect === 'NoSelectIfNew' && !previouslyChosen ? ' (the cluster was not chosen before)' : '';
  return {
    code: 'taint-not-tolerated',
    message: `taint ${formatTaint(taint)} not tolerated${ifNew}${expired}`,
  };
}

/** Runs every filter on one cluster and collects all the reasons it fails, not just the first. */
export function filterCluster(facts: ClusterFacts, setup: FilterSetup): FilterOutcome {
  const reasons: CandidateReason[] = [];
  if (!setup.eligible.some((s) => matchesLabelSelector(s.selector, facts.labels)))
    reasons.push(setMembershipReason(facts, setup));
  reasons.push(...predicateReasons(facts, setup.predicates));

  const preferNoSelect: EffectiveTaint[] = [];
  let tolerationUntil: number | undefined;
  const previouslyChosen = setup.previous.has(facts.name);
  for (const taint of facts.taints) {
    if (taint.effect === 'PreferNoSelect') {
      // Never a filter; only a toleration takes the score penalty away.
      if (!findToleration(taint, setup.tolerations, setup.now).tolerated) preferNoSelect.push(taint);
      continue;
    }
    const verdict = taintBlocks(taint, setup.tolerations, previouslyChosen, setup.now);
    if (!verdict.tolerated) reasons.push(taintReason(taint, verdict.expiredAt, previouslyChosen));
    else if (verdict.until !== undefined)
      tolerationUntil = Math.min(tolerationUntil ?? Number.POSITIVE_INFINITY, verdict.until);
  }
  return { reasons, preferNoSelect, tolerationUntil };
}
