import { describe, expect, it } from 'vitest';
import { ApiStatusError } from '../../client/api-error.js';
import type { RestClient } from '../../client/rest-client.js';
import { oidcLoginSettings } from './platform-login-settings.js';

const platformAnswering = (document: object | undefined) =>
  ({
    get: async () => {
      if (!document) throw new ApiStatusError(404, { code: 404, reason: 'NotFound', message: 'not found' });
      return document;
    },
  }) as unknown as RestClient;

const discovered = {
  issuer: 'https://login.example.com',
  clientId: 'kplane',
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  certificateAuthority: '-----BEGIN CERTIFICATE-----\n...',
};

describe('oidcLoginSettings', () => {
  it("takes the platform's issuer, client id, scopes and the issuer's CA", async () => {
    expect(await oidcLoginSettings(platformAnswering(discovered), {})).toEqual(discovered);
  });

  it('lets flags override, and trusts the discovered CA only for the discovered issuer', async () => {
    const settings = await oidcLoginSettings(platformAnswering(discovered), {
      issuer: 'https://sso.corp.example',
      clientId: 'corp-kplane',
      scopes: ['groups'],
    });
    expect(settings).toEqual({
      issuer: 'https://sso.corp.example',
      clientId: 'corp-kplane',
      scopes: ['openid', 'groups'],
    });
  });

  it('is undefined when the platform has no OpenID login (404) and no flag names one', async () => {
    expect(await oidcLoginSettings(platformAnswering(undefined), {})).toBeUndefined();
  });

  it('refuses a half-named provider and an issuer that is not https (exit 2)', async () => {
    await expect(
      oidcLoginSettings(platformAnswering(undefined), { issuer: 'https://a.example' }),
    ).rejects.toThrow(/pass --oidc-client-id/);
    await expect(
      oidcLoginSettings(platformAnswering({ ...discovered, issuer: 'http://login.example.com' }), {}),
    ).rejects.toMatchObject({ exitCode: 2 });
  });
});
