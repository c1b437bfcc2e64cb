import { apiExportsPath } from '../apis/types.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { parseWorkspaceUrl } from '../context/workspace-url.js';
import { readCurrentServer } from '../workspace/kubeconfig-view.js';
import { openCurrentWorkspace, type WorkspaceSession } from '../workspace/session.js';
import { clusterPath, workspacesPath } from '../workspace/workspace-api.js';
import type { CompletionScope, CompletionSources } from './engine.js';

/** A shell waits on every TAB: a slow or unreachable platform completes nothing rather than hanging. */
const requestTimeoutMs = 1_500;

interface NamedList {
  items?: { metadata: { name: string; annotations?: Record<string, string> } }[];
}

/** CompletionSources that ask the platform of the current context; every failure is an empty answer. */
export function platformCompletionSources(
  kubeconfig: KubeconfigSourceOptions,
): CompletionSources & { close(): void } {
  const sessions = new Map<string, Promise<WorkspaceSession | undefined>>();
  const openSession = (workspace: string | undefined) => {
    const key = workspace ?? '';
    if (!sessions.has(key)) {
      sessions.set(
        key,
        openCurrentWorkspace({ ...kubeconfig, workspace }).catch(() => undefined),
      );
    }
    return sessions.get(key)!;
  };
  const list = async (
    workspace: string | undefined,
    path: (session: WorkspaceSession) => string,
  ): Promise<NonNullable<NamedList['items']>> => {
    const session = await openSession(workspace);
    if (!session) return [];
    try {
      return (
        (await session.client.get<NamedList>(path(session), { timeoutMs: requestTimeoutMs })).items ?? []
      );
    } catch {
      return [];
    }
  };
  const names = async (...args: Parameters<typeof list>) =>
    (await list(...args)).map((item) => item.metadata.name);
  return {
    currentPath: async () => {
      try {
        return parseWorkspaceUrl(await readCurrentServer(kubeconfig))?.path;
      } catch {
        return undefined;
      }
    },
    childWorkspaces: (path) => names(undefined, () => workspacesPath(path)),
    exportNames: (scope: CompletionScope) => names(scope.workspace, (s) => apiExportsPath(s.path)),
    placementNames: (scope: CompletionScope) =>
      names(
        scope.workspace,
        (s) =>
          `${clusterPath(s.path)}/apis/cluster.open-cluster-management.io/v1beta1/namespaces/` +
          `${encodeURIComponent(scope.namespace ?? s.namespace)}/placements`,
      ),
    // What `bind catalog` lists: every export the caller may bind, wherever it lives.
    exportReferences: async () =>
      (await list(undefined, () => '/services/catalog/apiexports'))
        .filter((item) => item.metadata.annotations?.['kcp.io/path'])
        .map((item) => `${item.metadata.annotations!['kcp.io/path']}:${item.metadata.name}`),
    close: () => {
      for (const session of sessions.values()) void session.then((s) => s?.client.close());
    },
  };
}
