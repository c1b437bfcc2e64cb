import {
  buildPlacementDecisions,
  PLACEMENT_LABEL,
  type PlacementCondition,
  type ScheduleResult,
} from '../../placement/index.js';
import { deepEqual, getField, jsonObjects, nowTimestamp, type KubeObject } from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { RequestScope, TransactionWrites } from '../api/resource-service.js';
import { DECISION_INDEX_LABEL, PLACEMENT_DECISIONS, PLACEMENTS } from '../compute/constants.js';

// Turns a scheduling result into stored objects: the placement's PlacementDecisions hold exactly the
// decision (created, updated or deleted as needed, at most 100 clusters each) and its status says
// how many clusters were chosen, in which decision groups, and why (OCM's conditions). Only what
// differs is written, so deciding again with the same outcome changes nothing and wakes no watcher.

interface StoredCondition extends PlacementCondition {
  lastTransitionTime: string;
  observedGeneration: number;
}

/** Conditions as OCM's meta.SetStatusCondition keeps them: the transition time moves only with the status. */
export function placementConditions(
  wanted: readonly PlacementCondition[],
  current: unknown,
  generation: number,
  now: Date,
): StoredCondition[] {
  const previous = jsonObjects(current);
  return wanted.map((condition) => {
    const before = previous.find((c) => c.type === condition.type);
    const kept =
      before?.status === condition.status && typeof before.lastTransitionTime === 'string'
        ? before.lastTransitionTime
        : nowTimestamp(now);
    return { ...condition, lastTransitionTime: kept, observedGeneration: generation };
  });
}

export function placementStatus(
  placement: KubeObject,
  result: ScheduleResult,
  decisionGroups: ReturnType<typeof buildPlacementDecisions>['decisionGroups'],
  now: Date,
): Record<string, unknown> {
  return {
    numberOfSelectedClusters: result.numberOfSelectedClusters,
    decisionGroups: decisionGroups.map((group) => ({
      decisionGroupIndex: group.decisionGroupIndex,
      decisionGroupName: group.decisionGroupName,
      decisions: group.decisions,
      // OCM's JSON name for DecisionGroupStatus.ClustersCount.
      clusterCount: group.clustersCount,
    })),
    conditions: placementConditions(
      result.conditions,
      getField(placement, 'status.conditions'),
      placement.metadata.generation ?? 1,
      now,
    ),
  };
}

export interface PlacementWrite {
  /** The transaction the decisions and the status are written in. */
  writes: TransactionWrites;
  registry: ResourceRegistry;
  /** The placement's workspace and namespace, as the platform itself. */
  scope: RequestScope;
  placement: KubeObject;
  /** Names of the PlacementDecisions labelled for this placement now (the scheduler's cache knows them). */
  existingDecisions: readonly string[];
  result: ScheduleResult;
  now: Date;
  /** Told of every PlacementDecision written (undefined: deleted), inside the transaction. */
  onDecisionWritten?(name: string, object: KubeObject | undefined): void;
}

/** Writes the decision and the status; returns how many objects it changed. */
export function writePlacementResult(write: PlacementWrite): number {
  const { writes: tx, registry, scope, placement, result, now } = write;
  const name = placement.metadata.name ?? '';
  const namespace = placement.metadata.namespace ?? '';
  const built = buildPlacementDecisions(
    { name, namespace, uid: placement.metadata.uid ?? '' },
    result.decisions.map((d) => ({ clusterName: d.clusterName, reason: d.reason })),
  );
  const decisionsDef = registry.get(PLACEMENT_DECISIONS);
  // Reading by name, not listing the namespace: a namespace may hold thousands of decisions.
  const existing = new Map<string, KubeObject>();
  const names = new Set([
    ...write.existingDecisions,
    ...built.placementDecisions.map((pd) => pd.metadata.name),
  ]);
  for (const pdName of names) {
    const object = tx.find(decisionsDef, scope, pdName);
    if (object?.metadata.labels?.[PLACEMENT_LABEL] === name) existing.set(pdName, object);
  }
  let writes = 0;
  const written = (pdName: string, object: KubeObject | undefined) => {
    writes++;
    write.onDecisionWritten?.(pdName, object);
  };
  built.placementDecisions.forEach((wanted, i) => {
    const labels = { ...wanted.metadata.labels, [DECISION_INDEX_LABEL]: String(i + 1) };
    const metadata = {
      name: wanted.metadata.name,
      namespace,
      labels,
      ownerReferences: wanted.metadata.ownerReferences,
    };
    const status = wanted.status as unknown as Record<string, unknown>;
    let current = existing.get(wanted.metadata.name);
    existing.delete(wanted.metadata.name);
    if (!current) {
      current = tx.create(decisionsDef, scope, {
        apiVersion: wanted.apiVersion,
        kind: wanted.kind,
        metadata,
      });
      written(wanted.metadata.name, current);
    } else if (
      !deepEqual(current.metadata.ownerReferences, metadata.ownerReferences) ||
      Object.entries(labels).some(([key, value]) => current?.metadata.labels?.[key] !== value)
    ) {
      current = tx.update(decisionsDef, scope, wanted.metadata.name, {
        ...current,
        metadata: {
          ...current.metadata,
          labels: { ...current.metadata.labels, ...labels },
          ownerReferences: metadata.ownerReferences,
        },
      });
      written(wanted.metadata.name, current);
    }
    if (!deepEqual(current.status, status)) {
      const updated = tx.update(
        decisionsDef,
        scope,
        wanted.metadata.name,
        { ...current, status },
        {
          subresource: 'status',
        },
      );
      written(wanted.metadata.name, updated);
    }
  });
  for (const stale of existing.keys()) {
    tx.delete(decisionsDef, scope, stale);
    written(stale, undefined);
  }

  const placementsDef = registry.get(PLACEMENTS);
  const fresh = tx.find(placementsDef, scope, name);
  if (!fresh) return writes;
  const status = placementStatus(fresh, result, built.decisionGroups, now);
  if (!deepEqual(fresh.status, status)) {
    tx.update(placementsDef, scope, name, { ...fresh, status }, { subresource: 'status' });
    writes++;
  }
  return writes;
}
