import { describe, expect, it } from 'vitest';
import { schedulePlacement } from './schedule.js';
import type { Candidate, ScheduleInput } from './schedule-types.js';
import {
  AVAILABLE_CONDITION,
  CLUSTER_SET_LABEL,
  type Condition,
  type ManagedCluster,
  type ManagedClusterSet,
  type PlacementSpec,
  type Taint,
  UNREACHABLE_TAINT_KEY,
} from './types.js';

const now = new Date('2025-06-01T12:00:00Z');

function cluster(
  name: string,
  labels: Record<string, string>,
  options: {
    cpu?: string;
    taints?: Taint[];
    available?: Condition['status'];
    claims?: Record<string, string>;
  } = {},
): ManagedCluster {
  return {
    metadata: { name, labels: { [CLUSTER_SET_LABEL]: 'prod', ...labels } },
    spec: { taints: options.taints ?? [] },
    status: {
      allocatable: { cpu: options.cpu ?? '4', memory: '16Gi' },
      capacity: { cpu: '64', memory: '256Gi' },
      conditions: [
        {
          type: AVAILABLE_CONDITION,
          status: options.available ?? 'True',
          lastTransitionTime: '2025-06-01T11:58:00Z',
        },
      ],
      clusterClaims: Object.entries(options.claims ?? {}).map(([n, value]) => ({ name: n, value })),
    },
  };
}

const prod: ManagedClusterSet = { metadata: { name: 'prod' } };
const dev: ManagedClusterSet = { metadata: { name: 'dev' } };

function input(
  spec: PlacementSpec,
  clusters: ManagedCluster[],
  extra: Partial<ScheduleInput> = {},
): ScheduleInput {
  return {
    placement: { metadata: { name: 'web', namespace: 'team-a' }, spec },
    clusters,
    clusterSets: [prod, dev],
    bindings: ['prod'],
    now,
    ...extra,
  };
}

function candidate(result: { candidates: Candidate[] }, name: string): Candidate {
  const found = result.candidates.find((c) => c.clusterName === name);
  if (found === undefined) throw new Error(`no candidate ${name}`);
  return found;
}

const satisfied = (result: ReturnType<typeof schedulePlacement>) =>
  result.conditions.find((c) => c.type === 'PlacementSatisfied');

