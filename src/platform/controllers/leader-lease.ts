import { randomUUID } from 'node:crypto';
import { isPlainObject, nowTimestamp, type KubeObject } from '../api/object.js';
import type { ObjectKey } from '../storage/object-key.js';
import { ROOT_CLUSTER_ID } from '../tenancy/paths.js';
import { LEASES } from './cluster-lease-controller.js';

// The coordination.k8s.io/v1 Lease the platform's replicas elect their controllers' leader on, read and
// written as client-go's LeaseLock reads and writes it (resourcelock/leaselock.go), so `kubectl get lease`
// and any tool that knows client-go's leases read it as they read kube-controller-manager's.

/** In the root logical cluster, where kube-controller-manager keeps its own: kube-system. */
export const CONTROLLERS_LEASE_KEY: ObjectKey = {
  cluster: ROOT_CLUSTER_ID,
  resource: LEASES,
  namespace: 'kube-system',
  name: 'kplane-controllers',
};

/** client-go's LeaderElectionRecord: the Lease's spec, the part candidates compare. */
export interface LeaseRecord {
  /** Empty when nobody holds it (released). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

/** The Lease's record, or undefined when there is no Lease. Missing or malformed fields read as empty. */
export function readLeaseRecord(lease: KubeObject | undefined): LeaseRecord | undefined {
  if (!lease) return undefined;
  const spec = isPlainObject(lease.spec) ? lease.spec : {};
  const record: LeaseRecord = {
    holderIdentity: typeof spec.holderIdentity === 'string' ? spec.holderIdentity : '',
    leaseDurationSeconds: wholeNumber(spec.leaseDurationSeconds),
    leaseTransitions: wholeNumber(spec.leaseTransitions),
  };
  if (typeof spec.acquireTime === 'string') record.acquireTime = spec.acquireTime;
  if (typeof spec.renewTime === 'string') record.renewTime = spec.renewTime;
  return record;
}

/** Whether two reads found the same record: any write by the holder (a renewal) changes renewTime. */
export function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/**
 * The Lease to store for `record`: the existing object with its spec replaced (its uid, creation time
 * and labels kept), or a new one stamped as the API server stamps a created object.
 */
export function leaseObject(
  key: ObjectKey,
  existing: KubeObject | undefined,
  record: LeaseRecord,
  now: Date,
): KubeObject {
  const metadata = existing
    ? { ...existing.metadata }
    : {
        name: key.name,
        namespace: key.namespace,
        uid: randomUUID(),
        creationTimestamp: nowTimestamp(now),
      };
  delete metadata.resourceVersion;
  // managedFields would claim fields for whoever wrote them last; this writer is not a field manager.
  delete metadata.managedFields;
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec: { ...record } };
}

/**
 * metav1.MicroTime as it travels: RFC 3339 in UTC with exactly six fractional digits
 * (`2006-01-02T15:04:05.000000Z`). JavaScript's clock has milliseconds, so the last three are zeros.
 */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function wholeNumber(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}
