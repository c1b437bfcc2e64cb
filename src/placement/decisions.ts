// PlacementDecision objects as OCM's scheduling controller writes them (generatePlacementDecisionsAndStatus):
// decisions sorted by cluster name, at most 100 per object, named `<placement>-decision-<n>` counting from 1,
// labelled with the placement and decision group, owned by the Placement. Without a decisionStrategy every
// decision is in group 0 with an empty name, and an empty result still gets one (empty) object, so consumers
// watching by label see that nothing was chosen.
import {
  type ClusterDecision,
  DECISION_GROUP_INDEX_LABEL,
  DECISION_GROUP_NAME_LABEL,
  type DecisionGroupStatus,
  MAX_DECISIONS_PER_OBJECT,
  PLACEMENT_API_VERSION,
  PLACEMENT_LABEL,
  type PlacementDecision,
} from './types.js';
import { compareNames } from './ranking.js';

export interface PlacementRef {
  name: string;
  namespace: string;
  uid: string;
}

export function placementDecisionName(placementName: string, index: number): string {
  return `${placementName}-decision-${index}`;
}

export interface BuiltDecisions {
  placementDecisions: PlacementDecision[];
  /** For Placement.status.decisionGroups. */
  decisionGroups: DecisionGroupStatus[];
}

/** The PlacementDecision objects for a placement's chosen clusters, and the matching decision group status. */
export function buildPlacementDecisions(
  placement: PlacementRef,
  decisions: readonly ClusterDecision[],
): BuiltDecisions {
  const sorted = [...decisions]
    .map((d) => ({ clusterName: d.clusterName, reason: d.reason }))
    .sort((a, b) => compareNames(a.clusterName, b.clusterName));
  const chunks: ClusterDecision[][] = [];
  for (let i = 0; i < sorted.length; i += MAX_DECISIONS_PER_OBJECT)
    chunks.push(sorted.slice(i, i + MAX_DECISIONS_PER_OBJECT));
  if (chunks.length === 0) chunks.push([]);

  const placementDecisions = chunks.map((chunk, i): PlacementDecision => ({
    apiVersion: PLACEMENT_API_VERSION,
    kind: 'PlacementDecision',
    metadata: {
      name: placementDecisionName(placement.name, i + 1),
      namespace: placement.namespace,
      labels: {
        [PLACEMENT_LABEL]: placement.name,
        [DECISION_GROUP_NAME_LABEL]: '',
        [DECISION_GROUP_INDEX_LABEL]: '0',
      },
      ownerReferences: [
        {
          apiVersion: PLACEMENT_API_VERSION,
          kind: 'Placement',
          name: placement.name,
          uid: placement.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    status: { decisions: chunk },
  }));
  return {
    placementDecisions,
    decisionGroups: [
      {
        decisionGroupIndex: 0,
        decisionGroupName: '',
        decisions: placementDecisions.map((d) => d.metadata.name),
        clustersCount: sorted.length,
      },
    ],
  };
}

/**
 * The cluster names a placement's PlacementDecisions hold (its previous decisions, for Steady and
 * NoSelectIfNew): only objects in its namespace labelled for it count. Sorted, without repeats.
 */
export function decidedClusterNames(
  placement: { name: string; namespace: string },
  placementDecisions: readonly PlacementDecision[],
): string[] {
  const names = new Set<string>();
  for (const pd of placementDecisions) {
    if (
      pd.metadata.namespace !== placement.namespace ||
      pd.metadata.labels[PLACEMENT_LABEL] !== placement.name
    )
      continue;
    for (const d of pd.status.decisions) names.add(d.clusterName);
  }
  return [...names].sort();
}

/**
 * For Balance: how many decisions name each cluster across all PlacementDecisions, leaving out those of the
 * placement being scheduled (OCM does not count a placement against itself).
 */
export function decisionCounts(
  placementDecisions: readonly PlacementDecision[],
  except?: { name: string; namespace: string },
): Record<string, number> {
  const counts = Object.create(null) as Record<string, number>;
  for (const pd of placementDecisions) {
    if (
      except !== undefined &&
      pd.metadata.namespace === except.namespace &&
      pd.metadata.labels[PLACEMENT_LABEL] === except.name
    )
      continue;
    for (const d of pd.status.decisions) counts[d.clusterName] = (counts[d.clusterName] ?? 0) + 1;
  }
  return counts;
}
