import { isPlainObject, jsonObjects, nowTimestamp, type KubeObject } from '../api/object.js';

// A CRD's status as kube-apiserver's controllers leave it once they have looked at it: names
// accepted (or why not), Established when they are, acceptedNames and storedVersions. The platform
// decides at once, on every write of the CRD, so `kubectl wait --for condition=Established` returns
// as soon as the CRD is created.

export interface NameConflict {
  reason: string;
  message: string;
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/** Keeps lastTransitionTime when the status did not change, as conditions do. */
function merge(previous: Record<string, unknown>[], next: Condition[], now: string): Condition[] {
  return next.map((condition) => {
    const before = previous.find((p) => p.type === condition.type);
    const unchanged = before?.status === condition.status && typeof before.lastTransitionTime === 'string';
    return { ...condition, lastTransitionTime: unchanged ? (before.lastTransitionTime as string) : now };
  });
}

/** The spec's names with singular and listKind filled in, as the apiserver defaults them. */
export function defaultedNames(names: Record<string, unknown>): Record<string, unknown> {
  const kind = typeof names.kind === 'string' ? names.kind : '';
  return {
    ...names,
    singular: typeof names.singular === 'string' && names.singular ? names.singular : kind.toLowerCase(),
    listKind: typeof names.listKind === 'string' && names.listKind ? names.listKind : `${kind}List`,
  };
}

/** Sets status.conditions, acceptedNames and storedVersions on `crd` (a valid CRD about to be stored). */
export function setCrdStatus(
  crd: KubeObject,
  old: KubeObject | undefined,
  conflict: NameConflict | undefined,
): void {
  const spec = crd.spec as Record<string, unknown>;
  const status = isPlainObject(old?.status) ? { ...old.status } : {};
  const now = nowTimestamp();
  const storage = jsonObjects(spec.versions).find((v) => v.storage === true)?.name;
  const stored = Array.isArray(status.storedVersions)
    ? (status.storedVersions as unknown[]).filter((v) => typeof v === 'string')
    : [];
  if (typeof storage === 'string' && !stored.includes(storage)) stored.push(storage);
  const names = defaultedNames(isPlainObject(spec.names) ? spec.names : {});
  const conditions: Condition[] = conflict
    ? [
        { type: 'NamesAccepted', status: 'False', reason: conflict.reason, message: conflict.message },
        {
          type: 'Established',
          status: 'False',
          reason: 'NotAccepted',
          message: 'not all names are accepted',
        },
      ]
    : [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
        },
      ];
  crd.status = {
    conditions: merge(jsonObjects(status.conditions), conditions, now),
    acceptedNames: conflict
      ? isPlainObject(status.acceptedNames)
        ? status.acceptedNames
        : { plural: '', kind: '' }
      : names,
    storedVersions: stored,
  };
}

/** Whether the stored CRD is Established: only then are its kinds served. */
export function isEstablished(crd: KubeObject): boolean {
  const conditions = isPlainObject(crd.status) ? jsonObjects(crd.status.conditions) : [];
  return conditions.some((c) => c.type === 'Established' && c.status === 'True');
}
