import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { issuePlatformCertificates } from '../../../shared/tls/certificates.js';
import { AuthenticationConfigError, loadAuthenticationConfig, parseAuthenticationConfig } from './config.js';
import { loginDiscoveryDocument } from './login-discovery.js';

const caPem = issuePlatformCertificates().ca.certificatePem;

function withJwt(jwt: Record<string, unknown>, top: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1beta1',
    kind: 'AuthenticationConfiguration',
    jwt: [jwt],
    ...top,
  };
}

const issuer = { url: 'https://issuer.example', audiences: ['kplane'] };
const username = { claim: 'sub', prefix: 'oidc:' };
const valid = { issuer, claimMappings: { username } };

describe('parseAuthenticationConfig', () => {
  it('reads the jwt authenticators (v1beta1 and v1) and derives the login discovery document', () => {
    const config = parseAuthenticationConfig(
      withJwt(
        {
          issuer: {
            ...issuer,
            audiences: ['kplane', 'ci'],
            audienceMatchPolicy: 'MatchAny',
            certificateAuthority: caPem,
          },
          claimValidationRules: [
            { claim: 'hd', requiredValue: 'example.com' },
            { expression: 'claims.exp > 0' },
          ],
          claimMappings: { username, groups: { claim: 'groups', prefix: '' }, uid: { claim: 'sub' } },
          userValidationRules: [{ expression: "user.username != ''", message: 'no anonymous' }],
        },
        { apiVersion: 'apiserver.config.k8s.io/v1' },
      ),
    );
    expect(config.jwt[0]?.issuer).toEqual({
      url: issuer.url,
      audiences: ['kplane', 'ci'],
      certificateAuthority: caPem,
    });
    expect(loginDiscoveryDocument(config)).toEqual({
      issuer: issuer.url,
      clientId: 'kplane',
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      certificateAuthority: caPem,
    });
    expect(loginDiscoveryDocument(parseAuthenticationConfig(withJwt(valid)))).not.toHaveProperty(
      'certificateAuthority',
    );
    expect(loginDiscoveryDocument(undefined)).toBeUndefined();
  });

  it.each([
    ['a wrong apiVersion', { ...withJwt(valid), apiVersion: 'v1' }, 'apiVersion: must be one of'],
    ['a wrong kind', { ...withJwt(valid), kind: 'Config' }, 'kind: must be AuthenticationConfiguration'],
    ['an unknown top-level field', { ...withJwt(valid), anonymous: {} }, 'anonymous: unknown field'],
    ['a missing issuer', withJwt({ claimMappings: { username } }), 'jwt[0].issuer: is required'],
    [
      'an http issuer',
      withJwt({ ...valid, issuer: { ...issuer, url: 'http://i' } }),
      'jwt[0].issuer.url: must be an https URL',
    ],
    [
      'no audiences',
      withJwt({ ...valid, issuer: { url: issuer.url, audiences: [] } }),
      'jwt[0].issuer.audiences: must name',
    ],
    [
      'several audiences without MatchAny',
      withJwt({ ...valid, issuer: { ...issuer, audiences: ['a', 'b'] } }),
      'jwt[0].issuer.audienceMatchPolicy: must be MatchAny',
    ],
    [
      'a certificateAuthority that is not PEM',
      withJwt({ ...valid, issuer: { ...issuer, certificateAuthority: 'nope' } }),
      'jwt[0].issuer.certificateAuthority: must be PEM',
    ],
    [
      'a typo in an issuer field',
      withJwt({ ...valid, issuer: { ...issuer, audience: 'x' } }),
      'jwt[0].issuer.audience: unknown field',
    ],
    [
      'no username mapping',
      withJwt({ issuer, claimMappings: {} }),
      'jwt[0].claimMappings.username: is required',
    ],
    [
      'a username claim without a prefix',
      withJwt({ issuer, claimMappings: { username: { claim: 'sub' } } }),
      'jwt[0].claimMappings.username.prefix: is required',
    ],
    [
      'both claim and expression',
      withJwt({
        issuer,
        claimMappings: { username: { claim: 'sub', prefix: '', expression: 'claims.sub' } },
      }),
      'jwt[0].claimMappings.username: set exactly one of claim or expression',
    ],
    [
      'a CEL syntax error',
      withJwt({ issuer, claimMappings: { username: { expression: 'claims.(' } } }),
      'jwt[0].claimMappings.username.expression: not a valid CEL expression',
    ],
    [
      'a claim rule without requiredValue',
      withJwt({ ...valid, claimValidationRules: [{ claim: 'hd' }] }),
      'jwt[0].claimValidationRules[0].requiredValue: is required',
    ],
    [
      'a bad extra key',
      withJwt({ issuer, claimMappings: { username, extra: [{ key: 'Team', valueExpression: "'a'" }] } }),
      'jwt[0].claimMappings.extra[0].key: must be a lower-case domain-prefixed path',
    ],
    [
      'two authenticators for one issuer',
      { ...withJwt(valid), jwt: [valid, valid] },
      'jwt[1].issuer.url: another authenticator has this issuer',
    ],
  ])('refuses %s, naming the field', (_, document, message) => {
    expect(() => parseAuthenticationConfig(document)).toThrow(AuthenticationConfigError);
    expect(() => parseAuthenticationConfig(document)).toThrow(message);
  });

  it('loads YAML from a file and says when the file is not YAML', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-authn-'));
    const good = path.join(dir, 'good.yaml');
    writeFileSync(
      good,
      [
        'apiVersion: apiserver.config.k8s.io/v1beta1',
        'kind: AuthenticationConfiguration',
        'jwt:',
        '- issuer: {url: "https://issuer.example", audiences: [kplane]}',
        '  claimMappings: {username: {claim: email, prefix: ""}}',
      ].join('\n'),
    );
    expect(loadAuthenticationConfig(good).jwt).toHaveLength(1);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'jwt: [');
    expect(() => loadAuthenticationConfig(bad)).toThrow(/is not YAML or JSON/);
    expect(() => loadAuthenticationConfig(path.join(dir, 'missing.yaml'))).toThrow(/cannot read .*ENOENT/);
  });
});
