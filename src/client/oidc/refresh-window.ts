import type { StoredToken } from '../credential-store.js';
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
  if (!stored.oidc || !stored.expiresAt) return false;
  return Date.parse(stored.expiresAt) - now.getTime() <= refreshWindowMs(stored.token);
}
