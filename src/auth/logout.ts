import { forgetToken } from '../client/credential-store.js';
import { platformBaseUrl } from '../client/platform-url.js';
import { loadKubeconfig } from '../context/kubeconfig/load.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { currentWorkspace } from '../context/workspace-switch.js';

/**
 * `logout`: forget the stored token of a platform (by default the current context's). The kubeconfig is left as
 * it is, so `kplane login` with a new token brings every context and workspace of that platform back.
 */
export async function logout(options: {
  url?: string;
  kubeconfig: KubeconfigSourceOptions;
}): Promise<{ platform: string; hadToken: boolean }> {
  const platform = platformBaseUrl(
    options.url ?? currentWorkspace((await loadKubeconfig(options.kubeconfig)).config).server,
  );
  return { platform, hadToken: await forgetToken(platform) };
}
