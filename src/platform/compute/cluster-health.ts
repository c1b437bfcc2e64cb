import {
  AVAILABLE_CONDITION,
  UNAVAILABLE_TAINT_KEY,
  UNREACHABLE_TAINT_KEY,
  type Condition,
  type Taint,
} from '../../placement/index.js';

// What the hub concludes about a joined cluster from its agent's Lease, as OCM's registration hub does
// with two controllers: the lease controller (pkg/registration/hub/lease) turns Available to Unknown
// once the lease has not been renewed for 5 x leaseDurationSeconds, and the taint controller
// (pkg/registration/hub/taint) keeps spec.taints in step with Available (Unknown or missing:
// unreachable; False: unavailable; True: neither). Pure: the cluster, its lease and the time in,
// the writes to make and when to look again out.

/** The Lease an agent renews in its cluster's namespace on the hub (OCM's name). */
export const CLUSTER_LEASE_NAME = 'managed-cluster-lease';
/** OCM's grace period is this many lease durations. */
export const LEASE_DURATION_TIMES = 5;
/** OCM's lease duration when the cluster names none (or 0). */
export const DEFAULT_LEASE_DURATION_SECONDS = 60;
export const LEASE_UPDATE_STOPPED_REASON = 'ManagedClusterLeaseUpdateStopped';
export const LEASE_UPDATE_STOPPED_MESSAGE = 'Registration agent stopped updating its lease.';
/**
 * The longest lease duration the hub honours. The agent picks the duration, so an absurd one (days, or more
 * than a Node timer can hold) would keep a dead cluster Available that long: it is clamped, not refused, so
 * a cluster registered with it still works, just with a 5 h grace.
 */
export const MAX_LEASE_DURATION_SECONDS = 3_600;
export const HUB_ACCEPTED_CONDITION = 'HubAcceptedManagedCluster';
export const DENIED_REASON = 'HubClusterAdminDenied';
export const DENIED_MESSAGE = 'Denied by the platform owner';

export interface HealthCluster {
  metadata: { name?: string; deletionTimestamp?: string };
  spec?: { hubAcceptsClient?: boolean; leaseDurationSeconds?: number; taints?: Taint[] };
  status?: { conditions?: Condition[] };
}

export interface HealthLease {
  spec?: { renewTime?: string };
}

export interface ClusterHealthChange {
  /** status.conditions as they must be, when Available has to change. */
  conditions?: Condition[];
  /** spec.taints as they must be, when they have to change. */
  taints?: Taint[];
  /** While the lease is fresh: the moment (ms since epoch) it runs out, to look again then. */
  expiresAt?: number;
}

/** The grace period in ms: 5 lease durations, OCM's default lease when the cluster names none. */
export function leaseGraceMs(cluster: HealthCluster): number {
  const seconds = cluster.spec?.leaseDurationSeconds;
  const duration =
    typeof seconds === 'number' && seconds > 0
      ? Math.min(seconds, MAX_LEASE_DURATION_SECONDS)
      : DEFAULT_LEASE_DURATION_SECONDS;
  return LEASE_DURATION_TIMES * duration * 1000;
}

/**
 * What to write for `cluster` given its `lease` at `now` (ms since epoch): nothing (`{}`) for a cluster
 * that was never accepted or that no agent ever joined (no lease: the demo inventory and clusters
 * registered by hand keep whatever they have), nor for one being deleted.
 *
 * `heardSince`: the grace never starts before this moment. The hub passes its start time for a lease it
 * found on starting, because it could not have heard a renewal while it was down: a hub restart longer
 * than the grace period must not fail every cluster over (Kubernetes' node lifecycle controller likewise
 * times a node's heartbeat from when it first observed it).
 *
 * `seenAt`: when the hub first saw this renewTime. A renewal cannot have happened after the hub saw it, so a
 * renewTime in the future (a skewed clock, or an agent writing 2099) counts from then and runs out as usual.
 *
 * A cluster an agent joined and the owner then denied is made unschedulable as OCM's hub does: its
 * HubAcceptedManagedCluster condition turns False (HubClusterAdminDenied), Available Unknown, and it is
 * tainted unreachable whatever its agent still reports, so placements move off it.
 */
