// Properties of the whole algorithm over random clusters and placements (fast-check): a decision never includes
// a filtered-out cluster, never exceeds numberOfClusters, is the same for the same input in any order, respects
// the spread, and Steady keeps previous choices when a cluster is added.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterIndex } from './cluster-facts.js';
import { matchesLabelSelector, matchesRequirements } from './label-selector.js';
import { schedulePlacement } from './schedule.js';
import type { ScheduleInput, ScheduleResult } from './schedule-types.js';
import { findToleration } from './taints.js';
import {
  AVAILABLE_CONDITION,
  CLUSTER_SET_LABEL,
  type ClusterPredicate,
  type ManagedCluster,
  type ManagedClusterSet,
  type PlacementSpec,
  type SpreadConstraint,
  type Taint,
  type Toleration,
  UNAVAILABLE_TAINT_KEY,
  UNREACHABLE_TAINT_KEY,
} from './types.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const REGIONS = ['eu', 'us', 'ap', 'sa'];
const SETS: ManagedClusterSet[] = [
  { metadata: { name: 'prod' } },
  { metadata: { name: 'dev' } },
  {
    metadata: { name: 'global' },
    spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: {} } },
  },
  {
    metadata: { name: 'europe' },
    spec: {
      clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { region: 'eu' } } },
    },
  },
];

const taintArb: fc.Arbitrary<Taint> = fc.record({
  key: fc.constantFrom('gpu', 'spot', 'maint'),
  value: fc.constantFrom('', 'true'),
  effect: fc.constantFrom('NoSelect' as const, 'PreferNoSelect' as const, 'NoSelectIfNew' as const),
  timeAdded: fc.constantFrom('2025-06-01T11:00:00Z', '2025-06-01T11:59:00Z'),
});

/** A cluster without its name; names are given out afterwards so they are unique. */
const clusterBody = fc.record({
  region: fc.option(fc.constantFrom(...REGIONS), { nil: undefined, freq: 6 }),
  provider: fc.constantFrom('aws', 'gcp'),
  set: fc.option(fc.constantFrom('prod', 'dev'), { nil: undefined, freq: 5 }),
  cpu: fc.option(fc.constantFrom('2', '4', '500m', '16', '64'), { nil: undefined, freq: 8 }),
  memory: fc.constantFrom('8Gi', '16Gi', '64Gi'),
  taints: fc.array(taintArb, { maxLength: 2 }),
  available: fc.constantFrom('True', 'True', 'True', 'True', 'False', 'Unknown') as fc.Arbitrary<
    'True' | 'False' | 'Unknown'
  >,
  platform: fc.constantFrom('AWS', 'GCP'),
});

type ClusterBody = typeof clusterBody extends fc.Arbitrary<infer T> ? T : never;

function toCluster(name: string, body: ClusterBody): ManagedCluster {
  const labels: Record<string, string> = { provider: body.provider };
  if (body.region !== undefined) labels.region = body.region;
  if (body.set !== undefined) labels[CLUSTER_SET_LABEL] = body.set;
  const allocatable: Record<string, string> = { memory: body.memory };
  if (body.cpu !== undefined) allocatable.cpu = body.cpu;
  return {
    metadata: { name, labels },
    spec: { taints: body.taints },
    status: {
      allocatable,
      capacity: { cpu: '64', memory: '256Gi' },
      conditions: [
        { type: AVAILABLE_CONDITION, status: body.available, lastTransitionTime: '2025-06-01T11:59:30Z' },
      ],
      clusterClaims: [{ name: 'platform', value: body.platform }],
    },
  };
}

const clustersArb = fc
  .array(clusterBody, { maxLength: 24 })
  .map((bodies) => bodies.map((b, i) => toCluster(`c-${String(i).padStart(2, '0')}`, b)));

