// The filter stage: set membership, predicates (labels and claims, ORed across predicates), taints and
// tolerations, availability. Unlike OCM, which only keeps the survivors, every failed check becomes a reason
// on the candidate, so `explain` can say exactly why a cluster was left out.
import { clusterSetSelector } from './cluster-sets.js';
import type { ClusterFacts, ClusterIndex, KeyRef } from './cluster-facts.js';
import {
  type LabelMismatch,
  labelSelectorKeys,
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
  LabelSelector,
  LabelSelectorRequirement,
  ManagedClusterSet,
  Placement,
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
  // Set membership and predicates depend only on the values of the few label and claim keys the selectors
  // name, and thousands of clusters share those values: each verdict (and its message) is worked out once per
  // distinct combination and shared.
  setVerdict: Verdicts;
  predicateVerdict: Verdicts;
  /** From the index, when there is one: which clusters have taints, without reading each cluster. */
  tainted?: Uint8Array;
  /** One outcome object per shared list of reasons, for the many untainted clusters rejected alike. */
  untaintedOutcomes: Map<readonly CandidateReason[], FilterOutcome>;
  /** Set and predicate reasons joined, once per pair of shared lists. */
  joined: Map<readonly CandidateReason[], Map<readonly CandidateReason[], readonly CandidateReason[]>>;
}

/** The reasons (none when it passes) for a cluster, at `position` in the index the setup was made with. */
type Verdicts = (facts: ClusterFacts, position: number | undefined) => readonly CandidateReason[];

export interface FilterOutcome {
  /** Empty when the cluster passed every filter. Shared between clusters: do not change it. */
  reasons: readonly CandidateReason[];
  /** PreferNoSelect taints no toleration covers: they lower the score. */
  preferNoSelect: readonly EffectiveTaint[];
  /** The earliest moment a toleration this cluster relies on runs out (ms since epoch). */
  tolerationUntil: number | undefined;
}

const NO_REASONS: readonly CandidateReason[] = Object.freeze([]);
const NO_TAINTS: readonly EffectiveTaint[] = Object.freeze([]);
const PASSED: FilterOutcome = Object.freeze({
  reasons: NO_REASONS,
  preferNoSelect: NO_TAINTS,
  tolerationUntil: undefined,
});

function setSelectors(sets: readonly ManagedClusterSet[]): SetSelector[] {
  return sets.map((s) => ({ name: s.metadata.name, selector: clusterSetSelector(s).selector }));
}

/** The values (or absence) of `keys`, as one string: equal strings mean equal verdicts. */
function signature(keys: readonly KeyRef[], facts: ClusterFacts): string {
  let s = '';
  for (const [source, key] of keys) {
    const values = facts[source];
    s += (Object.hasOwn(values, key) ? values[key] : '\u0001') + '\u0000';
  }
  return s;
}

/** One verdict per group of clusters with equal values for `keys`: by index group when there is an index. */
function verdicts(
  keys: readonly KeyRef[],
  judge: (facts: ClusterFacts) => readonly CandidateReason[],
  index: ClusterIndex | undefined,
): Verdicts {
  const bySignature = new Map<string, readonly CandidateReason[]>();
  const bySignatureOf = (facts: ClusterFacts): readonly CandidateReason[] => {
    const key = signature(keys, facts);
    let reasons = bySignature.get(key);
    if (reasons === undefined) {
      reasons = judge(facts);
      bySignature.set(key, reasons);
    }
    return reasons;
  };
  if (index === undefined) return bySignatureOf;
  const groups = index.groupsOf(keys);
  const byGroup = new Array<readonly CandidateReason[] | undefined>(groups.count);
  return (facts, position) => {
    if (position === undefined) return bySignatureOf(facts);
    const group = groups.ids[position] as number;
    let reasons = byGroup[group];
    if (reasons === undefined) {
      reasons = judge(facts);
      byGroup[group] = reasons;
    }
    return reasons;
  };
}

