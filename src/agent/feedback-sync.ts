import { isStatusCode } from '../client/api-error.js';
import { findCondition, type ManifestWork, manifestWorkPath } from '../client/ocm-work.js';
import type { RestClient } from '../client/rest-client.js';
import { objectPath } from './discovery.js';
import { configFor, feedbackValues } from './status-feedback.js';

// OCM's status controller, beside the apply: the objects a work applied change on the member on their own (a
// Deployment becomes ready), and the work's statusFeedback must follow without the work being applied again. Only
// the objects a feedback rule names are read, one GET each, and the status is written only when a value moved.

/** Reads the fed-back objects of one applied work again; true when it wrote a new status to the hub. */
export async function refreshFeedback(
  hub: RestClient,
  member: RestClient,
  work: ManifestWork,
): Promise<boolean> {
  const configs = work.spec?.manifestConfigs;
  const manifests = work.status?.resourceStatus?.manifests;
  if (!configs?.length || !manifests?.length) return false;
  let changed = false;
  const next = [];
  for (const entry of manifests) {
    const rules = configFor(configs, entry.resourceMeta)?.feedbackRules;
    if (!rules || findCondition(entry.conditions, 'Applied')?.status !== 'True') {
      next.push(entry);
      continue;
    }
    const meta = entry.resourceMeta;
    const path = objectPath({ ...meta, namespaced: meta.namespace !== '' }, meta.namespace, meta.name);
    let live: unknown;
    try {
      live = await member.get(path);
    } catch (error) {
      // Gone from the member: drift, which the next full resync repairs; nothing to read meanwhile.
      if (isStatusCode(error, 404)) {
        next.push(entry);
        continue;
      }
      throw error;
    }
    const values = feedbackValues(rules, meta, live);
    if (JSON.stringify(values) === JSON.stringify(entry.statusFeedback?.values ?? [])) next.push(entry);
    else {
      changed = true;
      next.push({ ...entry, statusFeedback: { values } });
    }
  }
  if (!changed) return false;
  await hub.request('PATCH', `${manifestWorkPath(work.metadata.namespace, work.metadata.name)}/status`, {
    body: { status: { resourceStatus: { manifests: next } } },
    contentType: 'application/merge-patch+json',
  });
  return true;
}
