import { AccessDeniedError } from '../cli/errors.js';
import type { IOStreams } from '../cli/io.js';
import { isPlainHttp, plaintextTokenNotConsented } from '../client/plaintext-token.js';
import { readStoredToken, type StoredToken } from './credential-store.js';
import { platformBaseUrl } from './platform-url.js';

const execCredentialApiVersion = 'client.authentication.k8s.io/v1';

/**
 * `auth token`: what kubectl runs before every request. It prints an ExecCredential for the platform and never
 * prompts, because kubectl may run it without a terminal. The token never goes anywhere but stdout.
 */
export async function printExecCredential(server: string, io: IOStreams, now = new Date()): Promise<void> {
  const stored = await readUnexpiredToken(server, now);
  io.out(
    JSON.stringify({
      apiVersion: requestedApiVersion() ?? execCredentialApiVersion,
      kind: 'ExecCredential',
      status: { token: stored.token, ...(stored.expiresAt ? { expirationTimestamp: stored.expiresAt } : {}) },
    }),
  );
}

/**
 * The token `auth token` would hand out for the platform of `server`, or the error it would fail with: not
 * logged in, or expired, each saying to run `kplane login`; or, for an http:// platform, stored without the
 * person's consent to plain HTTP. kplane's own requests use this directly.
 */
export async function readUnexpiredToken(server: string, now = new Date()): Promise<StoredToken> {
  const platform = platformBaseUrl(server);
  const stored = await readStoredToken(platform);
  if (!stored) throw new AccessDeniedError(`not logged in to ${platform}: run kplane login ${platform}`);
  if (isPlainHttp(platform) && !stored.insecurePlaintextToken) throw plaintextTokenNotConsented(platform);
  if (stored.expiresAt && Date.parse(stored.expiresAt) <= now.getTime()) {
    throw new AccessDeniedError(
      `your token for ${platform} expired at ${stored.expiresAt}: run kplane login ${platform}`,
    );
  }
  return stored;
}

/** kubectl says which ExecCredential version it speaks in KUBERNETES_EXEC_INFO; answer in the same one. */
function requestedApiVersion(): string | undefined {
  const info = process.env.KUBERNETES_EXEC_INFO;
  if (!info) return undefined;
  try {
    const version = (JSON.parse(info) as { apiVersion?: string }).apiVersion;
    return version?.startsWith('client.authentication.k8s.io/') ? version : undefined;
  } catch {
    return undefined;
  }
}