export function clusterHealthChange(
  cluster: HealthCluster,
  lease: HealthLease | undefined,
  now: number,
  heardSince = Number.NEGATIVE_INFINITY,
  seenAt = Number.POSITIVE_INFINITY,
): ClusterHealthChange {
  if (lease === undefined || cluster.metadata.deletionTimestamp !== undefined) return {};
  if (cluster.spec?.hubAcceptsClient !== true) return deniedChange(cluster, now);
  const change: ClusterHealthChange = {};
  const renewed = Date.parse(lease.spec?.renewTime ?? '');
  // A lease that was never renewed (no renewTime) counts as run out.
  const renewedAt = Number.isNaN(renewed) ? Number.NEGATIVE_INFINITY : Math.min(renewed, seenAt);
  const expiresAt = Math.max(renewedAt, heardSince) + leaseGraceMs(cluster);
  let conditions = cluster.status?.conditions ?? [];
  const hubAccepted = conditions.find((c) => c.type === HUB_ACCEPTED_CONDITION);
  if (hubAccepted?.status === 'False') {
    conditions = [
      ...conditions.filter((c) => c !== hubAccepted),
      condition(
        HUB_ACCEPTED_CONDITION,
        'True',
        'HubClusterAdminAccepted',
        'Accepted by the platform owner',
        now,
      ),
    ];
    change.conditions = conditions;
  }
  if (now < expiresAt) {
    change.expiresAt = expiresAt;
  } else if (findAvailable(conditions)?.status !== 'Unknown') {
    conditions = [
      ...conditions.filter((c) => c.type !== AVAILABLE_CONDITION),
      {
        type: AVAILABLE_CONDITION,
        status: 'Unknown',
        reason: LEASE_UPDATE_STOPPED_REASON,
        message: LEASE_UPDATE_STOPPED_MESSAGE,
        lastTransitionTime: timestamp(now),
      },
    ];
    change.conditions = conditions;
  }
  const taints = taintsFor(findAvailable(conditions)?.status, cluster.spec?.taints ?? [], now);
  if (taints) change.taints = taints;
  return change;
}

/** A denied cluster: HubAccepted False and Available Unknown (once), tainted unreachable (kept). */
function deniedChange(cluster: HealthCluster, now: number): ClusterHealthChange {
  const change: ClusterHealthChange = {};
  const conditions = cluster.status?.conditions ?? [];
  const marked = (type: string, status: Condition['status']) =>
    conditions.some((c) => c.type === type && c.status === status && c.reason === DENIED_REASON);
  if (!marked(HUB_ACCEPTED_CONDITION, 'False') || !marked(AVAILABLE_CONDITION, 'Unknown'))
    change.conditions = [
      ...conditions.filter((c) => c.type !== HUB_ACCEPTED_CONDITION && c.type !== AVAILABLE_CONDITION),
      condition(HUB_ACCEPTED_CONDITION, 'False', DENIED_REASON, DENIED_MESSAGE, now),
      condition(AVAILABLE_CONDITION, 'Unknown', DENIED_REASON, DENIED_MESSAGE, now),
    ];
  // Unreachable whatever Available says: the agent of a denied cluster may still report True.
  const taints = taintsFor('Unknown', cluster.spec?.taints ?? [], now);
  if (taints) change.taints = taints;
  return change;
}

function condition(
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  now: number,
): Condition {
  return { type, status, reason, message, lastTransitionTime: timestamp(now) };
}

const findAvailable = (conditions: readonly Condition[]) =>
  conditions.find((c) => c.type === AVAILABLE_CONDITION);

/** The taints OCM's taint controller wants for an Available status, or undefined when `taints` are right. */
function taintsFor(
  available: Condition['status'] | undefined,
  taints: readonly Taint[],
  now: number,
): Taint[] | undefined {
  const wanted =
    available === 'True' ? undefined : available === 'False' ? UNAVAILABLE_TAINT_KEY : UNREACHABLE_TAINT_KEY;
  const unwanted = [UNAVAILABLE_TAINT_KEY, UNREACHABLE_TAINT_KEY].filter((key) => key !== wanted);
  const kept = taints.filter((t) => !unwanted.includes(t.key));
  const missing = wanted !== undefined && !kept.some((t) => t.key === wanted && t.effect === 'NoSelect');
  if (!missing && kept.length === taints.length) return undefined;
  // timeAdded is when the cluster became unreachable: tolerationSeconds count from it.
  return missing ? [...kept, { key: wanted, effect: 'NoSelect', timeAdded: timestamp(now) }] : kept;
}

/** RFC 3339 to the second, as metav1.Time is written. */
function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}
