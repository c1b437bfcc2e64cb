import { array, conditionsSchema, int, obj, str, stringList, stringMap, type Schema } from '../schema.js';

// Schema pieces shared by the Open Cluster Management kinds (open-cluster-management-io/api
// cluster/v1, v1beta1, v1beta2), with OCM's field names and, shortened, its descriptions.

/** A Kubernetes quantity: a string such as "16" or "64Gi", or a plain number (int-or-string). */
export const quantityMap = (description: string): Schema => ({
  type: 'object',
  description,
  additionalProperties: { description: 'A Kubernetes quantity (int-or-string).' },
});

const requirement = obj(
  'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
  {
    key: str('key is the label key that the selector applies to.'),
    operator: str(
      "operator represents a key's relationship to a set of values: In, NotIn, Exists and DoesNotExist.",
    ),
    values: stringList(
      'values is an array of string values. If the operator is In or NotIn, the values array must be non-empty.',
    ),
  },
  { required: ['key', 'operator'] },
);

export const matchExpressions = array(
  'matchExpressions is a list of label selector requirements.',
  requirement,
);

export const labelSelectorSchema = (description: string): Schema =>
  obj(description, {
    matchLabels: stringMap('matchLabels is a map of {key,value} pairs, ANDed with matchExpressions.'),
    matchExpressions,
  });

export const taintSchema = obj(
  'The managed cluster this Taint is attached to has the "effect" on any placement that does not tolerate the Taint.',
  {
    key: str('Key is the taint key applied to a cluster. e.g. bar or foo.example.com/bar.'),
    value: str('Value is the taint value corresponding to the taint key.'),
    effect: str(
      'Effect indicates the effect of the taint on placements that do not tolerate the taint: NoSelect, PreferNoSelect or NoSelectIfNew.',
      { enum: ['NoSelect', 'PreferNoSelect', 'NoSelectIfNew'] },
    ),
    timeAdded: str('TimeAdded represents the time at which the taint was added. Set by the server.', {
      format: 'date-time',
    }),
  },
  { required: ['key', 'effect'] },
);

const clusterSelectorSchema = obj('ClusterSelector represents the AND of the containing selectors.', {
  labelSelector: labelSelectorSchema('LabelSelector represents a label selector to select cluster by label.'),
  claimSelector: obj('ClaimSelector represents a selector of ManagedClusters by clusterClaims in status', {
    matchExpressions,
  }),
  celSelector: obj('CelSelector represents a selector of ManagedClusters by CEL expressions.', {
    celExpressions: stringList('CelExpressions contains a list of CEL expressions, ANDed.'),
  }),
});