describe('schedulePlacement: every rejected cluster says why', () => {
  const clusters = [
    cluster('eu-1', { region: 'eu-west', provider: 'aws' }, { cpu: '8' }),
    cluster('eu-2', { region: 'eu-west', provider: 'gcp' }, { cpu: '4' }),
    cluster('us-1', { region: 'us-east', provider: 'aws' }),
    cluster('dev-1', { [CLUSTER_SET_LABEL]: 'dev', region: 'eu-west' }),
    cluster('lone', { [CLUSTER_SET_LABEL]: 'none', region: 'eu-west' }),
    cluster('down', { region: 'eu-west' }, { available: 'False' }),
    cluster('gpu', { region: 'eu-west' }, { taints: [{ key: 'gpu', value: 'true', effect: 'NoSelect' }] }),
  ];
  const result = schedulePlacement(
    input(
      {
        numberOfClusters: 1,
        predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { region: 'eu-west' } } } }],
        prioritizerPolicy: { configurations: [{ scoreCoordinate: { builtIn: 'ResourceAllocatableCPU' } }] },
      },
      clusters,
    ),
  );

  it('decides', () => {
    expect(result.decisions).toEqual([
      { clusterName: 'eu-1', score: 200, reason: 'newly chosen, score 200' },
    ]);
    expect(result.numberOfSelectedClusters).toBe(1);
    expect(result.eligibleClusterSets).toEqual(['prod']);
  });

  it.each<[string, Candidate['reasons']]>([
    [
      'eu-1',
      [{ code: 'chosen', message: 'chosen: score 200 (Balance 100, Steady 0, ResourceAllocatableCPU 100)' }],
    ],
    [
      'eu-2',
      [
        {
          code: 'lost-to-higher-score',
          message: 'lost to a higher score (0 < 200 of the last chosen, eu-1)',
        },
      ],
    ],
    [
      'us-1',
      [
        {
          code: 'label-mismatch',
          message: 'label mismatch on region: wants region=eu-west, has region=us-east',
        },
      ],
    ],
    [
      'dev-1',
      [
        {
          code: 'not-in-bound-set',
          message: 'not in a bound set: member of dev (not bound to namespace team-a)',
        },
      ],
    ],
    ['lone', [{ code: 'not-in-bound-set', message: 'not in a bound set: in no ManagedClusterSet' }]],
    ['down', [{ code: 'unavailable', message: `unavailable: ${AVAILABLE_CONDITION} is False` }]],
    ['gpu', [{ code: 'taint-not-tolerated', message: 'taint gpu=true:NoSelect not tolerated' }]],
  ])('%s', (name, reasons) => {
    expect(candidate(result, name).reasons).toEqual(reasons);
  });

  it('lists every cluster once, by name, with scores for those that passed the filters', () => {
    expect(result.candidates.map((c) => c.clusterName)).toEqual([
      'dev-1',
      'down',
      'eu-1',
      'eu-2',
      'gpu',
      'lone',
      'us-1',
    ]);
    expect(candidate(result, 'eu-2').scoreTerms).toEqual([
      { prioritizer: 'Balance', weight: 1, score: 100 },
      { prioritizer: 'Steady', weight: 1, score: 0 },
      { prioritizer: 'ResourceAllocatableCPU', weight: 1, score: -100 },
    ]);
    expect(candidate(result, 'us-1').score).toBeUndefined();
  });

  it('collects every failed filter, not just the first', () => {
    const r = schedulePlacement(
      input(
        { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { region: 'ap' } } } }] },
        [cluster('x', { [CLUSTER_SET_LABEL]: 'dev', region: 'eu' }, { available: 'Unknown' })],
      ),
    );
    expect(candidate(r, 'x').reasons.map((reason) => reason.code)).toEqual([
      'not-in-bound-set',
      'label-mismatch',
      'unavailable',
    ]);
  });

  it('names the failing keys of each ORed predicate, and claims', () => {
    const r = schedulePlacement(
      input(
        {
          predicates: [
            {
              requiredClusterSelector: {
                labelSelector: { matchLabels: { region: 'eu-west', tier: 'gold' } },
              },
            },
            {
              requiredClusterSelector: {
                claimSelector: { matchExpressions: [{ key: 'platform', operator: 'In', values: ['AWS'] }] },
              },
            },
          ],
        },
        [
          cluster('a', { region: 'us-east' }, { claims: { platform: 'GCP' } }),
          cluster('b', { region: 'us-east' }, { claims: { platform: 'AWS' } }),
        ],
      ),
    );
    expect(candidate(r, 'a').reasons).toEqual([
      {
        code: 'label-mismatch',
        message:
          'predicate 1 of 2: label mismatch on region, tier: wants region=eu-west, has region=us-east; wants tier=gold, has no label tier',
      },
      {
        code: 'claim-mismatch',
        message: 'predicate 2 of 2: claim mismatch on platform: wants platform in (AWS), has platform=GCP',
      },
    ]);
    expect(r.decisions.map((d) => d.clusterName)).toEqual(['b']);
  });

  it('explains a set that is bound but not among the placement clusterSets', () => {
    const r = schedulePlacement(
      input({ clusterSets: ['prod'] }, [cluster('d', { [CLUSTER_SET_LABEL]: 'dev' })], {
        bindings: ['prod', 'dev'],
      }),
    );
    expect(candidate(r, 'd').reasons[0]?.message).toBe(
      "not in a bound set: member of dev (bound, but the placement's clusterSets are prod)",
    );
  });
});

