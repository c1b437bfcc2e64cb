import { AccessDeniedError } from '../cli/errors.js';
import { readStoredToken, type StoredToken } from './credential-store.js';
import { needsRefresh } from './oidc/refresh-window.js';
import { platformBaseUrl } from './platform-url.js';
import { isPlainHttp, plaintextTokenNotConsented } from './plaintext-token.js';

/**
 * The token `auth token` would hand out for the platform of `server`, or the error it would fail with: not
 * logged in, or expired, each saying to run `kplane login`; or, for an http:// platform, stored without the
 * person's consent to plain HTTP. kplane's own requests use this directly.
 */
export async function readUnexpiredToken(server: string, now = new Date()): Promise<StoredToken> {
  const platform = platformBaseUrl(server);
  let stored = await readStoredToken(platform);
  if (!stored) throw new AccessDeniedError(`not logged in to ${platform}: run kplane login ${platform}`);
  if (isPlainHttp(platform) && !stored.insecurePlaintextToken) throw plaintextTokenNotConsented(platform);
  if (needsRefresh(stored, now)) {
    // Loaded only when the ID token is about to expire: the cache hit stays free of any OIDC code.
    const { refreshIdToken } = await import('./oidc/refresh.js');
    stored = await refreshIdToken(platform);
  }
  if (stored.expiresAt && Date.parse(stored.expiresAt) <= now.getTime()) {
    if (stored.tokenFile) {
      throw new AccessDeniedError(
        `the ID token in ${stored.tokenFile} expired at ${stored.expiresAt}: have your CI write a fresh one there, ` +
          `or run kplane login ${platform}`,
      );
    }
    throw new AccessDeniedError(
      `your token for ${platform} expired at ${stored.expiresAt}: run kplane login ${platform}`,
    );
  }
  return stored;
}