const predicateArb = fc.oneof<fc.Arbitrary<ClusterPredicate>[]>(
  fc
    .constantFrom(...REGIONS)
    .map((r) => ({ requiredClusterSelector: { labelSelector: { matchLabels: { region: r } } } })),
  fc.subarray(REGIONS, { minLength: 1 }).map((rs) => ({
    requiredClusterSelector: {
      labelSelector: { matchExpressions: [{ key: 'region', operator: 'In' as const, values: rs }] },
    },
  })),
  fc.constant({
    requiredClusterSelector: {
      labelSelector: { matchExpressions: [{ key: 'provider', operator: 'NotIn' as const, values: ['gcp'] }] },
    },
  }),
  fc.constant({
    requiredClusterSelector: {
      claimSelector: { matchExpressions: [{ key: 'platform', operator: 'In' as const, values: ['AWS'] }] },
    },
  }),
);

const tolerationArb: fc.Arbitrary<Toleration> = fc.oneof(
  fc.record({ key: fc.constantFrom('gpu', 'spot', 'maint'), operator: fc.constant('Exists' as const) }),
  fc.record({ key: fc.constantFrom('gpu', 'spot'), value: fc.constantFrom('', 'true') }),
  fc.record({
    key: fc.constantFrom(UNREACHABLE_TAINT_KEY, UNAVAILABLE_TAINT_KEY, 'maint'),
    operator: fc.constant('Exists' as const),
    tolerationSeconds: fc.constantFrom(10, 600, 7200),
  }),
);

const spreadArb: fc.Arbitrary<SpreadConstraint> = fc.record({
  topologyKey: fc.constant('region'),
  maxSkew: fc.integer({ min: 1, max: 3 }),
  whenUnsatisfiable: fc.constantFrom('ScheduleAnyway' as const, 'DoNotSchedule' as const),
});

const specArb: fc.Arbitrary<PlacementSpec> = fc.record(
  {
    clusterSets: fc.subarray(['prod', 'dev', 'global', 'europe']),
    numberOfClusters: fc.integer({ min: 0, max: 8 }),
    predicates: fc.array(predicateArb, { maxLength: 2 }),
    tolerations: fc.array(tolerationArb, { maxLength: 2 }),
    prioritizerPolicy: fc.record({
      mode: fc.constantFrom('Additive' as const, 'Exact' as const),
      configurations: fc.array(
        fc.record({
          scoreCoordinate: fc.record({
            type: fc.constant('BuiltIn' as const),
            builtIn: fc.constantFrom(
              'Balance',
              'Steady',
              'ResourceAllocatableCPU',
              'ResourceAllocatableMemory',
            ),
          }),
          weight: fc.integer({ min: -3, max: 5 }),
        }),
        { maxLength: 3 },
      ),
    }),
    spreadPolicy: fc.record({ spreadConstraints: fc.array(spreadArb, { minLength: 1, maxLength: 1 }) }),
  },
  { requiredKeys: [] },
);

/** Inputs with the clusters as a plain array, so the tests can shuffle and look them up. */
type ArrayInput = ScheduleInput & { clusters: readonly ManagedCluster[] };

const inputArb: fc.Arbitrary<ArrayInput> = clustersArb.chain((clusters) => {
  const names = clusters.map((c) => c.metadata.name);
  return fc.record({
    placement: specArb.map((spec) => ({ metadata: { name: 'web', namespace: 'team-a' }, spec })),
    clusters: fc.constant(clusters),
    clusterSets: fc.constant(SETS),
    bindings: fc.subarray(['prod', 'dev', 'global', 'europe', 'missing']),
    previousDecisions: fc.subarray(names),
    decisionCounts: fc.dictionary(fc.constantFrom(...names, 'elsewhere'), fc.integer({ min: 0, max: 5 })),
    now: fc.constant(NOW),
  });
});

