// Decides, from a full parse, whether the next `ws use` / `ws -` may take the quick path (kubeconfig/quick-switch.ts)
// and where the two `server:` values sit. The quick path must write exactly what planUseWorkspace and
// planSwapToPrevious would mean, so every condition below is one under which those planners change nothing but
// the two servers.
import { isMap, isScalar, isSeq, type Scalar } from 'yaml';
import { sameData } from './kubeconfig/edit.js';
import type { ParsedKubeconfigFile } from './kubeconfig/load.js';
import { digestOf, isPlainSafeServer, type QuickSwitchPlan } from './kubeconfig/quick-switch.js';
import type { KubeconfigEntry, MergedKubeconfig } from './kubeconfig/types.js';
import { CURRENT_WORKSPACE_CONTEXT, PREVIOUS_WORKSPACE_CONTEXT } from './workspace-switch.js';

export function planQuickSwitch(
  config: MergedKubeconfig,
  files: readonly ParsedKubeconfigFile[],
): QuickSwitchPlan | undefined {
  const [file] = files;
  if (config.files.length !== 1 || files.length !== 1 || !file?.doc || config.destination !== file.path) {
    return undefined;
  }
  if (config.currentContext !== CURRENT_WORKSPACE_CONTEXT) return undefined;

  const currentContext = config.contexts.get(CURRENT_WORKSPACE_CONTEXT);
  const previousContext = config.contexts.get(PREVIOUS_WORKSPACE_CONTEXT);
  const currentCluster = config.clusters.get(CURRENT_WORKSPACE_CONTEXT);
  const previousCluster = config.clusters.get(PREVIOUS_WORKSPACE_CONTEXT);
  if (!currentContext || !previousContext || !currentCluster || !previousCluster) return undefined;
  // Both contexts are the same context pointing at their own cluster: planners leave them as they are.
  if (currentContext.value.cluster !== CURRENT_WORKSPACE_CONTEXT) return undefined;
  if (!sameData(previousContext.value, { ...currentContext.value, cluster: PREVIOUS_WORKSPACE_CONTEXT })) {
    return undefined;
  }
  if (!sameData(previousContext.extra, currentContext.extra)) return undefined;
  // Both clusters are the same cluster but for the server: a copy of one is the other with its server.
  if (!sameButServer(currentCluster, previousCluster)) return undefined;

  const current = serverRange(file, CURRENT_WORKSPACE_CONTEXT);
  const previous = serverRange(file, PREVIOUS_WORKSPACE_CONTEXT);
  if (!current || !previous) return undefined;
  return { file: file.path, digest: digestOf(file.text), current, previous };
}

function sameButServer(a: KubeconfigEntry, b: KubeconfigEntry): boolean {
  if (typeof a.value.server !== 'string' || typeof b.value.server !== 'string') return false;
  return sameData({ ...a.value, server: '' }, { ...b.value, server: '' }) && sameData(a.extra, b.extra);
}

/** Where the cluster's server value is, when it is a plain scalar in block style that can be swapped as text. */
function serverRange(file: ParsedKubeconfigFile, clusterName: string): [number, number] | undefined {
  const clusters = file.doc?.get('clusters', true);
  if (!isSeq(clusters) || clusters.flow) return undefined;
  const item = clusters.items.find((node) => isMap(node) && node.get('name') === clusterName);
  if (!isMap(item) || item.flow) return undefined;
  const body = item.get('cluster', true);
  if (!isMap(body) || body.flow) return undefined;
  const server = body.get('server', true);
  if (!isScalar(server) || server.type !== 'PLAIN' || !server.range) return undefined;
  // An anchored value may be read elsewhere through an alias; a tag would have to stay right for the new text.
  if (server.anchor || server.tag) return undefined;
  const [start, end] = server.range;
  const value = (server as Scalar<unknown>).value;
  if (typeof value !== 'string' || file.text.slice(start, end) !== value || !isPlainSafeServer(value)) {
    return undefined;
  }
  return [start, end];
}
