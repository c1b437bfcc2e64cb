import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';

/**
 * A real OpenID provider (oidc-provider, certified by the OpenID Foundation) for the demo and the tests: the
 * demo users log in at its development login form (any password), which a test can fill in with plain HTTP
 * requests. It serves HTTPS on 127.0.0.1 only, with a certificate from a CA of its own, like the platform's.
 */

export interface DemoUser {
  name: string;
  email: string;
  groups: string[];
}

export const DEMO_OIDC_USERS: readonly DemoUser[] = [
  { name: 'alice', email: 'alice@example.com', groups: ['developers'] },
  { name: 'bob', email: 'bob@example.com', groups: ['developers', 'platform-team'] },
  { name: 'carol', email: 'carol@example.com', groups: ['viewers'] },
];

/** The public client `kplane login` uses: PKCE, a loopback redirect on any port, the device grant. */
export const KPLANE_CLIENT_ID = 'kplane';
/** The audience of the ID tokens a CI system hands its jobs (as GitHub Actions and GitLab CI do). */
export const CI_AUDIENCE = 'kplane-ci';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface OpenIdProviderOptions {
  /** Seconds an ID token (and access token) lives; short in tests to see refreshes. Default 300. */
  idTokenTtlSeconds?: number;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  users?: readonly DemoUser[];
}

/** Requests the token endpoint received, by grant type (successful or not). */
export type TokenRequestCounts = Record<string, number>;

export interface MintIdTokenOptions {
  subject: string;
  audience?: string;
  lifetimeSeconds?: number;
  claims?: Record<string, unknown>;
}

export interface RunningOpenIdProvider {
  /** `https://127.0.0.1:PORT`, the `iss` of every token. */
  issuer: string;
  /** The CA certificate (PEM) that signed the provider's serving certificate. */
  caPem: string;
  clientId: string;
  ciAudience: string;
  counts: { token: TokenRequestCounts; revocation: number };
  /**
   * A job-style ID token signed with the provider's own key (the one its JWKS publishes), the way a CI system's
   * issuer hands one to each job: no login, an audience of the caller's choice.
   */
  mintIdToken(options: MintIdTokenOptions): Promise<string>;
  /** What an administrator does at the provider: the refresh token (and its grant) stop working. */
  revokeRefreshToken(value: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startOpenIdProvider(
  options: OpenIdProviderOptions = {},
): Promise<RunningOpenIdProvider> {
  const users = new Map((options.users ?? DEMO_OIDC_USERS).map((user) => [user.name, user]));
  const ttl = options.idTokenTtlSeconds ?? 300;
  // The certificate issuer the platform uses too (a CA of the provider's own, for 127.0.0.1), loaded only here.
  const { issuePlatformCertificates } = await import('../shared/tls/certificates.js');
  const certificates = issuePlatformCertificates();
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk: JWK = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };

  // The port is known only once listening, and the issuer must name it: listen first, then attach the handler.
  const route: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer(
    { cert: certificates.server.certificatePem, key: certificates.server.keyPem },
    (req, res) => (route.handler ? route.handler(req, res) : res.writeHead(503).end()),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: KPLANE_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/callback'],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: {
      openid: ['sub'],
      // Kubernetes' claimMappings read groups from the ID token; they come with `profile`, no extra scope needed.
      profile: ['preferred_username', 'name', 'groups'],
      email: ['email', 'email_verified'],
    },
    // The platform reads username and groups from the ID token itself, as kube-apiserver does.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
    },
    // A refresh token whenever the client may refresh, so `kplane auth token` can renew the short ID token.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    ttl: {
      IdToken: ttl,
      AccessToken: ttl,
      RefreshToken: 24 * 60 * 60,
      DeviceCode: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 24 * 60 * 60,
    },
    findAccount: (_ctx: unknown, id: string) => {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          preferred_username: user.name,
          name: user.name,
          email: user.email,
          email_verified: true,
          groups: [...user.groups],
        }),
      };
    },
  });
  // The provider talks to the network itself (HTTPS here), not through a proxy.
  provider.proxy = false;

  const counts = { token: {} as TokenRequestCounts, revocation: 0 };
  const countGrant = (ctx: { oidc?: { params?: Record<string, unknown> } }) => {
    const type = String(ctx.oidc?.params?.grant_type ?? 'unknown');
    counts.token[type] = (counts.token[type] ?? 0) + 1;
  };
  provider.on('grant.success', countGrant);
  provider.on('grant.error', countGrant);
  // oidc-provider emits no event per revocation request: count them on their way in.
  provider.use(async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === '/token/revocation') counts.revocation++;
    await next();
  });
  // oidc-provider logs unexpected errors itself; keep the demo's terminal to what the person asked for.
  provider.on('server_error', () => undefined);
  route.handler = provider.callback();

  return {
    issuer,
    caPem: certificates.ca.certificatePem,
    clientId: KPLANE_CLIENT_ID,
    ciAudience: CI_AUDIENCE,
    counts,
    mintIdToken: async ({ subject, audience = CI_AUDIENCE, lifetimeSeconds = ttl, claims = {} }) =>
      new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: signingJwk.kid!, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(subject)
        .setAudience(audience)
        .setIssuedAt()
        .setNotBefore('0s')
        .setExpirationTime(`${lifetimeSeconds}s`)
        .setJti(randomUUID())
        .sign(privateKey),
    revokeRefreshToken: async (value) => {
      const token = await provider.RefreshToken.find(value);
      if (!token) return;
      if (token.grantId) await (await provider.Grant.find(token.grantId))?.destroy();
      await token.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
