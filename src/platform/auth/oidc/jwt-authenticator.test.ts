import { createPublicKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  newSigningKey,
  signWith,
  startTestIssuer,
  type TestIssuer,
} from '../../../../test/helpers/jwt-issuer.js';
import { parseAuthenticationConfig } from './config.js';
import { JwtAuthenticators, TokenRejected } from './jwt-authenticator.js';

const AUDIENCE = 'kplane';

function configFor(issuer: TestIssuer, extra: Record<string, unknown> = {}) {
  return parseAuthenticationConfig({
    apiVersion: 'apiserver.config.k8s.io/v1beta1',
    kind: 'AuthenticationConfiguration',
    jwt: [
      {
        issuer: { url: issuer.url, audiences: [AUDIENCE], certificateAuthority: issuer.caPem },
        claimMappings: {
          username: { claim: 'email', prefix: 'oidc:' },
          groups: { claim: 'groups', prefix: 'oidc:' },
          uid: { claim: 'sub' },
        },
        ...extra,
      },
    ],
  });
}

async function rejection(authenticators: JwtAuthenticators, token: string): Promise<string> {
  const error = await authenticators.authenticate(token).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(TokenRejected);
  const message = (error as Error).message;
  expect(message).not.toContain(token);
  return message;
}

describe('JwtAuthenticators', () => {
  let issuer: TestIssuer;
  let authenticators: JwtAuthenticators;
  const alice = { sub: 'u-1', email: 'alice@example.com', groups: ['dev', 'ops'], aud: AUDIENCE };

  beforeAll(async () => {
    issuer = await startTestIssuer();
    authenticators = new JwtAuthenticators(configFor(issuer), { minRefetchIntervalMs: 0 });
  });
  afterAll(() => issuer.stop());

  it('maps a valid token to its user: prefixed username and groups, uid, expiry', async () => {
    const exp = Math.floor(Date.now() / 1000) + 300;
    const user = await authenticators.authenticate(await issuer.sign({ ...alice, exp }));
    expect(user).toEqual({
      name: 'oidc:alice@example.com',
      uid: 'u-1',
      groups: ['oidc:dev', 'oidc:ops', 'system:authenticated'],
      extra: {
        'authentication.kplane.dev/expires-at': [new Date(exp * 1000).toISOString().replace('.000Z', 'Z')],
      },
    });
  });

  it('accepts any of several audiences (aud as a list too)', async () => {
    const user = await authenticators.authenticate(await issuer.sign({ ...alice, aud: ['other', AUDIENCE] }));
    expect(user.name).toBe('oidc:alice@example.com');
  });

  it.each([
    [
      'alg none',
      async () => new UnsecuredJWT({ ...alice, iss: issuer.url, exp: now() + 60 }).encode(),
      /alg|JWS/i,
    ],
    [
      'HS256 signed with the public key as the secret',
      async () => {
        const pem = createPublicKey({ key: issuer.current().publicJwk, format: 'jwk' }).export({
          type: 'spki',
          format: 'pem',
        });
        return new SignJWT({ ...alice, iss: issuer.url, exp: now() + 60 })
          .setProtectedHeader({ alg: 'HS256', kid: issuer.current().kid })
          .sign(Buffer.from(pem));
      },
      /alg/i,
    ],
    ['a wrong audience', () => issuer.sign({ ...alice, aud: 'someone-else' }), /aud/],
    ['no audience', () => issuer.sign({ sub: 'u-1', email: 'alice@example.com' }), /aud/],
    ['an expired token', () => issuer.sign({ ...alice, exp: now() - 60 }), /exp/],
    ['a token without exp', () => issuer.sign({ ...alice, exp: undefined }), /exp/],
    ['a not-yet-valid token', () => issuer.sign({ ...alice, nbf: now() + 120 }), /nbf/],
    ['an unknown issuer', () => issuer.sign({ ...alice, iss: 'https://evil.example' }), /issuer/],
    [
      "a token signed by another issuer's key under a known kid",
      async () =>
        signWith(await newSigningKey(issuer.current().kid), { ...alice, iss: issuer.url, exp: now() + 60 }),
      /signature/,
    ],
    [
      'a token signed by a key the issuer never published',
      async () => signWith(await newSigningKey('stranger'), { ...alice, iss: issuer.url, exp: now() + 60 }),
      /key/i,
    ],
    ['garbage', async () => 'a.b.c', /JWT/],
    ['a username claim that is missing', () => issuer.sign({ ...alice, email: undefined }), /email/],
    ['an unverified email', () => issuer.sign({ ...alice, email_verified: false }), /verified/],
  ])('refuses %s', async (_, make, reason) => {
    expect(await rejection(authenticators, await make())).toMatch(reason);
  });

  it('refuses a token whose mapped user would be a platform identity or in a system: group', async () => {
    const config = configFor(issuer);
    config.jwt[0]!.claimMappings.groups = { claim: 'groups', prefix: '' };
    config.jwt[0]!.claimMappings.username = { claim: 'sub', prefix: '' };
    const unprefixed = new JwtAuthenticators(config);
    expect(await rejection(unprefixed, await issuer.sign({ ...alice, groups: ['system:masters'] }))).toMatch(
      /system:masters is reserved/,
    );
    expect(await rejection(unprefixed, await issuer.sign({ ...alice, sub: 'kplane-admin' }))).toMatch(
      /kplane-admin is reserved/,
    );
  });

  it('applies claim validation rules (claim = value, and CEL) and user validation rules', async () => {
    const strict = new JwtAuthenticators(
      configFor(issuer, {
        claimValidationRules: [
          { claim: 'hd', requiredValue: 'example.com' },
          { expression: "claims.email.endsWith('@example.com')", message: 'company accounts only' },
        ],
        userValidationRules: [
          { expression: "!user.username.startsWith('oidc:bad')", message: 'no bad users' },
        ],
      }),
    );
    expect((await strict.authenticate(await issuer.sign({ ...alice, hd: 'example.com' }))).name).toBe(
      'oidc:alice@example.com',
    );
    expect(await rejection(strict, await issuer.sign({ ...alice, hd: 'other.com' }))).toMatch(/claim hd/);
    expect(
      await rejection(strict, await issuer.sign({ ...alice, hd: 'example.com', email: 'a@gmail.com' })),
    ).toMatch(/company accounts only/);
    expect(
      await rejection(strict, await issuer.sign({ ...alice, hd: 'example.com', email: 'bad@example.com' })),
    ).toMatch(/no bad users/);
  });

  it('maps with CEL expressions (username, groups, extra)', async () => {
    const mapped = new JwtAuthenticators(
      parseAuthenticationConfig({
        apiVersion: 'apiserver.config.k8s.io/v1',
        kind: 'AuthenticationConfiguration',
        jwt: [
          {
            issuer: { url: issuer.url, audiences: [AUDIENCE], certificateAuthority: issuer.caPem },
            claimMappings: {
              username: { expression: "'ci:' + claims.repository + ':' + claims.ref" },
              groups: { expression: "claims.groups.map(g, 'team:' + g)" },
              extra: [{ key: 'example.org/repo', valueExpression: 'claims.repository' }],
            },
          },
        ],
      }),
    );
    const user = await mapped.authenticate(
      await issuer.sign({ aud: AUDIENCE, repository: 'acme/web', ref: 'main', groups: ['a'] }),
    );
    expect(user.name).toBe('ci:acme/web:main');
    expect(user.groups).toEqual(['team:a', 'system:authenticated']);
    expect(user.extra?.['example.org/repo']).toEqual(['acme/web']);
  });

  it('follows key rotation: a new kid is fetched, a removed key is refused, fetches are rate-limited', async () => {
    const rotating = await startTestIssuer();
    try {
      let clock = Date.now();
      const keyed = new JwtAuthenticators(configFor(rotating), {
        minRefetchIntervalMs: 10_000,
        now: () => clock,
      });
      const sign = (key = rotating.current()) => rotating.sign({ ...alice }, { key });
      const oldKey = rotating.current();
      expect((await keyed.authenticate(await sign())).name).toBe('oidc:alice@example.com');
      expect(rotating.jwksRequests()).toBe(1);

      const newKey = await rotating.rotate({ dropOld: true });
      // Within the interval an unknown kid is refused without asking the issuer again.
      clock += 1_000;
      expect(await rejection(keyed, await sign(newKey))).toMatch(/key/i);
      expect(rotating.jwksRequests()).toBe(1);

      clock += 10_000;
      expect((await keyed.authenticate(await sign(newKey))).name).toBe('oidc:alice@example.com');
      expect(rotating.jwksRequests()).toBe(2);
      // The old key left the JWKS with that fetch: its tokens no longer pass.
      expect(await rejection(keyed, await sign(oldKey))).toMatch(/key/i);

      // Twenty concurrent tokens with a new kid cause one fetch.
      clock += 10_000;
      const third = await rotating.rotate();
      const tokens = await Promise.all(Array.from({ length: 20 }, () => sign(third)));
      const users = await Promise.all(tokens.map((token) => keyed.authenticate(token)));
      expect(users.every((user) => user.name === 'oidc:alice@example.com')).toBe(true);
      expect(rotating.jwksRequests()).toBe(3);
    } finally {
      await rotating.stop();
    }
  });

  it('remembers a verified token for 10 s at most: a removed key stops working after that', async () => {
    const rotating = await startTestIssuer();
    try {
      let clock = Date.now();
      const keyed = new JwtAuthenticators(configFor(rotating), { minRefetchIntervalMs: 0, now: () => clock });
      const token = await rotating.sign({ ...alice });
      expect((await keyed.authenticate(token)).name).toBe('oidc:alice@example.com');
      const newKey = await rotating.rotate({ dropOld: true });
      await keyed.authenticate(await rotating.sign({ ...alice }, { key: newKey }));
      expect(rotating.jwksRequests()).toBe(2);
      // The JWKS no longer has the first key, but the token was verified a moment ago.
      clock += 9_000;
      expect((await keyed.authenticate(token)).name).toBe('oidc:alice@example.com');
      clock += 2_000;
      expect(await rejection(keyed, token)).toMatch(/key/i);
    } finally {
      await rotating.stop();
    }
  });

  it('refuses tokens when the issuer cannot be reached, without asking it on every request', async () => {
    const gone = await startTestIssuer();
    const config = configFor(gone);
    const token = await gone.sign({ ...alice });
    await gone.stop();
    const unreachable = new JwtAuthenticators(config, { minRefetchIntervalMs: 60_000 });
    expect(await rejection(unreachable, token)).toMatch(/ECONNREFUSED/);
    expect(await rejection(unreachable, token)).toMatch(/could not be fetched/);
  });
});

function now(): number {
  return Math.floor(Date.now() / 1000);
}
