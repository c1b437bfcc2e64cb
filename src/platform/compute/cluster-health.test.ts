import { describe, expect, it } from 'vitest';
import {
  clusterHealthChange,
  leaseGraceMs,
  LEASE_UPDATE_STOPPED_MESSAGE,
  LEASE_UPDATE_STOPPED_REASON,
  type HealthCluster,
} from './cluster-health.js';

const AVAILABLE = 'ManagedClusterConditionAvailable';
const UNREACHABLE = 'cluster.open-cluster-management.io/unreachable';
const UNAVAILABLE = 'cluster.open-cluster-management.io/unavailable';
const T0 = Date.parse('2026-12-07T04:00:00Z');
const seconds = (n: number) => T0 + n * 1000;

function cluster(
  available: 'True' | 'False' | 'Unknown' | undefined,
  spec: HealthCluster['spec'] = {},
): HealthCluster {
  return {
    metadata: { name: 'eu-1' },
    spec: { hubAcceptsClient: true, leaseDurationSeconds: 1, ...spec },
    status: {
      conditions: [
        { type: 'ManagedClusterJoined', status: 'True' },
        ...(available ? [{ type: AVAILABLE, status: available, reason: 'ManagedClusterAvailable' }] : []),
      ],
    },
  };
}
// The agent writes MicroTime: six fractional digits.
const lease = (renewedAt: number) => ({
  spec: { renewTime: new Date(renewedAt).toISOString().replace('Z', '000Z') },
});

