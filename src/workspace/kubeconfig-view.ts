import type { ClientSettings } from '../context/kubeconfig/client-settings.js';
import type { ModifyResult } from '../context/kubeconfig/modify.js';
import {
  readSnapshot,
  saveSnapshot,
  saveSnapshotIfUnchanged,
  stampFiles,
} from '../context/kubeconfig/snapshot-cache.js';
import { kubeconfigSources, type KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';

export interface CurrentContextView {
  contextName: string;
  server: string;
  settings: ClientSettings;
}

/**
 * The current context's server and connection settings, from the snapshot cache when the kubeconfig files have
 * not changed since it was taken, else by parsing them (and remembering the result). The YAML parser is loaded
 * only on a miss: that is what makes `ws --short` and `ws use` quick.
 */
export async function readCurrentContext(options: KubeconfigSourceOptions): Promise<CurrentContextView> {
  const sources = kubeconfigSources(options);
  const cached = readSnapshot(sources);
  if (cached?.settings) {
    return { contextName: cached.currentContext, server: cached.server, settings: cached.settings };
  }
  const stamp = stampFiles(sources.files);
  const [{ loadKubeconfig }, { clientSettingsFor }, { currentWorkspace }, { snapshotOf }] = await Promise.all(
    [
      import('../context/kubeconfig/load.js'),
      import('../context/kubeconfig/client-settings.js'),
      import('../context/workspace-switch.js'),
      import('../context/kubeconfig/snapshot-of.js'),
    ],
  );
  const { config } = await loadKubeconfig(options);
  const current = currentWorkspace(config);
  const settings = clientSettingsFor(config, current.contextName);
  const snapshot = snapshotOf(config);
  if (snapshot) saveSnapshot(sources, stamp, snapshot);
  return { contextName: current.contextName, server: current.server, settings };
}

/** Just the server URL, for `ws current`: a snapshot without settings (inline token) is still good for that. */
export async function readCurrentServer(options: KubeconfigSourceOptions): Promise<string> {
  const cached = readSnapshot(kubeconfigSources(options));
  if (cached) return cached.server;
  return (await readCurrentContext(options)).server;
}

/** After kplane wrote the kubeconfig, remember the new state so the next prompt does not parse it again. */
export async function rememberWrittenKubeconfig(
  options: KubeconfigSourceOptions,
  result: ModifyResult,
): Promise<void> {
  const { snapshotOf } = await import('../context/kubeconfig/snapshot-of.js');
  const snapshot = snapshotOf(result.after);
  if (snapshot) saveSnapshotIfUnchanged(kubeconfigSources(options), result.texts, snapshot);
}
