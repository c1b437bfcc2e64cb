import type { StoredToken } from '../credentials-document.js';
import { unverifiedClaims } from '../jwt-claims.js';

/** How long before expiry an ID token is renewed: a minute, or a quarter of a short token's whole life. */
const refreshAheadMs = 60_000;

function refreshWindowMs(token: string): number {
  const { iat, exp } = unverifiedClaims(token) ?? {};
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= iat) return refreshAheadMs;
  return Math.min(refreshAheadMs, ((exp - iat) * 1000) / 4);
}

/** An OIDC login's ID token that is about to expire (or has): `auth token` renews it before handing it out. */
export function needsRefresh(stored: StoredToken, now: Date): boolean {
  if (!stored.oidc) return false;
  const until = storedTokenUsableUntil(stored);
  return until !== undefined && until <= now.getTime();
}

/**
 * Until when (ms since the epoch) `auth token` hands out the stored token as it is: an ID token until it is due
 * for renewal, any other until it expires; undefined when it has no expiry.
 */
export function storedTokenUsableUntil(stored: StoredToken): number | undefined {
  if (!stored.expiresAt) return undefined;
  const expires = Date.parse(stored.expiresAt);
  return stored.oidc ? expires - refreshWindowMs(stored.token) : expires;
}