/** A second, independent reading of the filter rules, straight from OCM's documentation of each field. */
function passesFilters(cluster: ManagedCluster, input: ArrayInput): boolean {
  const spec = input.placement.spec;
  const labels = cluster.metadata.labels ?? {};
  const existing = new Set(input.clusterSets.map((s) => s.metadata.name));
  const wanted = spec.clusterSets ?? [];
  const eligible = input.bindings.filter(
    (b) => existing.has(b) && (wanted.length === 0 || wanted.includes(b)),
  );
  const inSet = eligible.some((name) => {
    if (name === 'global') return true;
    if (name === 'europe') return labels.region === 'eu';
    return labels[CLUSTER_SET_LABEL] === name;
  });
  if (!inSet) return false;
  const claims = Object.fromEntries((cluster.status?.clusterClaims ?? []).map((c) => [c.name, c.value]));
  const predicates = spec.predicates ?? [];
  const matches = predicates.some(
    (p) =>
      (p.requiredClusterSelector?.labelSelector === undefined ||
        matchesLabelSelector(p.requiredClusterSelector.labelSelector, labels)) &&
      matchesRequirements(p.requiredClusterSelector?.claimSelector?.matchExpressions ?? [], claims),
  );
  if (predicates.length > 0 && !matches) return false;
  const taints = [...(cluster.spec?.taints ?? [])];
  const available = cluster.status?.conditions?.find((c) => c.type === AVAILABLE_CONDITION);
  if (available?.status !== 'True') {
    const key = available?.status === 'False' ? UNAVAILABLE_TAINT_KEY : UNREACHABLE_TAINT_KEY;
    const timeAdded = available?.lastTransitionTime;
    taints.push({ key, effect: 'NoSelect', ...(timeAdded === undefined ? {} : { timeAdded }) });
  }
  const previous = new Set(input.previousDecisions ?? []);
  return taints.every((t) => {
    if (t.effect === 'PreferNoSelect') return true;
    if (t.effect === 'NoSelectIfNew' && previous.has(cluster.metadata.name)) return true;
    return findToleration(t, spec.tolerations ?? [], input.now.getTime()).tolerated;
  });
}

const chosenNames = (r: ScheduleResult): string[] => r.decisions.map((d) => d.clusterName);

