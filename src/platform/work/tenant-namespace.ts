import { createHash } from 'node:crypto';

// Where a tenant's objects land on a member cluster. Many workspaces share one member, and each may
// use namespace `default` or deploy an app called `web`, so the member namespace is derived from both
// the workspace and the namespace: readable (it starts with the tenant's namespace) and distinct (a
// hash of the pair ends it). Labels on the namespace and on every object say whose they are; label
// values cannot hold the `:` of a workspace path, so the path there is written with `.` (segments
// never contain a dot, so the spelling is unambiguous), and the exact path is also an annotation.

export const TENANT_WORKSPACE_LABEL = 'work.kplane.io/workspace';
export const TENANT_NAMESPACE_LABEL = 'work.kplane.io/namespace';
export const TENANT_WORKSPACE_ANNOTATION = 'work.kplane.io/workspace-path';

const LABEL_MAX = 63;
const HASH_LENGTH = 10;

const shortHash = (text: string, length = HASH_LENGTH) =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

/** `<namespace>-<hash of workspace and namespace>`, a DNS label (at most 63 characters). */
export function memberNamespace(workspacePath: string, namespace: string): string {
  const prefix = namespace.slice(0, LABEL_MAX - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${prefix}-${shortHash(`${workspacePath}\n${namespace}`)}`;
}

/** A workspace path as a label value: `root:users:pat` → `root.users.pat`; a long one keeps a hash. */
export function workspaceLabelValue(workspacePath: string): string {
  const dotted = workspacePath.replaceAll(':', '.');
  if (dotted.length <= LABEL_MAX) return dotted;
  return `${dotted.slice(0, LABEL_MAX - HASH_LENGTH - 1).replace(/[.-]+$/, '')}-${shortHash(workspacePath)}`;
}

/** The labels every object of the tenant carries on a member. */
export function tenantLabels(workspacePath: string, namespace: string): Record<string, string> {
  return {
    [TENANT_WORKSPACE_LABEL]: workspaceLabelValue(workspacePath),
    [TENANT_NAMESPACE_LABEL]: namespace,
  };
}

/**
 * The name of a tenant's ManifestWork in a cluster namespace of the compute workspace, where every
 * tenant's works for that cluster meet: the replica set's name, made distinct by a hash of its
 * workspace and namespace (OCM names the work after the replica set, which suffices for one tenant).
 */
export function manifestWorkName(workspacePath: string, namespace: string, name: string): string {
  const prefix = name.slice(0, 253 - HASH_LENGTH - 1);
  return `${prefix}-${shortHash(`${workspacePath}\n${namespace}\n${name}`)}`;
}
