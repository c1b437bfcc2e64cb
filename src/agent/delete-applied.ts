import { isStatusCode } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';
import type { AppliedResource } from './applied-work.js';
import { objectPath } from './discovery.js';
import { WORK_OWNER_LABEL } from './manifest-work.js';

interface LiveObject {
  metadata?: { uid?: string; labels?: Record<string, string> };
}

/**
 * Deletes one object a work applied and no longer holds, but only while it still carries this work's owner
 * label (and, when the record knows it, the uid the agent created): an object someone else took over or
 * recreated is left alone. Gone already counts as done, so a retry after a crash is harmless.
 */
export async function deleteApplied(
  member: RestClient,
  resource: AppliedResource,
  owner: string,
): Promise<void> {
  const path = objectPath(
    { ...resource, kind: '', namespaced: resource.namespace !== '' },
    resource.namespace,
    resource.name,
  );
  try {
    const live = await member.get<LiveObject>(path);
    if (live.metadata?.labels?.[WORK_OWNER_LABEL] !== owner) return;
    if (resource.uid && live.metadata?.uid !== resource.uid) return;
    await member.delete(path, { body: { propagationPolicy: 'Background' } });
  } catch (error) {
    if (isStatusCode(error, 404)) return;
    throw error;
  }
}