export const placementSpecSchema = obj('Spec defines the attributes of Placement.', {
  clusterSets: stringList(
    'ClusterSets represent the ManagedClusterSets from which the ManagedClusters are selected. If empty, ManagedClusters are selected from the ManagedClusterSets bound to the placement namespace.',
  ),
  numberOfClusters: {
    ...int('NumberOfClusters represents the desired number of ManagedClusters to be selected.'),
    format: 'int32',
  },
  predicates: array(
    'Predicates represent a slice of predicates to select ManagedClusters. The predicates are ORed.',
    obj('ClusterPredicate represents a predicate to select ManagedClusters.', {
      requiredClusterSelector: clusterSelectorSchema,
    }),
  ),
  prioritizerPolicy: obj('PrioritizerPolicy defines the policy of the prioritizers.', {
    mode: str('Mode is either Exact or Additive (the default).', { enum: ['Exact', 'Additive'] }),
    configurations: array(
      'PrioritizerConfig represents the configuration of prioritizer.',
      obj('PrioritizerConfig represents the configuration of prioritizer.', {
        scoreCoordinate: obj(
          'ScoreCoordinate represents the configuration of the prioritizer and score source.',
          {
            type: str('Type defines the type of the prioritizer score: BuiltIn or AddOn.', {
              enum: ['BuiltIn', 'AddOn'],
            }),
            builtIn: str(
              'BuiltIn defines the name of a BuiltIn prioritizer: Balance, Steady, ResourceAllocatableCPU, ResourceAllocatableMemory.',
            ),
            addOn: obj('When type is "AddOn", AddOn defines the resource name and score name.', {
              resourceName: str('ResourceName defines the resource name of the AddOnPlacementScore.'),
              scoreName: str('ScoreName defines the score name inside AddOnPlacementScore.'),
            }),
          },
        ),
        weight: { ...int('Weight defines the weight of the prioritizer score, -10 to 10.'), format: 'int32' },
      }),
    ),
  }),
  spreadPolicy: obj(
    'SpreadPolicy defines how placement decisions should be distributed among a set of ManagedClusters.',
    {
      spreadConstraints: array(
        'SpreadConstraints defines how the placement decision should be distributed among a set of ManagedClusters.',
        obj('SpreadConstraintsTerm defines a terminology to spread placement decisions.', {
          topologyKey: str('TopologyKey is either a label key or a cluster claim name of ManagedClusters.'),
          topologyKeyType: str('TopologyKeyType indicates the type of TopologyKey: Label or Claim.', {
            enum: ['Label', 'Claim'],
          }),
          maxSkew: {
            ...int('MaxSkew represents the degree to which the workload may be unevenly distributed.'),
            format: 'int32',
          },
          whenUnsatisfiable: str('WhenUnsatisfiable: DoNotSchedule or ScheduleAnyway (the default).', {
            enum: ['DoNotSchedule', 'ScheduleAnyway'],
          }),
        }),
      ),
    },
  ),
  tolerations: array(
    'Tolerations are applied to placements, and allow the scheduler to schedule onto clusters with matching taints.',
    obj('Toleration represents the toleration object that can be attached to a placement.', {
      key: str('Key is the taint key that the toleration applies to. Empty means match all taint keys.'),
      operator: str("Operator represents a key's relationship to the value: Exists or Equal (the default).", {
        enum: ['Exists', 'Equal'],
      }),
      value: str('Value is the taint value the toleration matches to.'),
      effect: str('Effect indicates the taint effect to match. Empty means match all taint effects.', {
        enum: ['NoSelect', 'PreferNoSelect', 'NoSelectIfNew'],
      }),
      tolerationSeconds: int(
        'TolerationSeconds represents the period of time the toleration tolerates the taint.',
      ),
    }),
  ),
  decisionStrategy: obj('DecisionStrategy divides the created placement decisions into groups.', {
    groupStrategy: obj('GroupStrategy defines strategies to divide selected clusters into decision groups.', {
      decisionGroups: array(
        'DecisionGroups represents a list of predefined groups to put decision results.',
        obj('DecisionGroup defines a subset of clusters that will be added to placementDecisions.', {
          groupName: str('Group name to be added as label value to the created placement Decisions.'),
          groupClusterSelector: clusterSelectorSchema,
        }),
      ),
      clustersPerDecisionGroup: {
        description:
          'ClustersPerDecisionGroup is a specific number or percentage of the total selected clusters.',
      },
    }),
  }),
});

export const placementStatusSchema = obj('Status represents the current status of the Placement', {
  numberOfSelectedClusters: {
    ...int('NumberOfSelectedClusters represents the number of selected ManagedClusters'),
    format: 'int32',
  },
  decisionGroups: array(
    'List of decision groups determined by the placement and DecisionStrategy.',
    obj('Present decision groups status based on the DecisionStrategy definition.', {
      decisionGroupIndex: { ...int('Present the decision group index.'), format: 'int32' },
      decisionGroupName: str('Decision group name that is defined in the DecisionStrategy.'),
      decisions: stringList('List of placement decisions names associated with the decision group'),
      clusterCount: { ...int('Total number of clusters in the decision group.'), format: 'int32' },
    }),
  ),
  conditions: conditionsSchema,
});

export const placementDecisionStatusSchema = obj(
  'Status represents the current status of the PlacementDecision',
  {
    decisions: array(
      'Decisions is a slice of decisions according to a placement',
      obj('ClusterDecision represents a decision from a placement.', {
        clusterName: str('ClusterName is the name of the ManagedCluster.'),
        reason: str('Reason represents the reason why the ManagedCluster is selected.'),
      }),
    ),
  },
);
