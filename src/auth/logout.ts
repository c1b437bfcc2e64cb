import { forgetToken, readCredentialsDocument, readRefreshToken } from '../client/credential-store.js';
import { platformBaseUrl } from '../client/platform-url.js';
import { loadKubeconfig } from '../context/kubeconfig/load.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { currentWorkspace } from '../context/workspace-switch.js';
import { revokeRefreshToken, type RevocationOutcome } from './oidc/revoke.js';

/**
 * `logout`: forget the stored token of a platform (by default the current context's), after revoking an OpenID
 * login's refresh token at its provider. The kubeconfig is left as it is, so `kplane login` brings every context
 * and workspace of that platform back.
 */
export async function logout(options: {
  url?: string;
  kubeconfig: KubeconfigSourceOptions;
}): Promise<{ platform: string; hadToken: boolean; revocation?: RevocationOutcome }> {
  const platform = platformBaseUrl(
    options.url ?? currentWorkspace((await loadKubeconfig(options.kubeconfig)).config).server,
  );
  const session = readCredentialsDocument().platforms[platform]?.oidc;
  const refreshToken = session ? await readRefreshToken(platform) : undefined;
  const revocation = session && refreshToken ? await revokeRefreshToken(session, refreshToken) : undefined;
  return { platform, hadToken: await forgetToken(platform), ...(revocation ? { revocation } : {}) };
}
