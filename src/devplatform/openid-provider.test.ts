import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from './sign-in-by-http.js';
import { httpsFetch } from '../client/oidc/https-fetch.js';
import { startOpenIdProvider, type RunningOpenIdProvider } from './openid-provider.js';

let provider: RunningOpenIdProvider;
let config: oidc.Configuration;

beforeAll(async () => {
  provider = await startOpenIdProvider({ idTokenTtlSeconds: 60 });
  const fetchTrusting = httpsFetch(provider.caPem);
  config = await oidc.discovery(new URL(provider.issuer), provider.clientId, undefined, oidc.None(), {
    [oidc.customFetch]: fetchTrusting,
  });
  config[oidc.customFetch] = fetchTrusting;
});

afterAll(async () => provider?.stop());

describe('the dev OpenID provider', () => {
  it('serves discovery on 127.0.0.1 over HTTPS with device, revocation and PKCE', () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(metadata.device_authorization_endpoint).toBeDefined();
    expect(metadata.revocation_endpoint).toBeDefined();
    expect(metadata.code_challenge_methods_supported).toContain('S256');
  });

  it('logs a demo user in through the device grant: ID token with username and groups, refresh token', async () => {
    const device = await oidc.initiateDeviceAuthorization(config, {
      scope: 'openid profile email offline_access',
    });
    const visit = await signInAs(device.verification_uri_complete!, 'bob', provider.caPem);
    expect(visit.status).toBe(200);
    const tokens = await oidc.pollDeviceAuthorizationGrant(config, device);
    expect(tokens.claims()).toMatchObject({
      sub: 'bob',
      groups: ['developers', 'platform-team'],
      aud: 'kplane',
    });
    expect(tokens.refresh_token).toBeTruthy();
    const before = provider.counts.token.refresh_token ?? 0;
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.claims()?.sub).toBe('bob');
    expect(provider.counts.token.refresh_token).toBe(before + 1);

    await provider.revokeRefreshToken(refreshed.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  }, 30_000);

  it('mints job-style ID tokens for the CI audience that verify against its published keys', async () => {
    const token = await provider.mintIdToken({ subject: 'repo:acme/app:ref:refs/heads/main' });
    const keys = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!), {
      [customFetch]: httpsFetch(provider.caPem),
    });
    const { payload } = await jwtVerify(token, keys, {
      issuer: provider.issuer,
      audience: provider.ciAudience,
    });
    expect(payload.sub).toBe('repo:acme/app:ref:refs/heads/main');
  });
});
