import { getField, jsonObjects, nowTimestamp, type JsonObject, type KubeObject } from '../api/object.js';

// The status of a ManifestWorkReplicaSet as OCM's controller writes it: a summary counted from the
// ManifestWorks it owns (their overall Applied, Available, Degraded and Progressing conditions, as
// the agents report them) and the conditions PlacementVerified, PlacementRolledOut and
// ManifestworkApplied with OCM's reasons.

export const PLACEMENT_VERIFIED = 'PlacementVerified';
export const PLACEMENT_ROLLED_OUT = 'PlacementRolledOut';
export const MANIFEST_WORK_APPLIED = 'ManifestworkApplied';

export const REASON_AS_EXPECTED = 'AsExpected';
export const REASON_PROCESSING = 'Processing';
export const REASON_NOT_AS_EXPECTED = 'NotAsExpected';
export const REASON_DECISION_NOT_FOUND = 'PlacementDecisionNotFound';
export const REASON_DECISION_EMPTY = 'PlacementDecisionEmpty';
export const REASON_COMPLETE = 'Complete';
export const REASON_PROGRESSING = 'Progressing';
/** kplane's: the manifests were refused before any work was written (see tenant-manifests.ts). */
export const REASON_INVALID_MANIFESTS = 'InvalidManifests';

export interface WantedCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface Summary {
  total: number;
  desiredTotal: number;
  applied: number;
  available: number;
  degraded: number;
  progressing: number;
  updated: number;
}

const isTrue = (work: KubeObject, type: string) =>
  jsonObjects(getField(work, 'status.conditions')).some((c) => c.type === type && c.status === 'True');

/** Counts over the works that exist now; `desired` is how many clusters the placements decided. */
export function summarise(works: readonly KubeObject[], desired: number): Summary {
  const count = (type: string) => works.filter((work) => isTrue(work, type)).length;
  const updated = works.filter((work) =>
    jsonObjects(getField(work, 'status.conditions')).some(
      (c) => c.type === 'Applied' && c.status === 'True' && c.observedGeneration === work.metadata.generation,
    ),
  ).length;
  return {
    total: works.length,
    desiredTotal: desired,
    applied: count('Applied'),
    available: count('Available'),
    degraded: count('Degraded'),
    progressing: count('Progressing'),
    updated,
  };
}

/** Conditions as meta.SetStatusCondition keeps them: the transition time moves only with the status. */
export function withTransitions(
  wanted: readonly WantedCondition[],
  current: unknown,
  generation: number,
  now: Date,
): JsonObject[] {
  const previous = jsonObjects(current);
  return wanted.map((condition) => {
    const before = previous.find((c) => c.type === condition.type);
    const since =
      before?.status === condition.status && typeof before.lastTransitionTime === 'string'
        ? before.lastTransitionTime
        : nowTimestamp(now);
    return { ...condition, lastTransitionTime: since, observedGeneration: generation };
  });
}

/** The clusters whose agent reported the work not applied (the member refused a manifest) or degraded. */
export function failures(works: readonly KubeObject[]): string[] {
  return works.flatMap((work) => {
    const conditions = jsonObjects(getField(work, 'status.conditions'));
    const failed = conditions.find(
      (c) => (c.type === 'Applied' && c.status === 'False') || (c.type === 'Degraded' && c.status === 'True'),
    );
    if (!failed) return [];
    const message =
      typeof failed.message === 'string' && failed.message ? failed.message : String(failed.reason ?? '');
    return [`${work.metadata.namespace ?? ''}: ${message}`];
  });
}

/**
 * ManifestworkApplied from the summary: true once every decided cluster applied its work; false and
 * NotAsExpected, with the members' messages, once a cluster reports a failure (so `deploy --wait` can
 * stop and say why); Processing while the agents are still at it.
 */
export function appliedCondition(summary: Summary, failed: readonly string[] = []): WantedCondition {
  if (failed.length > 0)
    return {
      type: MANIFEST_WORK_APPLIED,
      status: 'False',
      reason: REASON_NOT_AS_EXPECTED,
      message: failed.join('; '),
    };
  if (summary.desiredTotal > 0 && summary.applied === summary.desiredTotal)
    return { type: MANIFEST_WORK_APPLIED, status: 'True', reason: REASON_AS_EXPECTED, message: '' };
  return {
    type: MANIFEST_WORK_APPLIED,
    status: 'False',
    reason: REASON_PROCESSING,
    message: `${summary.applied} of ${summary.desiredTotal} clusters applied the work`,
  };
}
