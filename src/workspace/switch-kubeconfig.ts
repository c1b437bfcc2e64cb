import type { LockOptions } from '../context/kubeconfig/lock.js';
import type { QuickSwitch } from '../context/kubeconfig/quick-switch.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import {
  type CurrentContextView,
  rememberQuickSwitch,
  rememberWrittenKubeconfig,
} from './kubeconfig-view.js';

/**
 * Writes `ws use` / `ws -` to the kubeconfig the context was read from, and returns the new current server: in
 * place when the snapshot's quick plan still matches the file's bytes (no YAML parser), else with the full edit.
 * Made before the platform is asked, so that the full edit's writer (and its YAML parser) loads meanwhile; with a
 * quick plan it loads only if the plan turns out stale, since loading it anyway would cost what the plan saves.
 */
export function prepareKubeconfigSwitch(
  options: KubeconfigSourceOptions,
  current: CurrentContextView,
  lock: LockOptions = {},
): (change: QuickSwitch) => Promise<string> {
  const { snapshot, sources } = current;
  const plan = snapshot?.quickSwitch;
  const loadWriter = () =>
    Promise.all([import('../context/kubeconfig/modify.js'), import('../context/workspace-switch.js')]);
  let writer = plan ? undefined : loadWriter();
  // An unhandled rejection would end the process before the network answer is reported.
  writer?.catch(() => undefined);

  return async (change) => {
    if (plan && snapshot) {
      const { quickSwitchKubeconfig } = await import('../context/kubeconfig/quick-switch.js');
      const result = await quickSwitchKubeconfig(plan, change, lock);
      if (result) {
        rememberQuickSwitch(sources, snapshot, result);
        return result.server;
      }
    }
    const [{ modifyKubeconfig }, { currentWorkspace, planSwapToPrevious, planUseWorkspace }] =
      await (writer ??= loadWriter());
    const result = await modifyKubeconfig({ ...options, lock }, (fresh) =>
      change.kind === 'use' ? planUseWorkspace(fresh, change.server) : planSwapToPrevious(fresh),
    );
    await rememberWrittenKubeconfig(sources, result);
    return currentWorkspace(result.after).server;
  };
}