export function filterSetup(options: {
  placement: Placement;
  eligible: readonly string[];
  validBindings: readonly string[];
  clusterSets: readonly ManagedClusterSet[];
  previous: ReadonlySet<string>;
  now: number;
  /** The clusters about to be filtered, when they come as an index. */
  index?: ClusterIndex;
}): FilterSetup {
  const { spec, metadata } = options.placement;
  const allSets = setSelectors(options.clusterSets);
  const eligibleNames = new Set(options.eligible);
  const predicates = (spec.predicates ?? []).map((p) => ({
    labels: p.requiredClusterSelector?.labelSelector,
    claims: p.requiredClusterSelector?.claimSelector?.matchExpressions ?? [],
  }));
  const setKeys = labelSelectorKeys(allSets.map((s) => s.selector)).map((k): KeyRef => ['labels', k]);
  const predicateKeys = [
    ...labelSelectorKeys(predicates.map((p) => p.labels)).map((k): KeyRef => ['labels', k]),
    ...labelSelectorKeys(predicates.map((p) => ({ matchExpressions: [...p.claims] }))).map((k): KeyRef => [
      'claims',
      k,
    ]),
  ];
  const setup = {
    namespace: metadata.namespace,
    eligible: allSets.filter((s) => eligibleNames.has(s.name)),
    allSets,
    validBindings: new Set(options.validBindings),
    clusterSetsInSpec: spec.clusterSets ?? [],
    predicates,
    tolerations: spec.tolerations ?? [],
    previous: options.previous,
    now: options.now,
  };
  return {
    ...setup,
    setVerdict: verdicts(setKeys, (facts) => setMembershipReasons(facts, setup), options.index),
    predicateVerdict: verdicts(predicateKeys, (facts) => predicateReasons(facts, predicates), options.index),
    ...(options.index === undefined ? {} : { tainted: options.index.tainted }),
    untaintedOutcomes: new Map(),
    joined: new Map(),
  };
}

function setMembershipReasons(
  facts: ClusterFacts,
  setup: Pick<FilterSetup, 'eligible' | 'allSets' | 'validBindings' | 'namespace' | 'clusterSetsInSpec'>,
): readonly CandidateReason[] {
  if (setup.eligible.some((s) => matchesLabelSelector(s.selector, facts.labels))) return NO_REASONS;
  const memberOf = setup.allSets.filter((s) => matchesLabelSelector(s.selector, facts.labels));
  if (memberOf.length === 0)
    return [{ code: 'not-in-bound-set', message: 'not in a bound set: in no ManagedClusterSet' }];
  const notes = memberOf
    .map((s) => s.name)
    .sort()
    .map((name) =>
      setup.validBindings.has(name)
        ? `${name} (bound, but the placement's clusterSets are ${setup.clusterSetsInSpec.join(', ')})`
        : `${name} (not bound to namespace ${setup.namespace})`,
    );
  return [{ code: 'not-in-bound-set', message: `not in a bound set: member of ${notes.join(', ')}` }];
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
function predicateReasons(facts: ClusterFacts, predicates: readonly Predicate[]): readonly CandidateReason[] {
  if (predicates.length === 0 || predicates.some((p) => predicateMatches(p, facts))) return NO_REASONS;
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

function join(
  setup: FilterSetup,
  first: readonly CandidateReason[],
  second: readonly CandidateReason[],
): readonly CandidateReason[] {
  let bySecond = setup.joined.get(first);
  if (bySecond === undefined) {
    bySecond = new Map();
    setup.joined.set(first, bySecond);
  }
  let both = bySecond.get(second);
  if (both === undefined) {
    both = [...first, ...second];
    bySecond.set(second, both);
  }
  return both;
}

/**
 * Runs every filter on one cluster and collects all the reasons it fails, not just the first. `position` is the
 * cluster's place in the index the setup was made with, if any.
 */
export function filterCluster(facts: ClusterFacts, setup: FilterSetup, position?: number): FilterOutcome {
  const setReasons = setup.setVerdict(facts, position);
  const predicateFailures = setup.predicateVerdict(facts, position);
  const filtered =
    setReasons.length === 0
      ? predicateFailures
      : predicateFailures.length === 0
        ? setReasons
        : join(setup, setReasons, predicateFailures);
  const untainted =
    position !== undefined && setup.tainted !== undefined
      ? setup.tainted[position] === 0
      : facts.taints.length === 0;
  if (untainted) {
    if (filtered.length === 0) return PASSED;
    let outcome = setup.untaintedOutcomes.get(filtered);
    if (outcome === undefined) {
      outcome = { reasons: filtered, preferNoSelect: NO_TAINTS, tolerationUntil: undefined };
      setup.untaintedOutcomes.set(filtered, outcome);
    }
    return outcome;
  }

  const reasons = [...filtered];
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
