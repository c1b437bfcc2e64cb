import {
  type DeleteOption,
  type ManifestWork,
  manifestWorkPath,
  type ManifestWorkStatus,
  WORK_CLEANUP_FINALIZER,
} from '../client/ocm-work.js';
import type { RestClient } from '../client/rest-client.js';
import {
  applyManifest,
  type ApplyOutcome,
  resolveManifest,
  type ResolvedManifest,
} from './apply-manifest.js';
import {
  type AppliedManifestWork,
  type AppliedResource,
  getOrCreateAppliedWork,
  recordAppliedResources,
} from './applied-work.js';
import { deleteApplied } from './delete-applied.js';
import type { MemberDiscovery } from './discovery.js';
import { isOrphaned, ownerKey } from './manifest-work.js';
import { configFor, feedbackValues } from './status-feedback.js';
import { workStatusFor } from './work-status.js';

export interface WorkReconcilerDeps {
  hub: RestClient;
  member: RestClient;
  discovery: MemberDiscovery;
  hubHash: string;
  now?: () => string;
}

const workPath = (work: ManifestWork) => manifestWorkPath(work.metadata.namespace, work.metadata.name);
const mergePatch = 'application/merge-patch+json';

/** What one pass did: enough for the agent to know whether this generation of the work is done. */
export interface ReconcileResult {
  /** Manifests the member refused (or could not place): worth another try later. */
  failed: number;
  /** The work was being deleted, and its objects are gone from the member. */
  removed: boolean;
}

/**
 * One level-triggered pass over one ManifestWork, safe to kill at any line and to run again. The record on the
 * member (AppliedManifestWork) is written *before* anything is applied and trimmed only *after* the stale
 * objects are gone, so at every instant it lists at least what the work may have put on the member: a crash
 * can leave an entry too many (deleted next pass, a 404 is done), never an object unaccounted for.
 * Linear in the number of manifests: every lookup across the record, the manifests and the outcomes is keyed.
 */
export async function reconcileWork(deps: WorkReconcilerDeps, work: ManifestWork): Promise<ReconcileResult> {
  const owner = ownerKey(work);
  const deleteOption = work.spec?.deleteOption;
  let applied = await getOrCreateAppliedWork(deps.member, deps.hubHash, work.metadata.name);
  if (work.metadata.deletionTimestamp) {
    await removeAppliedWork(deps.member, applied, owner, deleteOption);
    const finalizers = (work.metadata.finalizers ?? []).filter((f) => f !== WORK_CLEANUP_FINALIZER);
    await setFinalizers(deps.hub, work, finalizers);
    return { failed: 0, removed: true };
  }
  if (!work.metadata.finalizers?.includes(WORK_CLEANUP_FINALIZER)) {
    // OCM's hub keeps a deleted work until its agent cleaned up; the record on the member covers hubs that don't.
    await setFinalizers(deps.hub, work, [...(work.metadata.finalizers ?? []), WORK_CLEANUP_FINALIZER]);
  }

  const resolved: ResolvedManifest[] = [];
  for (const [ordinal, manifest] of (work.spec?.workload?.manifests ?? []).entries()) {
    resolved.push(await resolveManifest(deps.discovery, manifest, ordinal));
  }
  const held = new Map<string, AppliedResource>();
  for (const { ref, resourceMeta } of resolved) {
    if (!ref) continue;
    const { group, version, resource, namespace, name } = resourceMeta;
    held.set(resourceKey(resourceMeta), { group, version, resource, namespace, name, uid: '' });
  }
  const recorded = applied.status?.appliedResources ?? [];
  const recordedKeys = new Set(recorded.map(resourceKey));
  const withHeld = [
    ...recorded,
    ...[...held.values()].filter((entry) => !recordedKeys.has(resourceKey(entry))),
  ];
  if (withHeld.length !== recorded.length)
    applied = await recordAppliedResources(deps.member, applied, withHeld);

  const outcomes: ApplyOutcome[] = [];
  const appliedByKey = new Map<string, ApplyOutcome>();
  for (const entry of resolved) {
    const outcome = await applyManifest(deps.member, entry, owner);
    const rules = configFor(work.spec?.manifestConfigs, outcome.resourceMeta)?.feedbackRules;
    if (rules && outcome.applied)
      outcome.feedback = feedbackValues(rules, outcome.resourceMeta, outcome.live);
    // The live object served its purpose (feedback); holding 1,000 of them until the status is written costs.
    outcome.live = undefined;
    outcomes.push(outcome);
    if (outcome.applied) appliedByKey.set(resourceKey(outcome.resourceMeta), outcome);
  }

  for (const entry of withHeld) {
    if (held.has(resourceKey(entry)) || isOrphaned(deleteOption, entry)) continue;
    await deleteApplied(deps.member, entry, owner);
  }
  const kept = withHeld
    .filter((entry) => held.has(resourceKey(entry)))
    .map((entry) => {
      const outcome = appliedByKey.get(resourceKey(entry));
      return outcome ? { ...entry, version: outcome.resourceMeta.version, uid: outcome.uid } : entry;
    });
  if (JSON.stringify(kept) !== JSON.stringify(applied.status?.appliedResources ?? [])) {
    await recordAppliedResources(deps.member, applied, kept);
  }

  const status = workStatusFor(outcomes, work.status, work.metadata.generation, (deps.now ?? isoNow)());
  if (!sameStatus(status, work.status)) await writeStatus(deps.hub, work, status);
  return { failed: outcomes.length - appliedByKey.size, removed: false };
}

/**
 * Deletes everything a record lists but what the work's deleteOption orphans, then the record itself: for a
 * work deleted on the hub, seen either by its deletionTimestamp or by its absence (then no deleteOption is
 * known, and everything goes, as OCM does for a work that vanished).
 */
export async function removeAppliedWork(
  member: RestClient,
  applied: AppliedManifestWork,
  owner: string,
  deleteOption: DeleteOption | undefined,
): Promise<void> {
  for (const entry of applied.status?.appliedResources ?? []) {
    if (!isOrphaned(deleteOption, entry)) await deleteApplied(member, entry, owner);
  }
  await member.delete(
    `/apis/work.open-cluster-management.io/v1/appliedmanifestworks/${applied.metadata.name}`,
  );
}

/** One key per member object (the version aside: the same object may be applied under another version). */
function resourceKey(entry: { group: string; resource: string; namespace: string; name: string }): string {
  return `${entry.group}/${entry.resource}/${entry.namespace}/${entry.name}`;
}

function isoNow(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function sameStatus(next: ManifestWorkStatus, current: ManifestWorkStatus | undefined): boolean {
  return (
    JSON.stringify(next) ===
    JSON.stringify({ conditions: current?.conditions, resourceStatus: current?.resourceStatus })
  );
}

async function setFinalizers(hub: RestClient, work: ManifestWork, finalizers: string[]): Promise<void> {
  // The resourceVersion makes this a compare-and-swap: a work that changed meanwhile is read again next pass.
  await hub.request('PATCH', workPath(work), {
    body: { metadata: { finalizers, resourceVersion: work.metadata.resourceVersion } },
    contentType: mergePatch,
  });
}

async function writeStatus(hub: RestClient, work: ManifestWork, status: ManifestWorkStatus): Promise<void> {
  await hub.request('PATCH', `${workPath(work)}/status`, { body: { status }, contentType: mergePatch });
}
