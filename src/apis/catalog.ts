import { printData, type IOStreams, type OutputFormat } from '../cli/io.js';
import { renderTable } from '../cli/table.js';
import { ApiStatusError } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { parseWorkspaceUrl } from '../context/workspace-url.js';
import { openCurrentWorkspace } from '../workspace/session.js';
import { fetchWorkspaceTree, type WorkspaceTreeNode } from '../workspace/tree.js';
import { clusterPath, homeWorkspacePath, type WorkspaceObject } from '../workspace/workspace-api.js';
import { claimLabel } from './claims.js';
import { apisV1alpha2, type APIExport } from './types.js';

export interface CatalogEntry {
  reference: string;
  workspace: string;
  export: string;
  resources: string[];
  claims: string[];
}

/**
 * `bind catalog`: the exports this user may bind, across the parts of the tree they can see (from the top, from
 * where they are, and from home). "May bind" is the platform's own answer (a SelfSubjectAccessReview for verb
 * `bind` on the export), so the list never offers what `bind` would refuse.
 */
export async function bindCatalog(
  options: { kubeconfig: KubeconfigSourceOptions; output: OutputFormat },
  io: IOStreams,
): Promise<CatalogEntry[]> {
  const session = await openCurrentWorkspace(options.kubeconfig);
  try {
    const starts = new Set(['root', session.path]);
    const home = await homePath(session.client);
    if (home) starts.add(home);
    const workspaces = new Set<string>();
    for (const start of starts) {
      try {
        collect(await fetchWorkspaceTree(session.client, start), workspaces);
      } catch (error) {
        if (!(error instanceof ApiStatusError)) throw error;
      }
    }
    const perWorkspace = await Promise.all(
      [...workspaces].sort().map((path) => bindableExports(session.client, path)),
    );
    const entries = perWorkspace.flat();
    if (options.output !== 'text') await printData(io, options.output, entries);
    else if (entries.length === 0) io.err('No exports you may bind were found.');
    else {
      io.out(
        renderTable(
          io,
          ['Export', 'Resources', 'Claims'],
          entries.map((entry) => [
            entry.reference,
            entry.resources.join(',') || '<none>',
            entry.claims.join(',') || '<none>',
          ]),
        ),
      );
    }
    return entries;
  } finally {
    session.client.close();
  }
}

function collect(node: WorkspaceTreeNode, into: Set<string>): void {
  into.add(node.path);
  for (const child of node.children) collect(child, into);
}

async function homePath(client: RestClient): Promise<string | undefined> {
  try {
    const home = await client.get<WorkspaceObject>(homeWorkspacePath);
    return home.spec?.URL ? parseWorkspaceUrl(home.spec.URL)?.path : undefined;
  } catch {
    return undefined;
  }
}

async function bindableExports(client: RestClient, workspace: string): Promise<CatalogEntry[]> {
  let exports: APIExport[];
  try {
    exports = (
      await client.get<{ items: APIExport[] }>(`${clusterPath(workspace)}${apisV1alpha2}/apiexports`)
    ).items;
  } catch (error) {
    if (error instanceof ApiStatusError) return [];
    throw error;
  }
  const allowed = await Promise.all(exports.map((item) => mayBind(client, workspace, item.metadata.name)));
  return exports
    .filter((_, i) => allowed[i])
    .map((item) => ({
      reference: `${workspace}:${item.metadata.name}`,
      workspace,
      export: item.metadata.name,
      resources: (item.spec.resources ?? []).map((r) => `${r.name}.${r.group}`),
      claims: (item.spec.permissionClaims ?? []).map(claimLabel),
    }));
}

async function mayBind(client: RestClient, workspace: string, name: string): Promise<boolean> {
  try {
    const review = await client.post<{ status?: { allowed?: boolean } }>(
      `${clusterPath(workspace)}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`,
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { group: 'apis.kcp.io', resource: 'apiexports', name, verb: 'bind' } },
      },
    );
    return review.status?.allowed === true;
  } catch {
    return false;
  }
}
