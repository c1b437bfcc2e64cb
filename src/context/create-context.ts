// A pure planner for `ws create-context`, following kcp's createContext (cli plugin/context.go): a standalone
// context and cluster for the current workspace, named after its path unless a name is given, that stays
// where it is when `ws use` moves `workspace.kcp.io/current` elsewhere. One user entry serves every workspace,
// so the new context names the current user and no credential is copied.
import { type KubeconfigChange, setCluster, setContext, setCurrentContext } from './kubeconfig/edit.js';
import type { MergedKubeconfig } from './kubeconfig/types.js';
import { NotAWorkspaceError } from './workspace-path.js';
import { currentWorkspace } from './workspace-switch.js';

export class ContextExistsError extends Error {
  override readonly name = 'ContextExistsError';
  constructor(
    readonly section: 'context' | 'cluster',
    readonly entryName: string,
  ) {
    super(
      `${section} ${JSON.stringify(entryName)} already exists in kubeconfig, use --overwrite to update it`,
    );
  }
}

export interface CreateContextRequest {
  /** The name of the new context and cluster; the current workspace's path when absent or empty. */
  name?: string;
  /** Replace a context (and cluster) of that name instead of refusing. */
  overwrite: boolean;
}

export interface CreateContextPlan {
  changes: KubeconfigChange[];
  name: string;
  /** The workspace path the context points at. */
  path: string;
  server: string;
  /** False when a context of that name was replaced. */
  created: boolean;
  /** False when the current context already had that name. */
  switched: boolean;
}

/**
 * Throws ContextNotFoundError or ClusterNotFoundError (a broken current context), NotAWorkspaceError (the current
 * server is not `<base>/clusters/<path>`) or ContextExistsError. kcp checks only the context's name; a cluster of
 * that name is someone's too (it may hold another server), so it is refused the same way.
 */
export function planCreateContext(
  config: MergedKubeconfig,
  request: CreateContextRequest,
): CreateContextPlan {
  const current = currentWorkspace(config);
  if (!current.parsed) throw new NotAWorkspaceError(current.server);
  const name = request.name || current.parsed.path;
  const existingContext = config.contexts.get(name);
  if (!request.overwrite) {
    if (existingContext) throw new ContextExistsError('context', name);
    if (config.clusters.has(name)) throw new ContextExistsError('cluster', name);
  }
  const context = config.contexts.get(current.contextName)!;
  const cluster = config.clusters.get(current.clusterName)!;
  const changes = [
    setCluster(
      name,
      { ...cluster.value, server: current.server },
      { extra: cluster.extra, sourceFile: cluster.origin },
    ),
    setContext(
      name,
      { ...context.value, cluster: name },
      { extra: context.extra, sourceFile: context.origin },
    ),
  ];
  const switched = config.currentContext !== name;
  if (switched) changes.push(setCurrentContext(name));
  return {
    changes,
    name,
    path: current.parsed.path,
    server: current.server,
    created: !existingContext,
    switched,
  };
}
