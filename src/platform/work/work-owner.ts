import { createHash } from 'node:crypto';
import type { KubeObject } from '../api/object.js';
import { OWNER_ANNOTATION, OWNER_LABEL } from './work-names.js';

// Which replica set owns a ManifestWork: spelled out in an annotation (`<workspace id>/<namespace>/<name>`)
// and hashed into a label to select by. The view trusts a work only when both agree.

export interface WorkOwner {
  /** The logical cluster id of the replica set's workspace. */
  workspace: string;
  namespace: string;
  name: string;
}

export const ownerId = (owner: WorkOwner) => `${owner.workspace}/${owner.namespace}/${owner.name}`;

export const ownerHash = (owner: WorkOwner) =>
  createHash('sha256').update(ownerId(owner)).digest('hex').slice(0, 40);

/** The owner a work names, when its annotation is well formed and its label is that owner's hash. */
export function ownerOf(work: KubeObject): WorkOwner | undefined {
  const parts = work.metadata.annotations?.[OWNER_ANNOTATION]?.split('/');
  if (parts?.length !== 3) return undefined;
  const [workspace = '', namespace = '', name = ''] = parts;
  const owner = { workspace, namespace, name };
  return work.metadata.labels?.[OWNER_LABEL] === ownerHash(owner) ? owner : undefined;
}