describe('schedulePlacement: conditions (OCM reasons)', () => {
  const one = [cluster('a', { region: 'eu' })];
  it.each<[string, ScheduleInput, { status: string; reason: string; message: string }]>([
    [
      'no bindings',
      input({}, one, { bindings: [] }),
      {
        status: 'False',
        reason: 'NoManagedClusterSetBindings',
        message: 'No valid ManagedClusterSetBindings found in placement namespace',
      },
    ],
    [
      'a binding to a set that does not exist',
      input({}, one, { bindings: ['gone'] }),
      {
        status: 'False',
        reason: 'NoManagedClusterSetBindings',
        message: 'No valid ManagedClusterSetBindings found in placement namespace',
      },
    ],
    [
      'clusterSets not bound',
      input({ clusterSets: ['dev', 'qa'] }, one),
      {
        status: 'False',
        reason: 'NoIntersection',
        message: 'None of ManagedClusterSets [dev,qa] is bound to placement namespace',
      },
    ],
    [
      'bound sets without members',
      input({}, one, { bindings: ['dev'] }),
      {
        status: 'False',
        reason: 'AllManagedClusterSetsEmpty',
        message: 'All ManagedClusterSets [dev] have no member ManagedCluster',
      },
    ],
    [
      'nothing matches',
      input(
        { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { region: 'us' } } } }] },
        one,
      ),
      {
        status: 'False',
        reason: 'NoManagedClusterMatched',
        message: 'No ManagedCluster matches any of the cluster predicate',
      },
    ],
    [
      'fewer than wanted',
      input({ numberOfClusters: 3 }, one),
      { status: 'False', reason: 'NotAllDecisionsScheduled', message: '2 cluster decisions unscheduled' },
    ],
    [
      'all scheduled',
      input({ numberOfClusters: 1 }, one),
      { status: 'True', reason: 'AllDecisionsScheduled', message: 'All cluster decisions scheduled' },
    ],
    [
      'numberOfClusters 0 is satisfied',
      input({ numberOfClusters: 0 }, one),
      { status: 'True', reason: 'AllDecisionsScheduled', message: 'All cluster decisions scheduled' },
    ],
  ])('%s', (_, scheduleInput, condition) => {
    const result = schedulePlacement(scheduleInput);
    expect(satisfied(result)).toEqual({ type: 'PlacementSatisfied', ...condition });
    expect(result.conditions[0]).toEqual({
      type: 'PlacementMisconfigured',
      status: 'False',
      reason: 'Succeedconfigured',
      message: 'Placement configurations check pass',
    });
  });

  it('reports the unscheduled count', () => {
    expect(schedulePlacement(input({ numberOfClusters: 3 }, one)).unscheduled).toBe(2);
    expect(schedulePlacement(input({}, one)).unscheduled).toBe(0);
  });
});

describe('schedulePlacement: misconfigured placements', () => {
  it.each<[string, PlacementSpec, string]>([
    [
      'a toleration without key',
      { tolerations: [{ value: 'x' }] },
      'TaintToleration:If the key is empty, operator must be Exists.',
    ],
    [
      'a bad predicate',
      {
        predicates: [
          {
            requiredClusterSelector: { labelSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } },
          },
        ],
      },
      'Predicate:In on "a" needs at least one value',
    ],
    [
      'an unknown prioritizer',
      { prioritizerPolicy: { configurations: [{ scoreCoordinate: { builtIn: 'Spread' } }] } },
      'PrioritizerPolicy:incorrect builtin prioritizer: Spread',
    ],
    [
      'a bad spread',
      { spreadPolicy: { spreadConstraints: [{ topologyKey: 'region', maxSkew: 0 }] } },
      'SpreadPolicy:maxSkew 0 is not a whole number of at least 1',
    ],
    [
      'a negative count',
      { numberOfClusters: -1 },
      'Placement:numberOfClusters -1 is not a whole number of at least 0',
    ],
  ])('%s', (_, spec, message) => {
    const result = schedulePlacement(input(spec, [cluster('a', {})]));
    expect(result.conditions[0]).toEqual({
      type: 'PlacementMisconfigured',
      status: 'True',
      reason: 'Misconfigured',
      message,
    });
    expect(result.decisions).toEqual([]);
    expect(candidate(result, 'a').reasons).toEqual([
      { code: 'misconfigured', message: `placement is misconfigured: ${message}` },
    ]);
    expect(satisfied(result)?.reason).toBe('NoManagedClusterMatched');
  });
});

