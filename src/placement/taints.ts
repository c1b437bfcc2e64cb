// Taints and tolerations, as OCM's tainttoleration filter plugin judges them, plus the availability taints OCM's
// registration controller adds for clusters that stop reporting (so an unavailable cluster is filtered the same
// way and can be tolerated the same way, e.g. `--tolerate cluster.open-cluster-management.io/unreachable`).
import {
  AVAILABLE_CONDITION,
  type ManagedCluster,
  type Taint,
  type Toleration,
  UNAVAILABLE_TAINT_KEY,
  UNREACHABLE_TAINT_KEY,
} from './types.js';

/** OCM's Misconfigured messages for tolerations it refuses to evaluate, or undefined when all are fine. */
export function tolerationsProblem(tolerations: readonly Toleration[]): string | undefined {
  for (const t of tolerations) {
    const operator = t.operator ?? 'Equal';
    if (operator !== 'Equal' && operator !== 'Exists')
      return `toleration operator ${JSON.stringify(operator as string)} is not Equal or Exists`;
    if ((t.key ?? '') === '' && operator !== 'Exists') return 'If the key is empty, operator must be Exists.';
    if (operator === 'Exists' && (t.value ?? '') !== '')
      return 'If the operator is Exists, the value should be empty.';
  }
  return undefined;
}

/** `key=value:Effect`, or `key:Effect` for a taint without a value. */
export function formatTaint(taint: Taint): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
}

/** A taint with a note on why it is there when the cluster's status implied it rather than its spec. */
export interface EffectiveTaint extends Taint {
  impliedBy?: string;
}

/**
 * The cluster's taints, plus `unavailable` (Available False) or `unreachable` (Available Unknown or missing)
 * with effect NoSelect when the cluster does not already carry it, timed from the condition's last transition.
 */
export function effectiveTaints(cluster: ManagedCluster): readonly EffectiveTaint[] {
  const own = cluster.spec?.taints ?? [];
  const available = cluster.status?.conditions?.find((c) => c.type === AVAILABLE_CONDITION);
  if (available?.status === 'True') return own;
  const taints: EffectiveTaint[] = [...own];
  const key = available?.status === 'False' ? UNAVAILABLE_TAINT_KEY : UNREACHABLE_TAINT_KEY;
  if (taints.some((t) => t.key === key)) return taints;
  const impliedBy =
    available === undefined
      ? `no ${AVAILABLE_CONDITION} condition`
      : `${AVAILABLE_CONDITION} is ${available.status}${available.reason ? ` (${available.reason})` : ''}`;
  const implied: EffectiveTaint = { key, effect: 'NoSelect', impliedBy };
  if (available?.lastTransitionTime !== undefined) implied.timeAdded = available.lastTransitionTime;
  taints.push(implied);
  return taints;
}

/** Whether a taint marks the cluster as not available (OCM's registration taints). */
export function isAvailabilityTaint(taint: Taint): boolean {
  return taint.key === UNAVAILABLE_TAINT_KEY || taint.key === UNREACHABLE_TAINT_KEY;
}

export interface TolerationVerdict {
  tolerated: boolean;
  /** When a toleration with tolerationSeconds covers the taint: the moment (ms since epoch) it runs out. */
  until?: number;
  /** Set when a matching toleration existed but its tolerationSeconds have run out. */
  expiredAt?: number;
}

function tolerationMatches(taint: Taint, t: Toleration): boolean {
  if (t.effect !== undefined && t.effect !== taint.effect) return false;
  if ((t.key ?? '') !== '' && t.key !== taint.key) return false;
  return (t.operator ?? 'Equal') === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/**
 * Whether some toleration covers the taint at `now` (ms since epoch), ignoring what the taint's effect means
 * for selection. tolerationSeconds count from the taint's timeAdded; a taint without timeAdded is treated as
 * added long ago, as OCM's zero time is, so a timed toleration does not cover it.
 */
export function findToleration(
  taint: Taint,
  tolerations: readonly Toleration[],
  now: number,
): TolerationVerdict {
  let expiredAt: number | undefined;
  for (const t of tolerations) {
    if (!tolerationMatches(taint, t)) continue;
    if (t.tolerationSeconds === undefined) return { tolerated: true };
    const added = taint.timeAdded === undefined ? Number.NEGATIVE_INFINITY : Date.parse(taint.timeAdded);
    const until = added + t.tolerationSeconds * 1000;
    if (now < until) return { tolerated: true, until };
    expiredAt = Number.isFinite(until) ? until : undefined;
  }
  return expiredAt === undefined ? { tolerated: false } : { tolerated: false, expiredAt };
}

/**
 * Whether the taint keeps a cluster out of the placement: NoSelect unless tolerated; NoSelectIfNew unless
 * tolerated or the cluster was already chosen last time; PreferNoSelect never (it only lowers the score).
 */
export function taintBlocks(
  taint: Taint,
  tolerations: readonly Toleration[],
  previouslyChosen: boolean,
  now: number,
): TolerationVerdict {
  if (taint.effect === 'PreferNoSelect') return { tolerated: true };
  if (taint.effect === 'NoSelectIfNew' && previouslyChosen) return { tolerated: true };
  return findToleration(taint, tolerations, now);
}
