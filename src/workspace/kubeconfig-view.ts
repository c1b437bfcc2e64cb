import type { ClientSettings } from '../context/kubeconfig/client-settings.js';
import type { ParsedKubeconfigFile } from '../context/kubeconfig/load.js';
import type { ModifyResult } from '../context/kubeconfig/modify.js';
import type { QuickSwitchResult } from '../context/kubeconfig/quick-switch.js';
import {
  type KubeconfigSnapshot,
  readSnapshot,
  saveSnapshot,
  saveSnapshotIfUnchanged,
  stampFiles,
} from '../context/kubeconfig/snapshot-cache.js';
import {
  kubeconfigSources,
  type KubeconfigSourceOptions,
  type KubeconfigSources,
} from '../context/kubeconfig/sources.js';
import type { MergedKubeconfig } from '../context/kubeconfig/types.js';

export interface CurrentContextView {
  contextName: string;
  server: string;
  settings: ClientSettings;
  /** The kubeconfig files this was read from. */
  sources: KubeconfigSources;
  /** What the snapshot cache holds for the files as they are now (never a secret). */
  snapshot?: KubeconfigSnapshot;
}

/**
 * The current context's server and connection settings, from the snapshot cache when the kubeconfig files have
 * not changed since it was taken, else by parsing them (and remembering the result). The YAML parser is loaded
 * only on a miss: that is what makes `ws --short` and `ws use` quick.
 */
export async function readCurrentContext(options: KubeconfigSourceOptions): Promise<CurrentContextView> {
  const sources = kubeconfigSources(options);
  return contextFrom(options, sources, readSnapshot(sources));
}

/** Just the server URL, for `ws current`: a snapshot without settings (inline token) is still good for that. */
export async function readCurrentServer(options: KubeconfigSourceOptions): Promise<string> {
  const sources = kubeconfigSources(options);
  const cached = readSnapshot(sources);
  return cached ? cached.server : (await contextFrom(options, sources, undefined)).server;
}

async function contextFrom(
  options: KubeconfigSourceOptions,
  sources: KubeconfigSources,
  cached: KubeconfigSnapshot | undefined,
): Promise<CurrentContextView> {
  if (cached?.settings) {
    return {
      contextName: cached.currentContext,
      server: cached.server,
      settings: cached.settings,
      sources,
      snapshot: cached,
    };
  }
  const stamp = stampFiles(sources.files);
  const [{ loadKubeconfigWithContext }, { clientSettingsFor }, { currentWorkspace }] = await Promise.all([
    import('../context/kubeconfig/load-settled.js'),
    import('../context/kubeconfig/client-settings.js'),
    import('../context/workspace-switch.js'),
  ]);
  const { config, files } = await loadKubeconfigWithContext(options);
  const current = currentWorkspace(config);
  const settings = clientSettingsFor(config, current.contextName);
  const snapshot = await snapshotWithPlan(config, files);
  if (snapshot) saveSnapshot(sources, stamp, snapshot);
  return { contextName: current.contextName, server: current.server, settings, sources, snapshot };
}

/** After kplane wrote the kubeconfig, remember the new state so the next prompt does not parse it again. */
export async function rememberWrittenKubeconfig(
  sources: KubeconfigSources,
  result: ModifyResult,
): Promise<void> {
  const { parseKubeconfigTextCached } = await import('../context/kubeconfig/load.js');
  // The writer parsed these very texts to verify them, so this is a lookup, not another parse.
  const files = [...result.texts].flatMap(([file, text]) =>
    text === undefined ? [] : [parseKubeconfigTextCached(text, file)],
  );
  const snapshot = await snapshotWithPlan(result.after, files);
  if (snapshot) saveSnapshotIfUnchanged(sources, result.texts, snapshot);
}

/** After a quick switch: the same snapshot but for the server, and the plan for the new bytes. */
export function rememberQuickSwitch(
  sources: KubeconfigSources,
  before: KubeconfigSnapshot,
  result: QuickSwitchResult,
): void {
  const { server, plan } = result;
  const snapshot: KubeconfigSnapshot = {
    ...before,
    server,
    ...(before.settings ? { settings: { ...before.settings, server } } : {}),
    quickSwitch: plan,
  };
  saveSnapshotIfUnchanged(sources, new Map([[plan.file, result.text]]), snapshot);
}

async function snapshotWithPlan(
  config: MergedKubeconfig,
  files: readonly ParsedKubeconfigFile[],
): Promise<KubeconfigSnapshot | undefined> {
  const [{ snapshotOf }, { planQuickSwitch }] = await Promise.all([
    import('../context/kubeconfig/snapshot-of.js'),
    import('../context/quick-switch-plan.js'),
  ]);
  const snapshot = snapshotOf(config);
  if (!snapshot) return undefined;
  const quickSwitch = planQuickSwitch(config, files);
  return quickSwitch ? { ...snapshot, quickSwitch } : snapshot;
}
