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
  sameResource,
} from './applied-work.js';
import { deleteApplied } from './delete-applied.js';
import type { MemberDiscovery } from './discovery.js';
import {
  type ManifestWork,
  type ManifestWorkStatus,
  ownerKey,
  WORK_CLEANUP_FINALIZER,
} from './manifest-work.js';
import { configFor, feedbackValues } from './status-feedback.js';
import { workStatusFor } from './work-status.js';

export interface WorkReconcilerDeps {
  hub: RestClient;
  member: RestClient;
  discovery: MemberDiscovery;
  hubHash: string;
  now?: () => string;
}

export const worksPath = (clusterNamespace: string) =>
  `/apis/work.open-cluster-management.io/v1/namespaces/${encodeURIComponent(clusterNamespace)}/manifestworks`;

const workPath = (work: ManifestWork) =>
  `${worksPath(work.metadata.namespace)}/${encodeURIComponent(work.metadata.name)}`;
const mergePatch = 'application/merge-patch+json';

/**
 * One level-triggered pass over one ManifestWork, safe to kill at any line and to run again. The record on the
 * member (AppliedManifestWork) is written *before* anything is applied and trimmed only *after* the stale
 * objects are gone, so at every instant it lists at least what the work may have put on the member: a crash
 * can leave an entry too many (deleted next pass, a 404 is done), never an object unaccounted for.
 */
export async function reconcileWork(deps: WorkReconcilerDeps, work: ManifestWork): Promise<void> {
  const owner = ownerKey(work);
  let applied = await getOrCreateAppliedWork(deps.member, deps.hubHash, work.metadata.name);
  if (work.metadata.deletionTimestamp) {
    await removeAppliedWork(
      deps.member,
      applied,
      owner,
      work.spec?.deleteOption?.propagationPolicy === 'Orphan',
    );
    const finalizers = (work.metadata.finalizers ?? []).filter((f) => f !== WORK_CLEANUP_FINALIZER);
    await setFinalizers(deps.hub, work, finalizers);
    return;
  }
  if (!work.metadata.finalizers?.includes(WORK_CLEANUP_FINALIZER)) {
    // OCM's hub keeps a deleted work until its agent cleaned up; the record on the member covers hubs that don't.
    await setFinalizers(deps.hub, work, [...(work.metadata.finalizers ?? []), WORK_CLEANUP_FINALIZER]);
  }

  const resolved: ResolvedManifest[] = [];
  for (const [ordinal, manifest] of (work.spec?.workload?.manifests ?? []).entries()) {
    resolved.push(await resolveManifest(deps.discovery, manifest, ordinal));
  }
  const held: AppliedResource[] = resolved
    .filter((entry) => entry.ref)
    .map(({ resourceMeta: { group, version, resource, namespace, name } }) => ({
      group,
      version,
      resource,
      namespace,
      name,
      uid: '',
    }));
  const recorded = applied.status?.appliedResources ?? [];
  const withHeld = [...recorded, ...held.filter((entry) => !recorded.some((r) => sameResource(r, entry)))];
  if (withHeld.length !== recorded.length)
    applied = await recordAppliedResources(deps.member, applied, withHeld);

  const outcomes: ApplyOutcome[] = [];
  for (const entry of resolved) {
    const outcome = await applyManifest(deps.member, entry, owner);
    const rules = configFor(work.spec?.manifestConfigs, outcome.resourceMeta)?.feedbackRules;
    if (rules && outcome.applied)
      outcome.feedback = feedbackValues(rules, outcome.resourceMeta, outcome.live);
    outcomes.push(outcome);
  }

  const orphan = work.spec?.deleteOption?.propagationPolicy === 'Orphan';
  for (const entry of withHeld) {
    if (orphan || held.some((h) => sameResource(h, entry))) continue;
    await deleteApplied(deps.member, entry, owner);
  }
  const kept = withHeld
    .filter((entry) => held.some((h) => sameResource(h, entry)))
    .map((entry) => {
      const outcome = outcomes.find((o) => o.applied && sameResource(o.resourceMeta, entry));
      return outcome ? { ...entry, version: outcome.resourceMeta.version, uid: outcome.uid } : entry;
    });
  if (JSON.stringify(kept) !== JSON.stringify(applied.status?.appliedResources ?? [])) {
    await recordAppliedResources(deps.member, applied, kept);
  }

  const status = workStatusFor(outcomes, work.status, work.metadata.generation, (deps.now ?? isoNow)());
  if (!sameStatus(status, work.status)) await writeStatus(deps.hub, work, status);
}

/**
 * Deletes everything a record lists (unless the work orphans it), then the record itself: for a work deleted on
 * the hub, seen either by its deletionTimestamp or by its absence.
 */
export async function removeAppliedWork(
  member: RestClient,
  applied: AppliedManifestWork,
  owner: string,
  orphan: boolean,
): Promise<void> {
  if (!orphan) {
    for (const entry of applied.status?.appliedResources ?? []) await deleteApplied(member, entry, owner);
  }
  await member.delete(
    `/apis/work.open-cluster-management.io/v1/appliedmanifestworks/${applied.metadata.name}`,
  );
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
