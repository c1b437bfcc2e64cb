import type { IOStreams, OutputFormat } from '../cli/io.js';
import { printList, renderTable } from '../cli/table.js';
import { ApiStatusError, isStatusCode } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';
import type { WorkspaceSelector } from '../workspace/session.js';
import { withWorkspaceSession } from '../workspace/session.js';
import { fetchWorkspaceTree, type WorkspaceTreeNode } from '../workspace/tree.js';
import { lookupHomePath } from '../workspace/home.js';
import { clusterPath } from '../workspace/workspace-api.js';
import { claimLabel } from './claims.js';
import { apiExportsPath, type APIExport } from './types.js';

export interface CatalogEntry {
  reference: string;
  workspace: string;
  export: string;
  resources: string[];
  claims: string[];
}

/**
 * `bind catalog`: the exports this user may bind, across the tree. The kplane platform answers that itself
 * (`/services/catalog/apiexports`: every export its RBAC lets the caller bind, wherever it lives); against a
 * platform without that service, kplane walks the parts of the tree the user can see (the top, where they are,
 * home) and asks a SelfSubjectAccessReview per export. Either way the list never offers what `bind` would refuse.
 */
export async function bindCatalog(
  options: { kubeconfig: WorkspaceSelector; output: OutputFormat },
  io: IOStreams,
): Promise<CatalogEntry[]> {
  return withWorkspaceSession(options.kubeconfig, async (session) => {
    const entries =
      (await platformCatalog(session.client)) ?? (await walkTreeCatalog(session.client, session.path));
    await printList(io, options.output, entries, 'No exports you may bind were found.', () =>
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
    return entries;
  });
}

async function platformCatalog(client: RestClient): Promise<CatalogEntry[] | undefined> {
  try {
    const { items } = await client.get<{ items: APIExport[] }>('/services/catalog/apiexports');
    return items.map((item) => entryOf(item.metadata.annotations?.['kcp.io/path'] ?? '', item));
  } catch (error) {
    if (isStatusCode(error, 404)) return undefined;
    throw error;
  }
}

async function walkTreeCatalog(client: RestClient, current: string): Promise<CatalogEntry[]> {
  const starts = new Set(['root', current]);
  const home = await lookupHomePath(client).catch(() => undefined);
  if (home) starts.add(home);
  const workspaces = new Set<string>();
  for (const start of starts) {
    try {
      collect(await fetchWorkspaceTree(client, start), workspaces);
    } catch (error) {
      if (!(error instanceof ApiStatusError)) throw error;
    }
  }
  return (await Promise.all([...workspaces].sort().map((path) => bindableExports(client, path)))).flat();
}

function entryOf(workspace: string, item: APIExport): CatalogEntry {
  return {
    reference: `${workspace}:${item.metadata.name}`,
    workspace,
    export: item.metadata.name,
    resources: (item.spec.resources ?? []).map((r) => `${r.name}.${r.group}`),
    claims: (item.spec.permissionClaims ?? []).map(claimLabel),
  };
}

function collect(node: WorkspaceTreeNode, into: Set<string>): void {
  into.add(node.path);
  for (const child of node.children) collect(child, into);
}

async function bindableExports(client: RestClient, workspace: string): Promise<CatalogEntry[]> {
  let exports: APIExport[];
  try {
    exports = (await client.get<{ items: APIExport[] }>(apiExportsPath(workspace))).items;
  } catch (error) {
    if (error instanceof ApiStatusError) return [];
    throw error;
  }
  const allowed = await Promise.all(exports.map((item) => mayBind(client, workspace, item.metadata.name)));
  return exports.filter((_, i) => allowed[i]).map((item) => entryOf(workspace, item));
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
      { idempotent: true },
    );
    return review.status?.allowed === true;
  } catch {
    return false;
  }
}
