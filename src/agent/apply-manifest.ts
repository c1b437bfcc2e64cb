import { ApiStatusError } from '../client/api-error.js';
import type { FeedbackValue, Manifest, ResourceMeta } from '../client/ocm-work.js';
import type { RestClient } from '../client/rest-client.js';
import { type MemberDiscovery, objectPath, type ResourceRef, splitApiVersion } from './discovery.js';
import { FIELD_MANAGER, WORK_OWNER_LABEL } from './manifest-work.js';

/** A manifest with the member resource it maps to, or why it maps to none. */
export interface ResolvedManifest {
  manifest: Manifest;
  resourceMeta: ResourceMeta;
  ref?: ResourceRef;
  problem?: string;
}

export interface ApplyOutcome {
  resourceMeta: ResourceMeta;
  applied: boolean;
  /** The uid of the object on the member, when applied. */
  uid: string;
  /** The member's own words when it refused the manifest. */
  message: string;
  /** The object as the member stored it (for status feedback). */
  live?: unknown;
  /** OCM statusFeedback values, when the work asks for them. */
  feedback?: FeedbackValue[];
}

export async function resolveManifest(
  discovery: MemberDiscovery,
  manifest: Manifest,
  ordinal: number,
): Promise<ResolvedManifest> {
  const apiVersion = manifest.apiVersion ?? '';
  const kind = manifest.kind ?? '';
  const name = manifest.metadata?.name ?? '';
  const { group, version } = splitApiVersion(apiVersion);
  const resourceMeta: ResourceMeta = {
    ordinal,
    group,
    version,
    kind,
    resource: '',
    name,
    namespace: manifest.metadata?.namespace ?? '',
  };
  if (!apiVersion || !kind || !name) {
    return { manifest, resourceMeta, problem: 'the manifest needs apiVersion, kind and metadata.name' };
  }
  const ref = await discovery.resolve(apiVersion, kind);
  if (!ref) return { manifest, resourceMeta, problem: `the member does not serve ${kind} in ${apiVersion}` };
  resourceMeta.resource = ref.resource;
  if (!ref.namespaced) resourceMeta.namespace = '';
  return { manifest, resourceMeta, ref };
}

/**
 * Applies one manifest to the member by server-side apply under the agent's field manager, labelled with its
 * work so that deletion later only ever touches what a work put there. Force: the work is the source of truth
 * for the fields it sets, as with OCM's ServerSideApply strategy.
 */
export async function applyManifest(
  member: RestClient,
  resolved: ResolvedManifest,
  owner: string,
): Promise<ApplyOutcome> {
  const { manifest, resourceMeta, ref } = resolved;
  if (!ref) return { resourceMeta, applied: false, uid: '', message: resolved.problem ?? 'not applied' };
  const body = {
    ...manifest,
    metadata: { ...manifest.metadata, labels: { ...manifest.metadata?.labels, [WORK_OWNER_LABEL]: owner } },
  };
  try {
    const path = objectPath(ref, resourceMeta.namespace, resourceMeta.name);
    type Stored = { metadata?: { uid?: string } } | undefined;
    let stored = await member.request<Stored>('PATCH', path, {
      body,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: FIELD_MANAGER, force: 'true' },
    });
    // A server that answers an apply without the object: the uid and the status feedback need it.
    if (!stored?.metadata) stored = await member.get<Stored>(path);
    return {
      resourceMeta,
      applied: true,
      uid: stored?.metadata?.uid ?? '',
      message: 'applied by server-side apply',
      live: stored,
    };
  } catch (error) {
    if (error instanceof ApiStatusError)
      return { resourceMeta, applied: false, uid: '', message: error.message };
    throw error;
  }
}