describe('clusterHealthChange: the hub reading an agent lease', () => {
  it('leaves a fresh lease alone and says when to look again: renewTime + 5 lease durations', () => {
    expect(clusterHealthChange(cluster('True'), lease(T0), seconds(4.9))).toEqual({
      expiresAt: seconds(5),
    });
  });

  it('turns Available Unknown with OCM reason and taints the cluster unreachable once the grace is over', () => {
    const change = clusterHealthChange(cluster('True'), lease(T0), seconds(5));
    expect(change.expiresAt).toBeUndefined();
    expect(change.conditions).toEqual([
      { type: 'ManagedClusterJoined', status: 'True' },
      {
        type: AVAILABLE,
        status: 'Unknown',
        reason: LEASE_UPDATE_STOPPED_REASON,
        message: LEASE_UPDATE_STOPPED_MESSAGE,
        lastTransitionTime: '2026-12-07T04:00:05Z',
      },
    ]);
    expect(change.taints).toEqual([
      { key: UNREACHABLE, effect: 'NoSelect', timeAdded: '2026-12-07T04:00:05Z' },
    ]);
  });

  it('writes nothing more for a cluster already Unknown and tainted (no wake-ups while nothing is due)', () => {
    const stale = cluster('Unknown', {
      taints: [{ key: UNREACHABLE, effect: 'NoSelect', timeAdded: '2026-12-07T04:00:05Z' }],
    });
    expect(clusterHealthChange(stale, lease(T0), seconds(60))).toEqual({});
  });

  it('keeps the unreachable taint while the lease is renewed but the agent has not reported Available yet', () => {
    const back = cluster('Unknown', { taints: [{ key: UNREACHABLE, effect: 'NoSelect' }] });
    expect(clusterHealthChange(back, lease(seconds(60)), seconds(60.5))).toEqual({ expiresAt: seconds(65) });
  });

  it('removes the unreachable taint once the agent renews and reports Available=True, keeping the owner taints', () => {
    const owner = { key: 'kplane.dev/maintenance', value: 'true', effect: 'NoSelect' as const };
    const back = cluster('True', { taints: [owner, { key: UNREACHABLE, effect: 'NoSelect' }] });
    expect(clusterHealthChange(back, lease(seconds(60)), seconds(60.5))).toEqual({
      taints: [owner],
      expiresAt: seconds(65),
    });
  });

  it('taints unavailable (and not unreachable) when the agent reports Available=False', () => {
    const down = cluster('False', { taints: [{ key: UNREACHABLE, effect: 'NoSelect' }] });
    expect(clusterHealthChange(down, lease(T0), seconds(1))).toEqual({
      taints: [{ key: UNAVAILABLE, effect: 'NoSelect', timeAdded: '2026-12-07T04:00:01Z' }],
      expiresAt: seconds(5),
    });
  });

  it('taints unreachable a joined cluster that reports no Available condition at all, as OCM does', () => {
    expect(clusterHealthChange(cluster(undefined), lease(T0), seconds(1)).taints).toEqual([
      { key: UNREACHABLE, effect: 'NoSelect', timeAdded: '2026-12-07T04:00:01Z' },
    ]);
  });

  it.each([
    ['no agent ever joined it (no lease)', cluster('False'), undefined],
    ['it was never accepted and no agent joined it', cluster('True', { hubAcceptsClient: false }), undefined],
    [
      'it is being deleted',
      { ...cluster('True'), metadata: { name: 'eu-1', deletionTimestamp: '2026-12-07T04:00:00Z' } },
      lease(T0),
    ],
  ])('changes nothing when %s', (_why, subject, subjectLease) => {
    expect(clusterHealthChange(subject, subjectLease, seconds(600))).toEqual({});
  });

  it('times a lease the hub found on starting from its start: a hub restart fails no cluster over', () => {
    const startedAt = seconds(600);
    expect(clusterHealthChange(cluster('True'), lease(T0), seconds(601), startedAt)).toEqual({
      expiresAt: seconds(605),
    });
    expect(
      clusterHealthChange(cluster('True'), lease(T0), seconds(605), startedAt).conditions?.[1]?.status,
    ).toBe('Unknown');
    // A lease renewed after the start keeps its own time.
    expect(clusterHealthChange(cluster('True'), lease(seconds(602)), seconds(603), startedAt).expiresAt).toBe(
      seconds(607),
    );
  });

  it('counts a lease without renewTime as run out', () => {
    expect(clusterHealthChange(cluster('True'), { spec: {} }, T0).conditions?.[1]?.status).toBe('Unknown');
  });

  it('makes a denied cluster unschedulable, as OCM does: HubAccepted False (HubClusterAdminDenied), Unknown, unreachable', () => {
    const change = clusterHealthChange(cluster('True', { hubAcceptsClient: false }), lease(T0), seconds(1));
    expect(change.expiresAt).toBeUndefined();
    expect(change.conditions).toEqual([
      { type: 'ManagedClusterJoined', status: 'True' },
      {
        type: 'HubAcceptedManagedCluster',
        status: 'False',
        reason: 'HubClusterAdminDenied',
        message: 'Denied by the platform owner',
        lastTransitionTime: '2026-12-07T04:00:01Z',
      },
      {
        type: AVAILABLE,
        status: 'Unknown',
        reason: 'HubClusterAdminDenied',
        message: 'Denied by the platform owner',
        lastTransitionTime: '2026-12-07T04:00:01Z',
      },
    ]);
    expect(change.taints).toEqual([
      { key: UNREACHABLE, effect: 'NoSelect', timeAdded: '2026-12-07T04:00:01Z' },
    ]);
    // Written once: a denied cluster already marked so is left alone.
    const denied = {
      ...cluster(undefined, { hubAcceptsClient: false, taints: change.taints }),
      status: { conditions: change.conditions },
    };
    expect(clusterHealthChange(denied, lease(T0), seconds(2))).toEqual({});
  });

  it('keeps a denied cluster tainted even when its agent still reports Available=True', () => {
    const denied = cluster('True', {
      hubAcceptsClient: false,
      taints: [{ key: UNREACHABLE, effect: 'NoSelect' }],
    });
    expect(clusterHealthChange(denied, lease(T0), seconds(2)).taints).toBeUndefined();
  });

  it('drops HubAccepted False once the cluster is accepted again', () => {
    const again = cluster('True');
    again.status?.conditions?.push({
      type: 'HubAcceptedManagedCluster',
      status: 'False',
      reason: 'HubClusterAdminDenied',
    });
    expect(clusterHealthChange(again, lease(T0), seconds(1)).conditions).toEqual([
      { type: 'ManagedClusterJoined', status: 'True' },
      { type: AVAILABLE, status: 'True', reason: 'ManagedClusterAvailable' },
      {
        type: 'HubAcceptedManagedCluster',
        status: 'True',
        reason: 'HubClusterAdminAccepted',
        message: 'Accepted by the platform owner',
        lastTransitionTime: '2026-12-07T04:00:01Z',
      },
    ]);
  });

  it('times a renewTime in the future from when the hub saw it: a forged lease keeps nothing Available forever', () => {
    const forged = { spec: { renewTime: '2099-01-01T00:00:00.000000Z' } };
    const seenAt = seconds(10);
    expect(clusterHealthChange(cluster('True'), forged, seconds(11), undefined, seenAt)).toEqual({
      expiresAt: seconds(15),
    });
    expect(
      clusterHealthChange(cluster('True'), forged, seconds(15), undefined, seenAt).conditions?.[1]?.status,
    ).toBe('Unknown');
  });

  it.each([
    [1, 5_000],
    [60, 300_000],
    [undefined, 300_000],
    [0, 300_000],
    // Clamped to one hour: an absurd duration must not keep a dead cluster Available for weeks.
    [429_497, 5 * 3_600_000],
    [Number.MAX_SAFE_INTEGER, 5 * 3_600_000],
  ])('grace for leaseDurationSeconds %s is %i ms (OCM: 5 x, default 60 s)', (duration, grace) => {
    expect(leaseGraceMs({ metadata: {}, spec: { leaseDurationSeconds: duration } })).toBe(grace);
  });
});
