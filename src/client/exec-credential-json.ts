import type { StoredToken } from './credentials-document.js';

const execCredentialApiVersion = 'client.authentication.k8s.io/v1';

/**
 * The ExecCredential `auth token` prints for a stored token, in the version kubectl asked for: one function for
 * the launcher's cached-token answer and the full command, so both print the same bytes.
 */
export function execCredentialJson(
  stored: Pick<StoredToken, 'token' | 'expiresAt'>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return JSON.stringify({
    apiVersion: requestedApiVersion(env) ?? execCredentialApiVersion,
    kind: 'ExecCredential',
    status: { token: stored.token, ...(stored.expiresAt ? { expirationTimestamp: stored.expiresAt } : {}) },
  });
}

/** kubectl says which ExecCredential version it speaks in KUBERNETES_EXEC_INFO; answer in the same one. */
function requestedApiVersion(env: NodeJS.ProcessEnv): string | undefined {
  const info = env.KUBERNETES_EXEC_INFO;
  if (!info) return undefined;
  try {
    const version = (JSON.parse(info) as { apiVersion?: string }).apiVersion;
    return version?.startsWith('client.authentication.k8s.io/') ? version : undefined;
  } catch {
    return undefined;
  }
}