describe('schedulePlacement: taints and tolerations', () => {
  it('NoSelect needs a toleration; tolerationSeconds make the placement decide again when they run out', () => {
    const tainted = cluster(
      't',
      {},
      { taints: [{ key: 'maint', effect: 'NoSelect', timeAdded: '2025-06-01T11:59:00Z' }] },
    );
    expect(schedulePlacement(input({}, [tainted])).decisions).toEqual([]);
    const r = schedulePlacement(
      input({ tolerations: [{ key: 'maint', operator: 'Exists', tolerationSeconds: 300 }] }, [tainted]),
    );
    expect(r.decisions.map((d) => d.clusterName)).toEqual(['t']);
    expect(r.requeueAt).toBe('2025-06-01T12:04:00.000Z');
    const expired = schedulePlacement(
      input({ tolerations: [{ key: 'maint', operator: 'Exists', tolerationSeconds: 30 }] }, [tainted]),
    );
    expect(candidate(expired, 't').reasons).toEqual([
      {
        code: 'taint-not-tolerated',
        message: 'taint maint:NoSelect not tolerated; its toleration ran out at 2025-06-01T11:59:30.000Z',
      },
    ]);
  });

  it('NoSelectIfNew keeps a cluster that was already chosen and keeps new ones out', () => {
    const ifNew = cluster('n', {}, { taints: [{ key: 'draining', effect: 'NoSelectIfNew' }] });
    expect(
      schedulePlacement(input({}, [ifNew], { previousDecisions: ['n'] })).decisions.map((d) => d.clusterName),
    ).toEqual(['n']);
    expect(candidate(schedulePlacement(input({}, [ifNew])), 'n').reasons).toEqual([
      {
        code: 'taint-not-tolerated',
        message: 'taint draining:NoSelectIfNew not tolerated (the cluster was not chosen before)',
      },
    ]);
  });

  it('PreferNoSelect lowers the score unless tolerated', () => {
    const spot = cluster('a-spot', {}, { taints: [{ key: 'spot', effect: 'PreferNoSelect' }] });
    const plain = cluster('b-plain', {});
    const r = schedulePlacement(input({ numberOfClusters: 1 }, [spot, plain]));
    expect(r.decisions.map((d) => d.clusterName)).toEqual(['b-plain']);
    expect(candidate(r, 'a-spot')).toMatchObject({
      score: 0,
      reasons: [
        { code: 'lost-to-higher-score' },
        { code: 'prefer-no-select', message: 'taint spot:PreferNoSelect not tolerated: score lowered' },
      ],
    });
    const tolerated = schedulePlacement(
      input({ numberOfClusters: 1, tolerations: [{ key: 'spot', operator: 'Exists' }] }, [spot, plain]),
    );
    expect(tolerated.decisions.map((d) => d.clusterName)).toEqual(['a-spot']);
  });

  it('an unreachable cluster can be tolerated for a while, as in OCM', () => {
    const unreachable = cluster('u', {}, { available: 'Unknown' });
    expect(candidate(schedulePlacement(input({}, [unreachable])), 'u').reasons).toEqual([
      { code: 'unavailable', message: `unavailable: ${AVAILABLE_CONDITION} is Unknown` },
    ]);
    const r = schedulePlacement(
      input({ tolerations: [{ key: UNREACHABLE_TAINT_KEY, operator: 'Exists', tolerationSeconds: 600 }] }, [
        unreachable,
      ]),
    );
    expect(r.decisions.map((d) => d.clusterName)).toEqual(['u']);
    expect(r.requeueAt).toBe('2025-06-01T12:08:00.000Z');
  });
});

