import type { ApplyOutcome } from './apply-manifest.js';
import type { Condition, ManifestCondition, ManifestWorkStatus } from '../client/ocm-work.js';

/**
 * The status a work should have after one apply round (pure). A condition keeps its lastTransitionTime while its
 * status stays the same, so an unchanged work produces an identical status and the agent writes nothing.
 * Available means the object exists on the member (OCM's meaning); an applied manifest exists.
 */
export function workStatusFor(
  outcomes: readonly ApplyOutcome[],
  previous: ManifestWorkStatus | undefined,
  generation: number | undefined,
  now: string,
): ManifestWorkStatus {
  const previousByOrdinal = new Map(
    (previous?.resourceStatus?.manifests ?? []).map((entry) => [entry.resourceMeta.ordinal, entry]),
  );
  const manifests: ManifestCondition[] = outcomes.map((outcome) => {
    const before = previousByOrdinal.get(outcome.resourceMeta.ordinal);
    const applied = outcome.applied ? 'True' : 'False';
    return {
      resourceMeta: outcome.resourceMeta,
      conditions: [
        condition(
          before?.conditions,
          'Applied',
          applied,
          outcome.applied ? 'AppliedManifestComplete' : 'AppliedManifestFailed',
          outcome.message,
          now,
        ),
        condition(
          before?.conditions,
          'Available',
          applied,
          outcome.applied ? 'ResourceAvailable' : 'ResourceNotAvailable',
          outcome.applied ? 'the object exists on the member' : 'the object is not on the member',
          now,
        ),
        ...(outcome.feedback
          ? [
              condition(
                before?.conditions,
                'StatusFeedbackSynced',
                'True',
                'StatusFeedbackSynced',
                `${outcome.feedback.length} values read from the member`,
                now,
              ),
            ]
          : []),
      ],
      ...(outcome.feedback ? { statusFeedback: { values: outcome.feedback } } : {}),
    };
  });
  const failures = outcomes.filter((outcome) => !outcome.applied);
  const failed = failures.length;
  const all = failed === 0 ? 'True' : 'False';
  // The first refusal in the member's own words, so whoever reads only the work's condition (a deploy's
  // status) learns why, not just how many.
  const first = failures[0];
  const summary =
    failed === 0
      ? `all ${outcomes.length} manifests applied`
      : `${failed} of ${outcomes.length} manifests failed to apply; ${first!.resourceMeta.kind} ${first!.resourceMeta.name}: ${first!.message}`;
  const conditions = [
    condition(
      previous?.conditions,
      'Applied',
      all,
      failed === 0 ? 'AppliedManifestWorkComplete' : 'AppliedManifestWorkFailed',
      summary,
      now,
      generation,
    ),
    condition(
      previous?.conditions,
      'Available',
      all,
      failed === 0 ? 'ResourcesAvailable' : 'ResourcesNotAvailable',
      summary,
      now,
      generation,
    ),
  ];
  return { conditions, resourceStatus: { manifests } };
}

function condition(
  previous: readonly Condition[] | undefined,
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  now: string,
  observedGeneration?: number,
): Condition {
  const before = previous?.find((entry) => entry.type === type);
  const lastTransitionTime = (before?.status === status ? before.lastTransitionTime : undefined) ?? now;
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime,
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
}
