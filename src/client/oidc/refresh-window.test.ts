import { describe, expect, it } from 'vitest';
import type { StoredToken } from '../credential-store.js';
import { looksLikeJwt, jwtExpiry } from '../jwt-claims.js';
import { needsRefresh } from './refresh-window.js';

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: object) => `${part({ alg: 'RS256' })}.${part(claims)}.c2ln`;
const session = { issuer: 'https://issuer.example', clientId: 'kplane', scopes: ['openid'] };
const at = (seconds: number) => new Date(seconds * 1000);

function oidcToken(iat: number, exp: number): StoredToken {
  return { token: jwt({ iat, exp }), location: 'file', expiresAt: at(exp).toISOString(), oidc: session };
}

describe('needsRefresh', () => {
  it('renews an hour-long ID token in its last minute, not before', () => {
    const stored = oidcToken(0, 3600);
    expect(needsRefresh(stored, at(3539))).toBe(false);
    expect(needsRefresh(stored, at(3541))).toBe(true);
  });

  it('renews a short-lived token in its last quarter, so a fresh one is not renewed at once', () => {
    const stored = oidcToken(0, 8);
    expect(needsRefresh(stored, at(1))).toBe(false);
    expect(needsRefresh(stored, at(6.5))).toBe(true);
  });

  it('never renews a token that came without an OpenID login (a static or CI token)', () => {
    const { oidc: _none, ...stored } = oidcToken(0, 10);
    expect(needsRefresh(stored, at(20))).toBe(false);
  });
});

describe('JWT detection', () => {
  it('takes three base64url parts with a signature, and reads exp', () => {
    expect(looksLikeJwt(jwt({ exp: 1 }))).toBe(true);
    expect(jwtExpiry(jwt({ exp: 1 }))).toBe('1970-01-01T00:00:01.000Z');
  });

  it('refuses static tokens, unsigned JWTs and anything with padding or spaces', () => {
    expect(looksLikeJwt('kp_abcdef0123')).toBe(false);
    expect(looksLikeJwt(`${part({ alg: 'none' })}.${part({ exp: 1 })}.`)).toBe(false);
    expect(looksLikeJwt('a.b=.c')).toBe(false);
    expect(jwtExpiry('a.b.c')).toBeUndefined();
  });
});