describe('schedulePlacement: Steady and Balance', () => {
  const cpuFirst: PlacementSpec = {
    numberOfClusters: 1,
    prioritizerPolicy: { configurations: [{ scoreCoordinate: { builtIn: 'ResourceAllocatableCPU' } }] },
  };

  it('keeps a healthy previous choice when a newcomer scores a little better', () => {
    // CPU scores: old -100+... the newcomer leads by less than the Steady margin of 100.
    const clusters = [
      cluster('old', {}, { cpu: '10' }),
      cluster('new', {}, { cpu: '11' }),
      cluster('low', {}, { cpu: '2' }),
    ];
    const r = schedulePlacement(input(cpuFirst, clusters, { previousDecisions: ['old'] }));
    expect(r.decisions).toEqual([
      { clusterName: 'old', score: 277, reason: 'kept from the last decision, score 277' },
    ]);
    expect(candidate(r, 'new').score).toBe(200);
  });

  it('replaces a previous choice when a newcomer beats it by more than the margin', () => {
    const clusters = [cluster('old', {}, { cpu: '2' }), cluster('new', {}, { cpu: '32' })];
    const r = schedulePlacement(input(cpuFirst, clusters, { previousDecisions: ['old'] }));
    expect(r.decisions.map((d) => d.clusterName)).toEqual(['new']);
  });

  it('replaces a previous choice that became unavailable', () => {
    const clusters = [cluster('old', {}, { available: 'False' }), cluster('other', {})];
    const r = schedulePlacement(input({ numberOfClusters: 1 }, clusters, { previousDecisions: ['old'] }));
    expect(r.decisions.map((d) => d.clusterName)).toEqual(['other']);
  });

  it('Balance prefers clusters other placements use less', () => {
    const clusters = [cluster('busy', {}), cluster('idle', {})];
    const r = schedulePlacement(
      input({ numberOfClusters: 1 }, clusters, { decisionCounts: { busy: 3, elsewhere: 4 } }),
    );
    expect(r.decisions.map((d) => d.clusterName)).toEqual(['idle']);
    expect(candidate(r, 'busy').scoreTerms?.[0]).toEqual({ prioritizer: 'Balance', weight: 1, score: -50 });
  });
});

describe('schedulePlacement: spread', () => {
  it('never puts two picks in one region while another region qualifies', () => {
    const clusters = [
      cluster('eu-1', { region: 'eu' }, { cpu: '32' }),
      cluster('eu-2', { region: 'eu' }, { cpu: '31' }),
      cluster('us-1', { region: 'us' }, { cpu: '2' }),
    ];
    const r = schedulePlacement(
      input(
        {
          numberOfClusters: 2,
          spreadPolicy: { spreadConstraints: [{ topologyKey: 'region', topologyKeyType: 'Label' }] },
          prioritizerPolicy: { configurations: [{ scoreCoordinate: { builtIn: 'ResourceAllocatableCPU' } }] },
        },
        clusters,
      ),
    );
    expect(r.decisions.map((d) => d.clusterName)).toEqual(['eu-1', 'us-1']);
    expect(candidate(r, 'eu-2').reasons).toEqual([
      { code: 'spread-limit', message: 'spread limit: region=eu already has 1 (maxSkew 1; region=us has 0)' },
    ]);
  });
});

describe('schedulePlacement: determinism', () => {
  it('gives the same result for the clusters in any order', () => {
    const clusters = ['c', 'a', 'd', 'b'].map((n) => cluster(n, { region: n < 'c' ? 'eu' : 'us' }));
    const spec: PlacementSpec = {
      numberOfClusters: 2,
      spreadPolicy: { spreadConstraints: [{ topologyKey: 'region' }] },
    };
    const forward = schedulePlacement(input(spec, clusters));
    const backward = schedulePlacement(input(spec, [...clusters].reverse()));
    expect(backward).toEqual(forward);
    expect(forward.decisions.map((d) => d.clusterName)).toEqual(['a', 'c']);
  });
});
