import { AccessDeniedError, UnreachableError } from '../../cli/errors.js';
import { withKubeconfigLocks } from '../../context/kubeconfig/lock.js';
import { credentialsFile } from '../config-dir.js';
import {
  readRefreshToken,
  readStoredToken,
  storeToken,
  type OidcSession,
  type StoredToken,
} from '../credential-store.js';
import { jwtExpiry } from '../jwt-claims.js';
import { needsRefresh } from './refresh-window.js';
import { openIdConfiguration } from './configuration.js';
import { describeError } from './describe-error.js';

/**
 * Renews an OIDC login's ID token with its refresh token. kubectl may start many `auth token` at once when the
 * token runs out; they queue on `credentials.json.lock`, the first one refreshes, and the others find the new
 * token when their turn comes, so the provider sees one refresh. Never prompts: kubectl runs this.
 */
export async function refreshIdToken(platform: string): Promise<StoredToken> {
  return withKubeconfigLocks(
    [credentialsFile()],
    async () => {
      const current = await readStoredToken(platform);
      if (!current) throw new AccessDeniedError(`not logged in to ${platform}: run kplane login ${platform}`);
      if (!current.oidc || !needsRefresh(current, new Date())) return current;
      const refreshToken = await readRefreshToken(platform);
      if (!refreshToken) throw sessionEnded(platform, 'there is no refresh token');
      const tokens = await requestRefresh(current.oidc, refreshToken, platform);
      const idToken = tokens.id_token;
      if (!idToken) throw sessionEnded(platform, 'the provider renewed the session without an ID token');
      const expiresAt = jwtExpiry(idToken);
      const location = await storeToken(platform, idToken, expiresAt, {
        oidc: current.oidc,
        // Providers that rotate refresh tokens send a new one; the others keep the old one valid.
        refreshToken: tokens.refresh_token ?? refreshToken,
        location: current.location,
        insecurePlaintextToken: current.insecurePlaintextToken === true,
      });
      return {
        token: idToken,
        location,
        oidc: current.oidc,
        ...(expiresAt ? { expiresAt } : {}),
        ...(current.insecurePlaintextToken ? { insecurePlaintextToken: true as const } : {}),
      };
    },
    // Each holder is done within one round trip to the provider; the queue behind it may be long.
    { timeoutMs: 60_000 },
  );
}

async function requestRefresh(session: OidcSession, refreshToken: string, platform: string) {
  // Only this slow path loads the OpenID client: a valid cached token never does.
  const oidc = await import('openid-client');
  const config = await openIdConfiguration(session).catch((error: unknown) => {
    throw new UnreachableError(`${describeError(error)}; try again, or run kplane login ${platform}`);
  });
  try {
    return await oidc.refreshTokenGrant(config, refreshToken);
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError)
      throw sessionEnded(platform, `the provider answered ${error.error}`);
    throw new UnreachableError(
      `cannot renew the ID token at ${session.issuer}: ${describeError(error)}; try again, or run kplane login ${platform}`,
    );
  }
}

function sessionEnded(platform: string, why: string): AccessDeniedError {
  return new AccessDeniedError(`your login to ${platform} has ended (${why}): run kplane login ${platform}`);
}