describe('schedulePlacement properties', () => {
  it('never includes a filtered-out cluster', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = schedulePlacement(input);
        const byName = new Map(input.clusters.map((c) => [c.metadata.name, c]));
        for (const name of chosenNames(result))
          expect(passesFilters(byName.get(name) as ManagedCluster, input)).toBe(true);
        // And the other way round: each cluster that passes is scored, each one that does not says why.
        for (const c of result.candidates) {
          const passes = passesFilters(byName.get(c.clusterName) as ManagedCluster, input);
          expect(c.score !== undefined).toBe(passes);
          expect(c.reasons.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never chooses more than numberOfClusters, and fills it when enough qualify and no hard spread stops it', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = schedulePlacement(input);
        const spec = input.placement.spec;
        const feasible = result.candidates.filter((c) => c.score !== undefined).length;
        if (spec.numberOfClusters !== undefined)
          expect(result.decisions.length).toBeLessThanOrEqual(spec.numberOfClusters);
        const hard = (spec.spreadPolicy?.spreadConstraints ?? []).some(
          (c) => c.whenUnsatisfiable === 'DoNotSchedule',
        );
        if (!hard)
          expect(result.decisions.length).toBe(Math.min(spec.numberOfClusters ?? feasible, feasible));
        expect(result.numberOfSelectedClusters).toBe(result.decisions.length);
        expect(result.candidates.filter((c) => c.status === 'chosen').map((c) => c.clusterName)).toEqual(
          chosenNames(result),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same input in any order gives the same result', () => {
    const withShuffle = inputArb.chain((input) =>
      fc
        .tuple(
          fc.shuffledSubarray([...input.clusters], { minLength: input.clusters.length }),
          fc.shuffledSubarray([...input.clusterSets], { minLength: input.clusterSets.length }),
          fc.shuffledSubarray([...input.bindings], { minLength: input.bindings.length }),
          fc.shuffledSubarray([...(input.previousDecisions ?? [])], {
            minLength: input.previousDecisions?.length ?? 0,
          }),
        )
        .map(([clusters, clusterSets, bindings, previousDecisions]) => ({
          input,
          shuffled: { ...input, clusters, clusterSets, bindings, previousDecisions },
        })),
    );
    fc.assert(
      fc.property(withShuffle, ({ input, shuffled }) => {
        expect(schedulePlacement(shuffled)).toEqual(schedulePlacement(input));
      }),
      { numRuns: 200 },
    );
  });

  it('decides the same with a ClusterIndex and without explanations', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const full = schedulePlacement(input);
        const lean = schedulePlacement({
          ...input,
          clusters: ClusterIndex.of(input.clusters),
          explain: false,
        });
        expect(lean.decisions).toEqual(full.decisions);
        expect(lean.conditions).toEqual(full.conditions);
        expect(lean.requeueAt).toEqual(full.requeueAt);
        expect(lean.candidates).toEqual([]);
        expect({ ...lean, candidates: full.candidates }).toEqual(full);
      }),
      { numRuns: 200 },
    );
  });

  it('respects the spread: no domain gets ahead by more than maxSkew of one that still had candidates', () => {
    const spreadInput = inputArb.filter(
      (i) => (i.placement.spec.spreadPolicy?.spreadConstraints?.length ?? 0) > 0,
    );
    fc.assert(
      fc.property(spreadInput, (input) => {
        const result = schedulePlacement(input);
        const constraint = (input.placement.spec.spreadPolicy?.spreadConstraints ??
          [])[0] as SpreadConstraint;
        const maxSkew = constraint.maxSkew ?? 1;
        const regionOf = new Map(input.clusters.map((c) => [c.metadata.name, c.metadata.labels?.region]));
        const picks = new Map<string, number>();
        const unpicked = new Map<string, number>();
        for (const c of result.candidates) {
          const region = regionOf.get(c.clusterName);
          if (c.score === undefined || region === undefined) continue;
          picks.set(region, (picks.get(region) ?? 0) + (c.status === 'chosen' ? 1 : 0));
          unpicked.set(region, (unpicked.get(region) ?? 0) + (c.status === 'chosen' ? 0 : 1));
        }
        const hard = constraint.whenUnsatisfiable === 'DoNotSchedule';
        for (const pa of picks.values()) {
          for (const [b, pb] of picks) {
            // ScheduleAnyway compares only with regions that still have candidates; DoNotSchedule with all.
            if (!hard && (unpicked.get(b) ?? 0) === 0) continue;
            expect(pa - pb).toBeLessThanOrEqual(maxSkew);
          }
        }
        // The wording, for maxSkew 1: never two picks in one region while an unused region qualifies.
        if (maxSkew === 1 && [...picks.values()].some((p) => p >= 2))
          for (const [region, p] of picks) if (p === 0) expect(unpicked.get(region) ?? 0).toBe(0);
        // A DoNotSchedule spread never chooses a cluster without the topology key.
        if (hard) for (const name of chosenNames(result)) expect(regionOf.get(name)).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });

  it('Steady keeps the previous choices when a cluster is added', () => {
    // Balance + Steady only (the defaults), no other placements: a previous choice scores at least 100, a
    // newcomer at most 100. Equal scores go by name, so the newcomer's name sorts last.
    const steadyInput = fc.tuple(inputArb, clusterBody).map(([input, body]) => {
      const { prioritizerPolicy: _p, spreadPolicy: _s, ...spec } = input.placement.spec;
      return {
        input: { ...input, placement: { ...input.placement, spec }, decisionCounts: {} },
        added: toCluster('zz-added', body),
      };
    });
    fc.assert(
      fc.property(steadyInput, ({ input, added }) => {
        const first = chosenNames(schedulePlacement(input));
        const again = schedulePlacement({
          ...input,
          clusters: [...input.clusters, added],
          previousDecisions: first,
        });
        for (const name of first) expect(chosenNames(again)).toContain(name);
      }),
      { numRuns: 300 },
    );
  });
});
