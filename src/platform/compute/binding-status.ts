import { findCondition, getField, isPlainObject, nowTimestamp, type KubeObject } from '../api/object.js';
import { BOUND_CONDITION, BOUND_REASON, NOT_BOUND_REASON } from './constants.js';

// ManagedClusterSetBinding.status as OCM's registration controller keeps it: condition Bound, True
// while the set exists, False (ClusterSetNotFound) while it does not. A binding to a missing set is
// stored anyway; it starts to count the moment the set appears.

export interface BindingCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export function boundCondition(
  setName: string,
  setExists: boolean,
  now: Date = new Date(),
): BindingCondition {
  return {
    type: BOUND_CONDITION,
    status: setExists ? 'True' : 'False',
    reason: setExists ? BOUND_REASON : NOT_BOUND_REASON,
    message: `ManagedClusterSet ${setName} ${setExists ? 'is bound' : 'does not exist'}`,
    lastTransitionTime: nowTimestamp(now),
  };
}

/** The set a ManagedClusterSetBinding names; '' when it names none. */
export function clusterSetOf(binding: KubeObject): string {
  const set = getField(binding, 'spec.clusterSet');
  return typeof set === 'string' ? set : '';
}

/** The status the binding should have, or undefined when it already has it (times kept). */
export function wantedBindingStatus(
  binding: KubeObject,
  setExists: boolean,
  now: Date = new Date(),
): Record<string, unknown> | undefined {
  const wanted = boundCondition(clusterSetOf(binding), setExists, now);
  const conditions = getField(binding, 'status.conditions');
  const current = findCondition(binding, BOUND_CONDITION);
  if (
    current &&
    current.status === wanted.status &&
    current.reason === wanted.reason &&
    current.message === wanted.message
  )
    return undefined;
  const others = Array.isArray(conditions)
    ? (conditions as unknown[]).filter((c) => !(isPlainObject(c) && c.type === BOUND_CONDITION))
    : [];
  const status = isPlainObject(binding.status) ? { ...binding.status } : {};
  return { ...status, conditions: [...others, wanted] };
}
