// Pure planners for `ws use` and `ws -`, following kcp's commitConfig and swapContexts (cli plugin/use.go):
// the current context and cluster are copied to `workspace.kcp.io/current`, the one left behind is kept as
// `workspace.kcp.io/previous`, and nothing else is touched. One user entry serves every workspace.
import { type KubeconfigChange, setCluster, setContext, setCurrentContext } from './kubeconfig/edit.js';
import type { KubeconfigEntry, MergedKubeconfig, YamlObject } from './kubeconfig/types.js';
import { type WorkspaceUrl, parseWorkspaceUrl } from './workspace-url.js';

export const CURRENT_WORKSPACE_CONTEXT = 'workspace.kcp.io/current';
export const PREVIOUS_WORKSPACE_CONTEXT = 'workspace.kcp.io/previous';

export class ContextNotFoundError extends Error {
  override readonly name = 'ContextNotFoundError';
  constructor(readonly contextName: string) {
    super(`current ${JSON.stringify(contextName)} context not found`);
  }
}

export class ClusterNotFoundError extends Error {
  override readonly name = 'ClusterNotFoundError';
  constructor(readonly clusterName: string) {
    super(`cluster ${JSON.stringify(clusterName)} not found in kubeconfig`);
  }
}

export class NoPreviousWorkspaceError extends Error {
  override readonly name = 'NoPreviousWorkspaceError';
  constructor() {
    super('no previous workspace found in kubeconfig');
  }
}

function clusterOf(context: KubeconfigEntry): string {
  const cluster = context.value.cluster;
  return typeof cluster === 'string' ? cluster : '';
}

function currentContextEntry(config: MergedKubeconfig): KubeconfigEntry {
  const context = config.contexts.get(config.currentContext);
  if (!context) throw new ContextNotFoundError(config.currentContext);
  return context;
}

function clusterEntry(config: MergedKubeconfig, name: string): KubeconfigEntry {
  const cluster = config.clusters.get(name);
  if (!cluster) throw new ClusterNotFoundError(name);
  return cluster;
}

function copyOf(entry: KubeconfigEntry, value: YamlObject = entry.value) {
  return { extra: entry.extra, sourceFile: entry.origin, value };
}

/**
 * kcp's commitConfig: switch to `newServerUrl`. Throws ContextNotFoundError or ClusterNotFoundError.
 * The changes are: cluster `…/current` (copy of the current cluster with only `server` replaced), context
 * `…/current` (copy of the current context pointing at it), the previous context (and cluster, when the current
 * context already used `…/current`), and current-context.
 */
export function planUseWorkspace(config: MergedKubeconfig, newServerUrl: string): KubeconfigChange[] {
  const context = currentContextEntry(config);
  const oldClusterName = clusterOf(context);
  const oldCluster = clusterEntry(config, oldClusterName);
  const cur = copyOf(oldCluster, { ...oldCluster.value, server: newServerUrl });
  const ctx = copyOf(context, { ...context.value, cluster: CURRENT_WORKSPACE_CONTEXT });
  const changes = [
    setCluster(CURRENT_WORKSPACE_CONTEXT, cur.value, cur),
    setContext(CURRENT_WORKSPACE_CONTEXT, ctx.value, ctx),
  ];
  if (oldClusterName === CURRENT_WORKSPACE_CONTEXT) {
    const prev = copyOf(context, { ...context.value, cluster: PREVIOUS_WORKSPACE_CONTEXT });
    changes.push(
      setContext(PREVIOUS_WORKSPACE_CONTEXT, prev.value, prev),
      setCluster(PREVIOUS_WORKSPACE_CONTEXT, oldCluster.value, copyOf(oldCluster)),
    );
  } else {
    changes.push(setContext(PREVIOUS_WORKSPACE_CONTEXT, context.value, copyOf(context)));
  }
  changes.push(setCurrentContext(CURRENT_WORKSPACE_CONTEXT));
  return changes;
}

/**
 * kcp's swapContexts (`ws -`): the previous context becomes `…/current` and the current one `…/previous`, with the
 * `…/current` and `…/previous` clusters following their contexts. Throws ContextNotFoundError,
 * NoPreviousWorkspaceError or ClusterNotFoundError.
 */
export function planSwapToPrevious(config: MergedKubeconfig): KubeconfigChange[] {
  const current = currentContextEntry(config);
  const previous = config.contexts.get(PREVIOUS_WORKSPACE_CONTEXT);
  if (!previous) throw new NoPreviousWorkspaceError();
  const changes: KubeconfigChange[] = [];

  let currentValue = current.value;
  if (clusterOf(current) === CURRENT_WORKSPACE_CONTEXT) {
    const oldCluster = clusterEntry(config, CURRENT_WORKSPACE_CONTEXT);
    currentValue = { ...currentValue, cluster: PREVIOUS_WORKSPACE_CONTEXT };
    changes.push(setCluster(PREVIOUS_WORKSPACE_CONTEXT, oldCluster.value, copyOf(oldCluster)));
  }
  let previousValue = previous.value;
  if (clusterOf(previous) === PREVIOUS_WORKSPACE_CONTEXT) {
    // kcp names the current context's cluster in this message; we name the one that is missing.
    const prevCluster = clusterEntry(config, PREVIOUS_WORKSPACE_CONTEXT);
    previousValue = { ...previousValue, cluster: CURRENT_WORKSPACE_CONTEXT };
    changes.push(setCluster(CURRENT_WORKSPACE_CONTEXT, prevCluster.value, copyOf(prevCluster)));
  }
  changes.push(
    setContext(CURRENT_WORKSPACE_CONTEXT, previousValue, copyOf(previous, previousValue)),
    setContext(PREVIOUS_WORKSPACE_CONTEXT, currentValue, copyOf(current, currentValue)),
    setCurrentContext(CURRENT_WORKSPACE_CONTEXT),
  );
  return changes;
}

export interface CurrentWorkspace {
  contextName: string;
  context: YamlObject;
  clusterName: string;
  cluster: YamlObject;
  server: string;
  /** Set when `server` is a workspace URL (`<base>/clusters/<path>`). */
  parsed?: WorkspaceUrl;
}

/** The current workspace, read from the kubeconfig alone (no network): for `ws current`, `ws .`, `ws --short`. */
export function currentWorkspace(config: MergedKubeconfig): CurrentWorkspace {
  const context = currentContextEntry(config);
  const clusterName = clusterOf(context);
  const cluster = clusterEntry(config, clusterName);
  const server = typeof cluster.value.server === 'string' ? cluster.value.server : '';
  const parsed = parseWorkspaceUrl(server);
  return {
    contextName: config.currentContext,
    context: context.value,
    clusterName,
    cluster: cluster.value,
    server,
    ...(parsed ? { parsed } : {}),
  };
}
