import { messageOf } from '../../cli/errors.js';
import type { OidcSession } from '../../client/credential-store.js';
import { openIdConfiguration } from '../../client/oidc/configuration.js';

export type RevocationOutcome = { revoked: true } | { revoked: false; reason: string };

/**
 * RFC 7009: ends the session at the provider, so a copy of the refresh token is worth nothing. Only where the
 * provider advertises a revocation endpoint; a failure is reported, never fatal: logout forgets the tokens anyway.
 */
export async function revokeRefreshToken(
  session: OidcSession,
  refreshToken: string,
): Promise<RevocationOutcome> {
  try {
    const config = await openIdConfiguration(session);
    if (!config.serverMetadata().revocation_endpoint) {
      return { revoked: false, reason: `${session.issuer} offers no token revocation` };
    }
    const oidc = await import('openid-client');
    await oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
    return { revoked: true };
  } catch (error) {
    return { revoked: false, reason: messageOf(error) };
  }
}
