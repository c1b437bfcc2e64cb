import { createHash } from 'node:crypto';
import { isStatusCode } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';
import { appliedManifestWorkCrd } from './applied-manifest-work-crd.js';

// OCM's AppliedManifestWork: the agent's record, kept on the member itself, of every object it applied for one
// ManifestWork. It is what lets the agent delete what a work no longer holds, and everything of a work that
// vanished from the hub, whatever happened to the agent or the hub in between.

const CRD_NAME = 'appliedmanifestworks.work.open-cluster-management.io';
export const appliedWorksPath = '/apis/work.open-cluster-management.io/v1/appliedmanifestworks';

/** AppliedManifestResourceMeta: one object the agent applied (uid empty until the apply answered). */
export interface AppliedResource {
  group: string;
  version: string;
  resource: string;
  namespace: string;
  name: string;
  uid: string;
}

export interface AppliedManifestWork {
  apiVersion: string;
  kind: string;
  metadata: { name: string; resourceVersion?: string };
  spec: { hubHash: string; manifestWorkName: string; agentID?: string };
  status?: { appliedResources?: AppliedResource[] };
}

/**
 * Names this agent's records apart from another hub's (OCM: a hash of the hub's URL). The cluster name is in it
 * too, so two agents for two clusters of one hub never read each other's records on a shared member.
 */
export function hubHashFor(hubUrl: string, clusterName: string): string {
  return createHash('sha256').update(`${hubUrl}\n${clusterName}`).digest('hex').slice(0, 32);
}

export const appliedWorkName = (hubHash: string, workName: string) => `${hubHash}-${workName}`;

/** Installs OCM's AppliedManifestWork CRD on a member that lacks it, as the klusterlet does. */
export async function ensureAppliedWorkCrd(member: RestClient): Promise<void> {
  const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions`;
  try {
    await member.get(`${crdPath}/${CRD_NAME}`);
  } catch (error) {
    if (!isStatusCode(error, 404)) throw error;
    await member.post(crdPath, appliedManifestWorkCrd).catch((createError: unknown) => {
      if (!isStatusCode(createError, 409)) throw createError;
    });
  }
}

export async function getOrCreateAppliedWork(
  member: RestClient,
  hubHash: string,
  workName: string,
): Promise<AppliedManifestWork> {
  const name = appliedWorkName(hubHash, workName);
  try {
    return await member.get<AppliedManifestWork>(`${appliedWorksPath}/${name}`);
  } catch (error) {
    if (!isStatusCode(error, 404)) throw error;
  }
  return member.post<AppliedManifestWork>(appliedWorksPath, {
    apiVersion: 'work.open-cluster-management.io/v1',
    kind: 'AppliedManifestWork',
    metadata: { name },
    spec: { hubHash, manifestWorkName: workName, agentID: 'kplane-agent' },
  });
}

export async function listAppliedWorks(member: RestClient, hubHash: string): Promise<AppliedManifestWork[]> {
  const list = await member.get<{ items?: AppliedManifestWork[] }>(appliedWorksPath);
  return (list.items ?? []).filter((item) => item.spec?.hubHash === hubHash);
}

/** Replaces the record's list; returns the stored object. */
export async function recordAppliedResources(
  member: RestClient,
  applied: AppliedManifestWork,
  appliedResources: AppliedResource[],
): Promise<AppliedManifestWork> {
  return member.request<AppliedManifestWork>('PATCH', `${appliedWorksPath}/${applied.metadata.name}/status`, {
    body: { status: { appliedResources } },
    contentType: 'application/merge-patch+json',
  });
}
