import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kplane, repoRoot, userSandbox } from './helpers/cli.js';

// `auth token` runs before every kubectl request: with a valid cached ID token it must not load the OpenID
// client (openid-client and its dependencies cost more than the whole command). NODE_DEBUG=module makes Node
// name every module it resolves, so the test sees what the process really loaded.

const platform = 'https://127.0.0.1:9';
const sandbox = userSandbox('kplane-oidc-hot-');
afterAll(() => sandbox.cleanup());

function storeIdToken(lifetimeSeconds: number, secondsLeft: number): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const exp = now + secondsLeft;
  const token = `${part({ alg: 'RS256' })}.${part({ iss: platform, sub: 'alice', iat: exp - lifetimeSeconds, exp })}.c2ln`;
  const dir = path.join(sandbox.env.XDG_CONFIG_HOME!, 'kplane');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'credentials.json'),
    JSON.stringify({
      version: 1,
      platforms: {
        [platform]: {
          location: 'file',
          token,
          expiresAt: new Date(exp * 1000).toISOString(),
          // Nothing listens on port 9: a refresh would fail, which is how the test tells one happened.
          oidc: { issuer: platform, clientId: 'kplane', scopes: ['openid', 'offline_access'] },
          refreshToken: 'refresh-token-value',
        },
      },
    }),
    { mode: 0o600 },
  );
  return token;
}

const authToken = () =>
  kplane(['auth', 'token', '--server', platform], { env: { ...sandbox.env, NODE_DEBUG: 'module' } });

describe('auth token with an OIDC login', () => {
  it('returns a valid cached ID token without loading openid-client', async () => {
    const token = storeIdToken(3600, 3000);
    const result = await authToken();
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).status.token).toBe(token);
    expect(result.stderr).toContain('MODULE');
    expect(result.stderr).not.toMatch(/openid-client|oauth4webapi|jose/);
  });

  it('loads openid-client only to renew a token about to expire (and says to log in when it cannot)', async () => {
    storeIdToken(3600, 30);
    const result = await authToken();
    expect(result.stderr).toMatch(/openid-client/);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`run kplane login ${platform}`);
    expect(result.stderr).not.toContain('refresh-token-value');
  });

  it('bundles no OpenID code into the hot path: openid-client stays an external require', () => {
    const bundle = readFileSync(path.join(repoRoot, 'dist', 'hot-path.cjs'), 'utf8');
    expect(bundle).toContain('require("openid-client")');
    expect(bundle).not.toMatch(/oauth4webapi|authorizationCodeGrant/);
  });
});
