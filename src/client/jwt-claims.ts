/**
 * Reads the claims of a JWT without checking its signature: only to know when it expires and whom it names.
 * The platform is what verifies a token; kplane never trusts these claims for a decision about access.
 */
export interface UnverifiedClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

const base64urlPart = /^[A-Za-z0-9_-]+$/;

/** A compact JWS: three base64url parts (the signature may not be empty: `alg: none` is no ID token). */
export function looksLikeJwt(token: string): boolean {
  const parts = token.split('.');
  return parts.length === 3 && parts.every((part) => base64urlPart.test(part));
}

export function unverifiedClaims(token: string): UnverifiedClaims | undefined {
  if (!looksLikeJwt(token)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as UnverifiedClaims)
      : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 3339 expiry of a JWT, when it says. */
export function jwtExpiry(token: string): string | undefined {
  const exp = unverifiedClaims(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000).toISOString() : undefined;
}
